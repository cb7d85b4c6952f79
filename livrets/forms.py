"""Forms of the livret pages: shape and French messages only; the rules (who, when, limits
re-checked) are in livrets.services."""

from django import forms

from livrets import services
from livrets.models import Visite
from pfmp.services_portfolio import LIEN_DUREE_MAX

MESSAGE_LONGUEUR = "Ce texte dépasse %(limit_value)d caractères (%(show_value)d)."


def _texte(label: str, rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=services.TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": services.TEXTE_MAX}),
        error_messages={"max_length": MESSAGE_LONGUEUR, "required": "Écrivez le texte."},
    )


class ObservationForm(forms.Form):
    texte = _texte("Observation")

    def __init__(self, *args, label: str = "Observation", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["texte"].label = label


class VisiteForm(forms.Form):
    date = forms.DateField(
        label="Date",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date.", "invalid": "Date invalide (jj/mm/aaaa)."},
    )
    nature = forms.ChoiceField(
        label="Nature",
        choices=Visite.Nature.choices,
        error_messages={"required": "Choisissez la nature du suivi."},
    )
    compte_rendu = _texte("Compte rendu", rows=4)


class LienForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail du maître d'apprentissage",
        required=False,
        error_messages={"invalid": "Adresse e-mail invalide."},
    )
    duree_jours = forms.IntegerField(
        label="Validité (jours)",
        min_value=1,
        max_value=LIEN_DUREE_MAX,
        initial=60,
        error_messages={
            "min_value": "Au moins un jour.",
            "max_value": f"Au plus {LIEN_DUREE_MAX} jours.",
            "invalid": "Indiquez un nombre de jours.",
            "required": "Indiquez un nombre de jours.",
        },
    )
