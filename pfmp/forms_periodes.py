"""Forms of the annexes, périodes, entreprises and assignment pages: they parse the request;
the rules live in services_periodes.py."""

from decimal import Decimal

from django import forms

from pfmp.services_periodes import OBJECTIFS_MAX, TITRE_MAX

FORMATS_DATE = ["%d/%m/%Y", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker exchanges ISO dates; it shows them in the user's locale.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label):
    return forms.DateField(
        label=label,
        input_formats=FORMATS_DATE,
        widget=DateInput,
        help_text="Format jj/mm/aaaa.",
        error_messages={
            "required": f"La {label.lower()} est obligatoire.",
            "invalid": "Saisissez une date valide (jj/mm/aaaa).",
        },
    )


def _ids(name):
    return forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        error_messages={"invalid_choice": f"Choix invalide ({name})."},
    )


class AnnexeForm(forms.Form):
    titre = forms.CharField(
        label="Titre de l'annexe pédagogique",
        max_length=TITRE_MAX,
        error_messages={"required": "Le titre est obligatoire."},
    )
    niveau = forms.ChoiceField(label="Niveau")
    objectifs = forms.CharField(
        label="Objectifs de formation",
        required=False,
        max_length=OBJECTIFS_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    taches = _ids("tâches")
    competences = _ids("compétences")
    criteres = _ids("critères")

    def __init__(self, *args, diplome, ref, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niveau"].choices = diplome.niveaux_choices
        self.fields["taches"].choices = [(t.tache.pk, t.tache.code) for t in ref.matrice]
        self.fields["competences"].choices = [(c.pk, c.code) for c in ref.competences]
        self.fields["criteres"].choices = [
            (cr.pk, cr.code) for c in ref.competences for cr in c.criteres.all()
        ]


class PeriodeForm(forms.Form):
    titre = forms.CharField(
        label="Titre de la période",
        max_length=TITRE_MAX,
        error_messages={"required": "Le titre est obligatoire."},
    )
    date_debut = _date("Date de début")
    date_fin = _date("Date de fin")


class PeriodeCreationForm(PeriodeForm):
    apprenants = _ids("apprenants")

    def __init__(self, *args, apprenants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["apprenants"].choices = [(a.pk, str(a.pk)) for a in apprenants]


class ApprenantsForm(forms.Form):
    apprenants = _ids("apprenants")

    def __init__(self, *args, apprenants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["apprenants"].choices = [(a.pk, str(a.pk)) for a in apprenants]
        self.fields["apprenants"].error_messages["required"] = "Choisissez au moins un apprenant."
        self.fields["apprenants"].required = True


class CoordonneeField(forms.DecimalField):
    """A decimal that accepts a comma as decimal separator (45,7640); the service rounds it
    to the 6 decimals stored."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".").replace(" ", "")
        return super().to_python(value)


def _coordonnee(label, limite, exemple):
    """A latitude or a longitude in decimal degrees; `exemple` is one of its own kind (Lyon:
    latitude 45,7640, longitude 4,8357), never a latitude shown as a longitude's example."""
    return CoordonneeField(
        label=label,
        required=False,
        min_value=Decimal(-limite),
        max_value=Decimal(limite),
        localize=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=f"Facultatif, en degrés décimaux (ex. {exemple}).",
        error_messages={
            "invalid": f"Saisissez un nombre décimal (ex. {exemple}).",
            "max_value": f"La valeur doit être comprise entre -{limite} et {limite}.",
            "min_value": f"La valeur doit être comprise entre -{limite} et {limite}.",
        },
    )


class EntrepriseForm(forms.Form):
    nom = forms.CharField(
        label="Raison sociale",
        max_length=255,
        error_messages={"required": "La raison sociale est obligatoire."},
    )
    siret = forms.CharField(
        label="SIRET", required=False, max_length=20, help_text="Facultatif, 14 chiffres."
    )
    adresse = forms.CharField(label="Adresse", required=False, max_length=255)
    code_postal = forms.CharField(label="Code postal", required=False, max_length=10)
    ville = forms.CharField(label="Ville", required=False, max_length=120)
    latitude = _coordonnee("Latitude", 90, "45,7640")
    longitude = _coordonnee("Longitude", 180, "4,8357")
    secteur = forms.CharField(label="Secteur d'activité", required=False, max_length=255)
    telephone = forms.CharField(label="Téléphone", required=False, max_length=30)

    def clean_siret(self):
        siret = self.cleaned_data["siret"].replace(" ", "")
        if siret and (len(siret) != 14 or not siret.isdigit()):
            raise forms.ValidationError("Le SIRET comporte 14 chiffres.")
        return siret


class NouvelleEntrepriseForm(EntrepriseForm):
    """The inline entreprise of the assignment form: optional as a whole."""

    prefix = "ent"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nom"].required = False

    def est_remplie(self) -> bool:
        return bool(self.cleaned_data.get("nom"))


class AffectationForm(forms.Form):
    entreprise = forms.TypedChoiceField(
        label="Entreprise d'accueil", coerce=int, required=False, empty_value=None
    )
    tuteur = forms.TypedChoiceField(
        label="Tuteur de stage / maître d'apprentissage",
        coerce=int,
        required=False,
        empty_value=None,
    )
    tuteur_nom = forms.CharField(label="Nom", required=False, max_length=150)
    tuteur_prenom = forms.CharField(label="Prénom", required=False, max_length=150)
    tuteur_email = forms.EmailField(
        label="Adresse e-mail",
        required=False,
        error_messages={"invalid": "Saisissez une adresse e-mail valide."},
    )
    referent = forms.TypedChoiceField(
        label="Professeur référent", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, entreprises=(), tuteurs=(), referents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entreprise"].choices = [("", "— aucune —")] + [
            (e.pk, f"{e.nom}{' – ' + e.ville if e.ville else ''}") for e in entreprises
        ]
        self.fields["tuteur"].choices = [("", "— aucun —")] + [(m.pk, str(m.user)) for m in tuteurs]
        self.fields["referent"].choices = [("", "— aucun —")] + [
            (m.user_id, str(m.user)) for m in referents
        ]

    def clean(self):
        data = super().clean()
        if (data.get("tuteur_prenom") or data.get("tuteur_email")) and not data.get("tuteur_nom"):
            self.add_error("tuteur_nom", "Indiquez le nom du nouveau tuteur.")
        return data

    def nouveau_tuteur(self) -> dict | None:
        if not self.cleaned_data.get("tuteur_nom"):
            return None
        return {
            "nom": self.cleaned_data["tuteur_nom"],
            "prenom": self.cleaned_data["tuteur_prenom"],
            "email": self.cleaned_data["tuteur_email"],
        }
