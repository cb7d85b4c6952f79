"""Forms of the book pages: they parse the request; the rules live in services_book.py."""

from itertools import groupby

from django import forms

from pfmp.models import Publication
from pfmp.services_book import (
    COMMENTAIRE_MAX,
    DESCRIPTION_MAX,
    LEGENDE_MAX,
    LIEU_MAX,
    TITRE_MAX,
    limites,
)

FORMATS_DATE = ["%d/%m/%Y", "%Y-%m-%d"]
ACCEPT_MEDIAS = "image/*,video/*"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker exchanges ISO dates; it shows them in the user's locale.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MediasInput(forms.FileInput):
    """Phone-friendly: several photos/videos at once, straight from the camera."""

    allow_multiple_selected = True

    def __init__(self):
        super().__init__(attrs={"accept": ACCEPT_MEDIAS, "multiple": True})


class MediasField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MediasInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [f for f in data if f]
        return [data] if data else []


def _groupes(objets, cle, libelle, coches) -> list[dict]:
    """[{"libelle": "A1 – Conseil et vente", "items": [{"pk", "code", "intitule", "coche"}]}]"""
    resultat = []
    for _, items in groupby(objets, key=cle):
        items = list(items)
        resultat.append(
            {
                "libelle": libelle(items[0]),
                "items": [
                    {"pk": o.pk, "code": o.code, "intitule": o.intitule, "coche": o.pk in coches}
                    for o in items
                ],
            }
        )
    return resultat


class PublicationForm(forms.Form):
    titre = forms.CharField(
        label="Titre",
        max_length=TITRE_MAX,
        error_messages={
            "required": "Le titre est obligatoire.",
            "max_length": f"Le titre ne peut pas dépasser {TITRE_MAX} caractères.",
        },
    )
    description = forms.CharField(
        label="Description : ce que j'ai fait, comment, ce que j'ai appris",
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(
            attrs={"rows": 8, "data-max": DESCRIPTION_MAX, "data-compteur": "compteur-description"}
        ),
        error_messages={
            "max_length": f"La description ne peut pas dépasser {DESCRIPTION_MAX} caractères."
        },
    )
    situation = forms.ChoiceField(
        label="Situation",
        choices=Publication.Situation.choices,
        initial=Publication.Situation.ETABLISSEMENT,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez une situation.",
            "invalid_choice": "Choisissez "
            "une situation : en établissement, en entreprise ou à l'extérieur.",
        },
    )
    lieu = forms.CharField(
        label="Lieu",
        required=False,
        max_length=LIEU_MAX,
        help_text="Atelier, entreprise, salon, magasin…",
        error_messages={"max_length": f"Le lieu ne peut pas dépasser {LIEU_MAX} caractères."},
    )
    date = forms.DateField(
        label="Date",
        input_formats=FORMATS_DATE,
        widget=DateInput,
        help_text="Format jj/mm/aaaa.",
        error_messages={
            "required": "La date est obligatoire.",
            "invalid": "Saisissez une date valide (jj/mm/aaaa).",
        },
    )
    taches = forms.ModelMultipleChoiceField(
        label="Tâches professionnelles réalisées",
        queryset=None,
        required=False,
        error_messages={"invalid_choice": "Choisissez des tâches du référentiel de votre diplôme."},
    )
    competences = forms.ModelMultipleChoiceField(
        label="Compétences mobilisées",
        queryset=None,
        required=False,
        error_messages={
            "invalid_choice": "Choisissez des compétences du référentiel de votre diplôme."
        },
    )
    mise_en_avant = forms.BooleanField(
        label="Mettre en avant cette publication (une de mes meilleures actions)", required=False
    )

    def __init__(self, *args, taches, competences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taches"].queryset = taches
        self.fields["competences"].queryset = competences
        self._taches, self._competences = taches, competences

    def _coches(self, nom) -> set[int]:
        if self.is_bound:
            valeurs = self.data.getlist(nom) if hasattr(self.data, "getlist") else []
        else:
            valeurs = [getattr(v, "pk", v) for v in self.initial.get(nom, [])]
        coches = set()
        for v in valeurs:
            try:
                coches.add(int(v))
            except (TypeError, ValueError):
                continue
        return coches

    def groupes_taches(self) -> list[dict]:
        return _groupes(
            self._taches,
            lambda t: t.activite_id,
            lambda t: f"{t.activite.code} – {t.activite.intitule}",
            self._coches("taches"),
        )

    def groupes_competences(self) -> list[dict]:
        return _groupes(
            self._competences,
            lambda c: c.groupe_id,
            lambda c: f"{c.groupe.code} – {c.groupe.intitule}",
            self._coches("competences"),
        )


def _annoncer_limites(field) -> None:
    """book.js warns about a too big file before it is sent (the server decides)."""
    lim = limites()
    field.widget.attrs.update({"data-max-photo": lim["photo"], "data-max-video": lim["video"]})


class NouvellePublicationForm(PublicationForm):
    fichiers = MediasField(label="Photos et vidéos")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _annoncer_limites(self.fields["fichiers"])


class MediasForm(forms.Form):
    fichiers = MediasField(label="Photos et vidéos")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _annoncer_limites(self.fields["fichiers"])

    legende = forms.CharField(
        label="Légende (facultative)",
        required=False,
        max_length=LEGENDE_MAX,
        error_messages={"max_length": f"La légende ne peut pas dépasser {LEGENDE_MAX} caractères."},
    )


class CommentaireForm(forms.Form):
    texte = forms.CharField(
        label="Commentaire",
        max_length=COMMENTAIRE_MAX,
        widget=forms.Textarea(
            attrs={"rows": 3, "data-max": COMMENTAIRE_MAX, "data-compteur": "compteur-commentaire"}
        ),
        error_messages={
            "required": "Le commentaire est vide.",
            "max_length": f"Le commentaire ne peut pas dépasser {COMMENTAIRE_MAX} caractères.",
        },
    )


class ExportForm(forms.Form):
    mises_en_avant = forms.BooleanField(
        label="Seulement les publications mises en avant", required=False
    )
