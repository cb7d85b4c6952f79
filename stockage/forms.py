"""Forms of the espace de stockage: they read what was posted; the rules are in services."""

from django import forms

from cpro.ressources import RESSOURCE_TITRE_MAX
from stockage.models import NOM_MAX


class NomForm(forms.Form):
    nom = forms.CharField(
        label="Nom",
        max_length=NOM_MAX,
        error_messages={
            "required": "Le nom est obligatoire.",
            "max_length": f"Le nom ne peut pas dépasser {NOM_MAX} caractères.",
        },
    )


class NouveauDossierForm(NomForm):
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DepotForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier",
        error_messages={
            "required": "Choisissez un fichier à déposer.",
            "empty": "Le fichier est vide.",
            "invalid": "Ce fichier n'a pas pu être lu.",
        },
    )
    dossier = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DestinationForm(forms.Form):
    """A destination folder of the same space; empty = the root."""

    dossier = forms.IntegerField(required=False)


class ConfirmationForm(forms.Form):
    confirme = forms.BooleanField(required=False)


class JoindreForm(forms.Form):
    """From a stored file: the target, « scenario:<id> » or « evaluation:<id> »."""

    cible = forms.RegexField(
        regex=r"^(scenario|evaluation):\d+$",
        error_messages={
            "required": "Choisissez un scénario ou une évaluation.",
            "invalid": "Choisissez un scénario ou une évaluation de la liste.",
        },
    )
    titre = forms.CharField(
        label="Titre de la ressource (facultatif)", required=False, max_length=RESSOURCE_TITRE_MAX
    )

    def type_et_id(self) -> tuple[str, int]:
        type_cible, pk = self.cleaned_data["cible"].split(":")
        return type_cible, int(pk)


class ChoisirForm(forms.Form):
    """From a scénario's or évaluation's Ressources tab: the stored file to attach."""

    fichier = forms.IntegerField(error_messages={"required": "Choisissez un fichier."})
    titre = forms.CharField(required=False, max_length=RESSOURCE_TITRE_MAX)
