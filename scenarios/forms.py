"""Forms of the scénario pages: they parse the request; the rules live in services.py."""

from django import forms

from scenarios.models import TITRE_MAX
from scenarios.services import CONTEXTE_MAX, DOSSIER_NOM_MAX

REQUIS = "Ce champ est obligatoire."


class TitreForm(forms.Form):
    titre = forms.CharField(
        label="Titre du scénario",
        max_length=TITRE_MAX,
        error_messages={
            "required": "Le titre du scénario est obligatoire.",
            "max_length": f"Le titre ne peut pas dépasser {TITRE_MAX} caractères.",
        },
    )


class ContexteForm(forms.Form):
    contexte = forms.CharField(
        label="Contexte professionnel",
        required=False,
        max_length=CONTEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Décrivez la situation professionnelle proposée aux apprenants.",
        error_messages={
            "max_length": f"Le contexte ne peut pas dépasser {CONTEXTE_MAX} caractères."
        },
    )


class DossierForm(forms.Form):
    nom = forms.CharField(
        label="Nom du dossier",
        max_length=DOSSIER_NOM_MAX,
        error_messages={"required": "Le nom du dossier est obligatoire."},
    )


class NouveauDossierForm(DossierForm):
    niveau = forms.CharField(widget=forms.HiddenInput)


class ClasserForm(forms.Form):
    dossier = forms.IntegerField(required=False)


class DeplacerForm(forms.Form):
    sens = forms.ChoiceField(choices=[("haut", "Monter"), ("bas", "Descendre")])


class ConfidentialiteForm(forms.Form):
    prive = forms.TypedChoiceField(choices=[("1", "Privé"), ("0", "Partagé")], coerce=int)


class OrdonnerForm(forms.Form):
    niveau = forms.CharField()
    dossier = forms.IntegerField(required=False)
    ids = forms.CharField(required=False)

    def clean_ids(self):
        brut = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        if len(brut) == 1 and "," in brut[0]:
            brut = brut[0].split(",")
        return [b.strip() for b in brut if b.strip()]
