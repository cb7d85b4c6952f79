"""Forms of the bilan documents (printing, attestations, PRONOTE). They only validate input;
establishment scope is given by the querysets the views pass in."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _


def un_an_apres(date: datetime.date) -> datetime.date:
    try:
        return date.replace(year=date.year + 1)
    except ValueError:  # 29 February
        return date.replace(year=date.year + 1, day=28)


class ImpressionDivisionForm(forms.Form):
    VALIDES = "valides"
    TOUS = "tous"

    division = forms.ModelChoiceField(
        label=_("Division"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez une division de ce diplôme.")},
    )
    bilans = forms.ChoiceField(
        label=_("Bilans à imprimer"),
        choices=[
            (VALIDES, _("Derniers bilans validés")),
            (TOUS, _("Derniers bilans (brouillons compris)")),
        ],
        initial=VALIDES,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions
        self.fields["division"].label_from_instance = lambda d: f"{d.nom} ({d.annee})"


class CompetencesValideesForm(forms.Form):
    competences = forms.TypedMultipleChoiceField(
        label=_("Compétences validées"), coerce=int, required=False
    )

    def __init__(self, *args, lignes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competences"].choices = [
            (ligne.competence.pk, ligne.competence.code) for ligne in lignes
        ]


class FiltreAttestationsForm(forms.Form):
    division = forms.ModelChoiceField(
        label=_("Division"), queryset=None, required=False, empty_label=_("Toutes les divisions")
    )

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions
        self.fields["division"].label_from_instance = lambda d: f"{d.nom} ({d.annee})"


class JetonPronoteForm(forms.Form):
    nom = forms.CharField(
        label=_("Nom du jeton"),
        max_length=120,
        help_text=_("Pour le reconnaître, par exemple « PRONOTE 2025-2026 »."),
    )


class PeriodePronoteForm(forms.Form):
    """The API's query parameters `du` and `au` (YYYY-MM-DD)."""

    du = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Le paramètre « du » est obligatoire (AAAA-MM-JJ)."),
            "invalid": _("Le paramètre « du » doit être une date AAAA-MM-JJ."),
        },
    )
    au = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Le paramètre « au » est obligatoire (AAAA-MM-JJ)."),
            "invalid": _("Le paramètre « au » doit être une date AAAA-MM-JJ."),
        },
    )

    def clean(self):
        data = super().clean()
        du, au = data.get("du"), data.get("au")
        if du and au:
            if au < du:
                raise forms.ValidationError(
                    _("La date « au » doit être postérieure ou égale à la date « du ».")
                )
            if au > un_an_apres(du):
                raise forms.ValidationError(_("La période demandée ne peut dépasser un an."))
        return data

    def message(self) -> str:
        return " ".join(str(m) for erreurs in self.errors.values() for m in erreurs)
