from django import forms
from django.utils.translation import gettext_lazy as _

from referentiels.services import TAILLE_MAX, ReferentielInvalide, lire_json


class ImportReferentielForm(forms.Form):
    """Upload of a référentiel document (format cpro-referentiel, 2 Mo max)."""

    fichier = forms.FileField(
        label=_("Fichier du référentiel (JSON, 2 Mo maximum)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(_("Le fichier dépasse la taille maximale de 2 Mo."))
        if not fichier.name.lower().endswith(".json"):
            raise forms.ValidationError(_("Le fichier doit être un document JSON (.json)."))
        try:
            self.cleaned_data["document"] = lire_json(fichier.read())
        except ReferentielInvalide as exc:
            raise forms.ValidationError(exc.erreurs) from None
        return fichier


class ConfirmationImportForm(forms.Form):
    """Confirms the previewed document kept in the session (matched by its token)."""

    jeton = forms.CharField(widget=forms.HiddenInput)
