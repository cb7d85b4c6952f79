"""Forms of the évaluation pages: they parse the request; the rules live in services.py."""

from django import forms

import scenarios.forms
from evaluations.models import TITRE_MAX, Nature
from evaluations.services import SECTEURS_MAX

FORMATS_DATE = ["%d/%m/%Y", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker exchanges ISO dates; it shows them in the user's locale.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class InformationsForm(forms.Form):
    titre = forms.CharField(
        label="Titre de l'évaluation",
        max_length=TITRE_MAX,
        error_messages={
            "required": "Le titre de l'évaluation est obligatoire.",
            "max_length": f"Le titre ne peut pas dépasser {TITRE_MAX} caractères.",
        },
    )
    date = forms.DateField(
        label="Date de l'évaluation",
        input_formats=FORMATS_DATE,
        widget=DateInput,
        help_text="Format jj/mm/aaaa.",
        error_messages={
            "required": "La date de l'évaluation est obligatoire.",
            "invalid": "Saisissez une date valide (jj/mm/aaaa).",
        },
    )
    nature = forms.ChoiceField(
        label="Niveau de complexité",
        choices=[
            (Nature.INTERMEDIAIRE.value, "Intermédiaire [Int]"),
            (Nature.COMPLEXE.value, "Complexe [C]"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez le niveau de complexité.",
            "invalid_choice": "Choisissez Intermédiaire ou Complexe.",
        },
    )
    enseignants = forms.ModelMultipleChoiceField(
        label="Enseignants évaluateurs",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Cet enseignant ne peut pas évaluer ce diplôme."},
    )
    afficher_tableau_de_bord = forms.BooleanField(
        label="Affichage des résultats dans le tableau de bord",
        required=False,
        help_text="Décoché, les résultats ne s'affichent ni sur la grille de l'élève ni dans "
        "le tableau de bord des apprenants concernés.",
    )

    def __init__(self, *args, enseignants=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enseignants"].queryset = enseignants
        self.fields["enseignants"].label_from_instance = lambda u: u.nom_complet or u.username


class ApprenantsForm(forms.Form):
    """The chosen learners (checkbox values `apprenants`); `tout` / `aucun` = a division whose
    learners are all added / removed (buttons that work without JavaScript); `confirme` after
    the confirmation page."""

    tout = forms.IntegerField(required=False)
    aucun = forms.IntegerField(required=False)
    confirme = forms.BooleanField(required=False)

    def clean(self):
        donnees = super().clean()
        brut = self.data.getlist("apprenants") if hasattr(self.data, "getlist") else []
        try:
            donnees["apprenants"] = {int(v) for v in brut if str(v).strip()}
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError("Apprenant inconnu.") from exc
        return donnees


class ContexteForm(scenarios.forms.ContexteForm):
    """The scénario's contexte field (copied from it) plus the sectors of activity."""

    secteurs = forms.CharField(
        label="Secteur(s) d'activité",
        required=False,
        max_length=SECTEURS_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : commerce de détail alimentaire, prêt-à-porter.",
        error_messages={
            "max_length": f"Les secteurs d'activité ne peuvent pas dépasser {SECTEURS_MAX} "
            "caractères."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        contexte = self.fields["contexte"]
        contexte.help_text = (
            "La situation professionnelle proposée aux apprenants (copiée du scénario)."
        )
        contexte.widget.attrs["rows"] = 12
