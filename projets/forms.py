"""Forms of the projets pages: shapes and widgets only; the rules live in projets.services."""

from django import forms
from django.contrib.auth import get_user_model

from cpro.ressources import FichierForm
from projets import queries
from projets.models import APPRECIATION_MAX
from projets.services import (
    COMMENTAIRE_MAX,
    DESCRIPTION_MAX,
    ETAPE_TITRE_MAX,
    ETAPES_MAX,
    ETAPES_TYPES,
    LIVRABLES_MAX,
    TEXTE_MAX,
    TITRE_MAX,
)


def _date() -> forms.DateInput:
    # The browser's date picker reads and sends ISO dates (shown dd/mm/yyyy by the browser).
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Apprenants(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        division = obj.division.nom if obj.division_id else "—"
        return (
            f"{obj.membership.user.last_name.upper()} {obj.membership.user.first_name} ({division})"
        )


class _Enseignants(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.last_name.upper()} {obj.first_name}"


class ProjetForm(forms.Form):
    titre = forms.CharField(label="Titre du projet", max_length=TITRE_MAX)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    divisions = forms.ModelMultipleChoiceField(
        label="Division(s)", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    apprenants = _Apprenants(
        label="Équipe (un apprenant : projet individuel ; plusieurs : projet collectif)",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    enseignants = _Enseignants(
        label="Équipe pédagogique", queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, etablissement, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["divisions"].queryset = divisions
        self.fields["apprenants"].queryset = queries.apprenants_possibles(etablissement, divisions)
        self.fields["enseignants"].queryset = (
            get_user_model()
            .objects.filter(memberships__in=queries.enseignants_possibles(etablissement))
            .order_by("last_name", "first_name")
        )


class EtapeForm(forms.Form):
    # `id`: the stage this row changes (edit page); empty for a new stage. The service checks
    # that it is a stage of the projet.
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    titre = forms.CharField(label="Étape", max_length=ETAPE_TITRE_MAX, required=False)
    date_debut = forms.DateField(label="Début", required=False, widget=_date())
    date_fin = forms.DateField(label="Fin", required=False, widget=_date())
    livrables = forms.CharField(
        label="Livrables attendus",
        required=False,
        max_length=LIVRABLES_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    supprimer = forms.BooleanField(label="Supprimer cette étape", label_suffix="", required=False)


EtapeFormSet = forms.formset_factory(
    EtapeForm, extra=0, max_num=ETAPES_MAX, validate_max=True, absolute_max=ETAPES_MAX
)


def etapes_initiales() -> list[dict]:
    return [{"titre": titre} for titre in ETAPES_TYPES]


# Blank rows offered under a projet's stages on its edit page (« ajouter une étape » without JS).
LIGNES_AJOUT = 2


def etapes_du_projet(projet) -> list[dict]:
    """The edit page's stage rows: the projet's stages, then blank rows to add some."""
    lignes = [
        {
            "id": e.pk,
            "titre": e.titre,
            "date_debut": e.date_debut,
            "date_fin": e.date_fin,
            "livrables": e.livrables,
        }
        for e in projet.etapes.all()
    ]
    return lignes + [{}] * max(0, min(LIGNES_AJOUT, ETAPES_MAX - len(lignes)))


def initial_projet(projet) -> dict:
    return {
        "titre": projet.titre,
        "description": projet.description,
        "divisions": list(projet.divisions.all()),
        "apprenants": list(projet.apprenants.all()),
        "enseignants": list(projet.enseignants.all()),
    }


class EntreeForm(FichierForm):
    date = forms.DateField(label="Date", widget=_date())
    texte = forms.CharField(
        label="Ce que j'ai fait, ce qui reste à faire",
        max_length=TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    url = forms.CharField(
        label="Lien (facultatif, http:// ou https://)",
        required=False,
        max_length=1000,
        widget=forms.URLInput,
    )
    field_order = ["date", "texte", "fichier", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["titre"]
        self.fields["fichier"].required = False
        self.fields["fichier"].label = "Fichier (facultatif)"


class CommentaireForm(forms.Form):
    texte = forms.CharField(
        label="Commentaire",
        max_length=COMMENTAIRE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EvaluationForm(forms.Form):
    appreciation = forms.CharField(
        label=f"Appréciation ({APPRECIATION_MAX} caractères au plus)",
        required=False,
        max_length=APPRECIATION_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": APPRECIATION_MAX}),
    )
    note = forms.CharField(
        label="Note sur 20",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    valider = forms.BooleanField(
        label="Valider l'évaluation de l'année (reprise dans le livret scolaire LSL)",
        label_suffix="",
        required=False,
    )
