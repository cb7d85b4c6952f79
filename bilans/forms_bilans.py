"""Forms of the bilan pages: they parse the request; the rules live in services_bilans.py."""

from django import forms
from django.core.exceptions import ValidationError

from bilans.models import TEXTE_MAX
from bilans.services_bilans import normaliser_note
from cpro.maitrise import RENDUS, Maitrise

FORMATS_DATE = ["%d/%m/%Y", "%Y-%m-%d"]
CHOIX_NIVEAUX = [(m.value, f"{RENDUS[m].symbole} – {RENDUS[m].libelle}") for m in Maitrise]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker exchanges ISO dates and shows them in the user's locale.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _champ_date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=FORMATS_DATE,
        widget=DateInput,
        help_text="Format jj/mm/aaaa.",
        error_messages={
            "required": "La date du bilan est obligatoire.",
            "invalid": "Saisissez une date valide (jj/mm/aaaa).",
        },
    )


class CreerBilanForm(forms.Form):
    apprenant = forms.IntegerField(widget=forms.HiddenInput)
    date = _champ_date("Date du bilan")


class NoteField(forms.CharField):
    """A note /20 with a decimal comma or point ("12,5"); the range and decimals are checked by
    the service's `normaliser_note` (one rule)."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return normaliser_note(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["note"]) from None


class BilanForm(forms.Form):
    """Date, constats, conseils, note, and one `niveau_<competence id>` select per
    positionnement of the bilan."""

    date = _champ_date("Date du bilan")
    constats = forms.CharField(
        label="Constats",
        required=False,
        max_length=TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": f"Les constats ne peuvent pas dépasser {TEXTE_MAX} caractères."
        },
    )
    conseils = forms.CharField(
        label="Conseils",
        required=False,
        max_length=TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": f"Les conseils ne peuvent pas dépasser {TEXTE_MAX} caractères."
        },
    )
    note = NoteField(
        label="Note /20",
        required=False,
        max_length=6,
        help_text="Entre 0 et 20, au plus deux décimales (ex. 12,5).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )

    def __init__(self, *args, positionnements=(), **kwargs):
        super().__init__(*args, **kwargs)
        for nom in ("constats", "conseils"):
            self.fields[nom].widget.attrs.update(
                {"data-compteur": f"compteur-{nom}", "data-max": TEXTE_MAX}
            )
        self.champs_niveaux = {}
        for p in positionnements:
            nom = f"niveau_{p.competence_id}"
            self.fields[nom] = forms.ChoiceField(
                label=f"{p.competence.code} – {p.competence.intitule}",
                choices=CHOIX_NIVEAUX,
                initial=p.niveau,
                error_messages={
                    "required": "Choisissez un niveau.",
                    "invalid_choice": "Choisissez NE, −−, −, + ou ++.",
                },
            )
            self.champs_niveaux[p.competence_id] = nom

    def niveaux(self) -> dict[int, str]:
        return {cid: self.cleaned_data[nom] for cid, nom in self.champs_niveaux.items()}

    def champ_niveau(self, competence_id):
        return self[self.champs_niveaux[competence_id]]
