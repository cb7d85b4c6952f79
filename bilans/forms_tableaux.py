"""GET forms of the dashboards: which learner, which filter, which view. Shape only: the
choices come from what the page already read (no query in a form)."""

from django import forms

COMPLETE = "complete"
COMPACTE = "compacte"
TOUT = ""
TOUTES = "toutes"  # every school year (default: the current one)


class FiltreTableauForm(forms.Form):
    """The dashboard's filters; invalid values fall back to "Tout afficher" / full view /
    current school year."""

    unite = forms.CharField(required=False, max_length=10)
    competence = forms.CharField(required=False, max_length=12)
    vue = forms.ChoiceField(
        required=False, choices=[(COMPLETE, "Complète"), (COMPACTE, "Compacte")]
    )
    annees = forms.ChoiceField(
        required=False, choices=[(TOUT, "Année scolaire en cours"), (TOUTES, "Toutes les années")]
    )
    date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        label="Suggestion à la date du",
    )

    def valeurs(self) -> dict:
        """Cleaned filters (unknown units or competences are ignored by the query)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "unite": data.get("unite") or None,
            "competence": data.get("competence") or None,
            "vue": data.get("vue") or COMPLETE,
            "date": data.get("date"),
            "annees": data.get("annees") or None,
        }
