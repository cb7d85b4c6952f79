"""Forms of the portfolio pages: shape and French messages only; the rules (who, when, limits
re-checked) are in services_portfolio."""

from django import forms

from cpro import maitrise
from pfmp import services_portfolio as services

OPTIONS_NIVEAU = [("", "—"), *maitrise.OPTIONS_NIVEAU]

MESSAGE_LONGUEUR = "Ce texte dépasse %(limit_value)d caractères (%(show_value)d)."


def _texte(label, required=False, max_length=services.TEXTE_MAX, rows=6):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
        error_messages={"max_length": MESSAGE_LONGUEUR},
    )


def _choix_taches(taches) -> list[tuple[str, str]]:
    return [(str(t.pk), f"{t.code} – {t.intitule}") for t in taches]


class TexteForm(forms.Form):
    texte = _texte("Texte", rows=10)

    def __init__(self, *args, label="Texte", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["texte"].label = label


class SemaineForm(forms.Form):
    activites = _texte("Mes activités de la semaine", rows=8)
    taches = forms.MultipleChoiceField(
        label="Tâches professionnelles réalisées",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Tâche inconnue : %(value)s."},
    )

    def __init__(self, *args, taches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taches"].choices = _choix_taches(taches)


class FicheForm(forms.Form):
    titre = forms.CharField(
        label="Activité",
        required=False,
        max_length=services.TITRE_MAX,
        error_messages={"max_length": MESSAGE_LONGUEUR},
    )
    contexte = _texte("Contexte")
    realisation = _texte("Ce que j'ai fait", rows=8)
    taches = forms.MultipleChoiceField(
        label="Tâches professionnelles mobilisées",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Tâche inconnue : %(value)s."},
    )
    resultat = _texte("Résultat obtenu")
    difficultes = _texte("Difficultés rencontrées")

    def __init__(self, *args, taches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taches"].choices = _choix_taches(taches)


class CommentaireFicheForm(forms.Form):
    commentaire = _texte("Commentaire du professeur référent")
    decision = forms.ChoiceField(
        label="Décision",
        choices=[(services.A_REVOIR, "À revoir par l'apprenant"), (services.VALIDER, "Valider")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez « à revoir » ou « valider »."},
    )


class LienForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail du tuteur",
        required=False,
        error_messages={"invalid": "Adresse e-mail invalide."},
    )
    duree_jours = forms.IntegerField(
        label="Validité (jours)",
        min_value=1,
        max_value=services.LIEN_DUREE_MAX,
        initial=60,
        error_messages={
            "min_value": "Au moins un jour.",
            "max_value": f"Au plus {services.LIEN_DUREE_MAX} jours.",
            "invalid": "Indiquez un nombre de jours.",
            "required": "Indiquez un nombre de jours.",
        },
    )
    envoyer = forms.BooleanField(label="Envoyer le lien par e-mail au tuteur", required=False)


class BilanForm(forms.Form):
    """One choice per criterion (`c<id>`) plus its value when the page was shown (`o<id>`):
    only the criteria whose level the user changed are written, so the teacher and the tutor
    entering at the same time never overwrite each other's cells."""

    appreciation = _texte("Appréciation", rows=5)
    tuteur_nom = forms.CharField(
        label="Tuteur ou maître d'apprentissage ayant participé au bilan",
        required=False,
        max_length=services.TUTEUR_NOM_MAX,
        error_messages={"max_length": MESSAGE_LONGUEUR},
    )

    def __init__(self, *args, criteres=(), niveaux=None, **kwargs):
        super().__init__(*args, **kwargs)
        niveaux = niveaux or {}
        self.criteres = list(criteres)
        for critere in self.criteres:
            self.fields[f"c{critere.pk}"] = forms.ChoiceField(
                label=f"{critere.code} {critere.intitule}",
                choices=OPTIONS_NIVEAU,
                required=False,
                initial=niveaux.get(critere.pk, ""),
                error_messages={"invalid_choice": "Niveau inconnu : choisissez NE, 1, 2, 3 ou 4."},
            )
            self.fields[f"o{critere.pk}"] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=niveaux.get(critere.pk, "")
            )

    def niveaux_changes(self) -> dict[int, str]:
        data = self.cleaned_data
        changes = {}
        for c in self.criteres:
            niveau = data.get(f"c{c.pk}") or ""
            if niveau != (data.get(f"o{c.pk}") or ""):
                changes[c.pk] = niveau
        return changes
