from django import forms
from django.utils.translation import gettext_lazy as _


class ChoixDiplomeForm(forms.Form):
    diplome = forms.ModelChoiceField(
        queryset=None, label=_("Diplôme"), empty_label=None, widget=forms.RadioSelect
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, diplomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diplome"].queryset = diplomes
