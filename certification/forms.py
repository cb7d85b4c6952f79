"""Forms of the grilles CCF pages. They parse and shape input; the rules (300 characters, note
0..20, lock preconditions…) are the services' (certification.services)."""

from django import forms

from certification.models import COMMENTAIRE_MAX
from certification.services import NUMERO_MAX

NIVEAU_CHOIX = [("", "Non positionné"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]


class GrilleForm(forms.Form):
    """The grid's form: header fields, one level per criterion (rendered as radio buttons in
    the grid's table), the proposed note and the commission's comment. The comment has no
    max_length here so that the service's French message is the one shown; the textarea's
    maxlength stops typing at 300 in the browser."""

    numero_candidat = forms.CharField(
        label="N° du candidat", required=False, max_length=NUMERO_MAX + 20
    )
    dates_situations = forms.CharField(
        label="Date(s) de la ou des situations d'évaluation", required=False, max_length=300
    )
    note_proposee = forms.CharField(
        label="Note proposée au jury (sur 20)", required=False, max_length=10
    )
    commentaire = forms.CharField(
        label="Commentaires de la commission",
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "maxlength": COMMENTAIRE_MAX,
                "data-compteur": "grille-compteur",
                "aria-describedby": "grille-compteur-texte",
            }
        ),
    )

    def __init__(self, *args, criteres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteres = list(criteres)
        for c in self.criteres:
            self.fields[f"niveau_{c.pk}"] = forms.ChoiceField(
                label=c.intitule, choices=NIVEAU_CHOIX, required=False
            )

    def niveaux(self) -> dict[int, str]:
        """{critere_id: "1".."4" or ""} of the criteria present in the submitted form."""
        return {
            c.pk: self.cleaned_data.get(f"niveau_{c.pk}", "")
            for c in self.criteres
            if f"niveau_{c.pk}" in self.data
        }


class MembreForm(forms.Form):
    """Add a member: pick a teacher (`membre`, a membership pk of the list) or type nom,
    prénom and qualité."""

    membre = forms.IntegerField(required=False, widget=forms.HiddenInput)
    nom = forms.CharField(label="Nom", required=False, max_length=150)
    prenom = forms.CharField(label="Prénom", required=False, max_length=150)
    qualite = forms.CharField(label="Qualité", required=False, max_length=120)


class RechercheForm(forms.Form):
    q = forms.CharField(label="Rechercher un enseignant (nom)", required=False, max_length=60)
