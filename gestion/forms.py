"""Forms of the DDFPT administration. They only validate input; the rules that need the
database (uniqueness, establishment scope) are checked again by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpro.models import Role, Sexe, Statut, ine_validator
from gestion.importation import TAILLE_MAX
from referentiels.models import Diplome, Niveau

FORMATS_DATE = ["%d/%m/%Y", "%Y-%m-%d"]


class _Identite(forms.Form):
    nom = forms.CharField(label=_("Nom"), max_length=150)
    prenom = forms.CharField(label=_("Prénom"), max_length=150)
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        required=False,
        help_text=_("Facultative ; permet la réinitialisation du mot de passe par courriel."),
    )

    def clean_nom(self):
        return " ".join(self.cleaned_data["nom"].split())

    def clean_prenom(self):
        return " ".join(self.cleaned_data["prenom"].split())


class CompteForm(_Identite):
    """A tutor's account; the staff form adds role and diplômes."""

    username = forms.CharField(
        label=_("Identifiant de connexion"),
        max_length=150,
        required=False,
        help_text=_("Laissez vide à la création pour générer « prenom.nom »."),
    )

    def __init__(self, *args, creation: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creation:
            self.fields["username"].required = True
            self.fields["username"].help_text = ""

    def clean_username(self):
        return self.cleaned_data["username"].strip()


class PersonnelForm(CompteForm):
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[(r.value, r.label) for r in (Role.ENSEIGNANT, Role.DDFPT, Role.CHEF)],
    )
    diplomes = forms.ModelMultipleChoiceField(
        label=_("Diplômes gérés"),
        queryset=Diplome.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pour un enseignant : les diplômes qu'il enseigne (choix après connexion)."),
    )

    def __init__(self, *args, etablissement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diplomes"].queryset = etablissement.diplomes.order_by(
            "intitule_court", "-version"
        )


class DivisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.nom} ({obj.annee})"


class INEField(forms.CharField):
    """Upper-cased before validation: « 1234567890a » is the INE 1234567890A."""

    def to_python(self, value):
        return super().to_python(value).replace(" ", "").upper()


class ApprenantForm(_Identite):
    ine = INEField(label=_("INE"), max_length=11, required=False, validators=[ine_validator])
    eleve_id = forms.CharField(
        label=_("Identifiant SIECLE (ELEVE_ID)"), max_length=20, required=False
    )
    date_naissance = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        input_formats=FORMATS_DATE,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "jj/mm/aaaa"}),
    )
    statut = forms.ChoiceField(label=_("Statut"), choices=Statut.choices)
    sexe = forms.ChoiceField(
        label=_("Sexe"),
        choices=[("", _("— non renseigné —")), *Sexe.choices],
        required=False,
        help_text=_("Sert à accorder les mots : « apprentie », « inscrite »."),
    )
    division = DivisionChoiceField(
        label=_("Division"), queryset=None, required=False, empty_label=_("— aucune —")
    )
    numero_candidat = forms.CharField(label=_("Numéro de candidat"), max_length=20, required=False)

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions

    def clean_eleve_id(self):
        return self.cleaned_data["eleve_id"].strip()

    def clean_numero_candidat(self):
        return self.cleaned_data["numero_candidat"].strip()


class DivisionForm(forms.Form):
    nom = forms.CharField(label=_("Nom de la division"), max_length=40)
    diplome = forms.ModelChoiceField(label=_("Diplôme"), queryset=None, empty_label=None)
    niveau = forms.ChoiceField(label=_("Niveau"), choices=Niveau.choices)

    def __init__(self, *args, etablissement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diplome"].queryset = etablissement.diplomes.order_by(
            "intitule_court", "-version"
        )

    def clean_nom(self):
        return " ".join(self.cleaned_data["nom"].split())


class NouvelleDivisionForm(DivisionForm):
    annee = forms.TypedChoiceField(label=_("Année scolaire"), coerce=int)

    def __init__(self, *args, annees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(a.debut, a.libelle) for a in annees]
        self.order_fields(["annee", "nom", "diplome", "niveau"])


class EtablissementForm(forms.Form):
    nom = forms.CharField(label=_("Nom"), max_length=255)
    ville = forms.CharField(label=_("Ville"), max_length=120, required=False)
    academie = forms.CharField(label=_("Académie"), max_length=120, required=False)
    diplomes = forms.ModelMultipleChoiceField(
        label=_("Diplômes préparés"),
        queryset=Diplome.objects.filter(actif=True, nature="diplome").order_by(
            "intitule_court", "-version"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    book_active = forms.BooleanField(label=_("Activer le book apprenant"), required=False)


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label=_("Fichier à importer"),
        help_text=_("ElevesSansAdresses.xml (SIECLE) ou fichier CSV ; 5 Mo au plus."),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(_("Le fichier dépasse la taille maximale de 5 Mo."))
        if not fichier.name.lower().endswith((".xml", ".csv", ".txt")):
            raise forms.ValidationError(_("Format non reconnu : fichier .xml ou .csv attendu."))
        return fichier


IGNORER = "ignorer"


class ChoixDivisionsForm(forms.Form):
    """One select per division of the file unknown for the year: diplôme and niveau, or
    « ne pas importer »."""

    def __init__(self, *args, divisions: dict[str, int], etablissement, **kwargs):
        super().__init__(*args, **kwargs)
        diplomes = list(etablissement.diplomes.order_by("intitule_court", "-version"))
        self._diplomes = {str(d.pk): d for d in diplomes}
        choix = [("", _("— à choisir —")), (IGNORER, _("Ne pas importer cette division"))]
        for d in diplomes:
            niveaux = d.niveaux_choices or list(Niveau.choices)
            for code, libelle in niveaux:
                choix.append((f"{d.pk}:{code}", f"{d.intitule_court} – {libelle}"))
        self.noms = {}
        for i, (nom, nombre) in enumerate(sorted(divisions.items())):
            key = f"division_{i}"
            self.noms[key] = nom
            self.fields[key] = forms.ChoiceField(
                label=f"{nom} ({nombre} apprenant{'s' if nombre > 1 else ''})",
                choices=choix,
                required=False,
                initial=self._deviner(nom, diplomes),
            )

    @staticmethod
    def _deviner(nom: str, diplomes) -> str:
        # A single diplôme and a name starting with 2 / 1 / T: propose that niveau.
        niveau = {"2": Niveau.SECONDE, "1": Niveau.PREMIERE, "T": Niveau.TERMINALE}.get(
            nom[:1].upper()
        )
        if (
            len(diplomes) == 1
            and niveau
            and (not diplomes[0].niveaux or niveau in diplomes[0].niveaux)
        ):
            return f"{diplomes[0].pk}:{niveau}"
        return ""

    def choix_divisions(self) -> dict:
        """{division name: (diplome, niveau) or None}, for the answered fields only."""
        resultat = {}
        for key, nom in self.noms.items():
            valeur = self.cleaned_data.get(key)
            if valeur == IGNORER:
                resultat[nom] = None
            elif valeur:
                pk, niveau = valeur.split(":", 1)
                resultat[nom] = (self._diplomes[pk], niveau)
        return resultat

    @property
    def champs(self):
        return [self[key] for key in self.noms]
