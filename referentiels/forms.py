from django import forms
from django.utils.translation import gettext_lazy as _

from referentiels.models import Confiance
from referentiels.services import TAILLE_MAX, ReferentielInvalide
from referentiels.tableur import lire_document


class ImportReferentielForm(forms.Form):
    """Upload of a référentiel: the ODS spreadsheet exported by Cpro (edited) or a JSON
    document (format cpro-referentiel), 2 Mo max, recognised by content.

    `confiance` + `source` (optional, both or neither): the provenance given to every item the
    import creates or changes (services.appliquer_provenance).
    """

    fichier = forms.FileField(
        label=_("Fichier du référentiel (tableur ODS ou JSON, 2 Mo maximum)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".ods,application/vnd.oasis.opendocument.spreadsheet,.json"}
        ),
    )
    confiance = forms.ChoiceField(
        label=_("Confiance des éléments ajoutés ou modifiés"),
        choices=[("", _("Garder la confiance écrite dans le fichier"))]
        + [
            (Confiance.HAUTE, _("Élevée — vérifiée sur le texte officiel")),
            (Confiance.MOYENNE, _("Moyenne — à vérifier")),
            (Confiance.BASSE, _("Faible — reconstruite, à vérifier")),
        ],
        required=False,
    )
    source = forms.CharField(
        label=_("Source de ces modifications"),
        help_text=_("Par exemple : « Annexe I du référentiel, BO du 12/03/2020 »."),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"size": 60, "aria-describedby": "id_source-aide"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(_("Le fichier dépasse la taille maximale de 2 Mo."))
        try:
            document, format_ = lire_document(fichier.read())
        except ReferentielInvalide as exc:
            raise forms.ValidationError(exc.erreurs) from None
        self.cleaned_data["document"] = document
        self.cleaned_data["format"] = format_
        return fichier

    def clean(self):
        data = super().clean()
        confiance, source = data.get("confiance"), (data.get("source") or "").strip()
        data["source"] = source
        if confiance and not source:
            self.add_error("source", _("Indiquez la source des modifications (texte officiel)."))
        if source and not confiance:
            self.add_error("confiance", _("Choisissez la confiance de ces modifications."))
        return data


class ConfirmationImportForm(forms.Form):
    """Confirms the previewed document kept in the session (matched by its token)."""

    jeton = forms.CharField(widget=forms.HiddenInput)
