"""Forms of the DDFPT's transversal competences page (the rules are in services_transversal)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from referentiels.services_transversal import CODE_MAX, CRITERE_MAX, INTITULE_MAX, TAILLE_MAX


class CompetenceForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=CODE_MAX)
    intitule = forms.CharField(label=_("Libellé de la compétence"), max_length=INTITULE_MAX)


class NouvelleCompetenceForm(CompetenceForm):
    criteres = forms.CharField(
        label=_("Critères d'évaluation (un par ligne, au moins un)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_criteres(self):
        return [ligne for ligne in self.cleaned_data["criteres"].splitlines() if ligne.strip()]


class CritereForm(forms.Form):
    intitule = forms.CharField(label=_("Libellé du critère"), max_length=CRITERE_MAX)


class ImportTransversalForm(forms.Form):
    fichier = forms.FileField(
        label=_("Fichier (CSV ou JSON au format de référentiel Cpro, 2 Mo maximum)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,.json"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(_("Le fichier dépasse la taille maximale de 2 Mo."))
        return fichier
