"""Forms of the LSL Pro pages: they parse the request; every rule lives in lslpro.services."""

from django import forms

from cpro.maitrise import RENDUS, Maitrise, rendu
from lslpro.models import (
    APPRECIATION_MAX,
    CHEF_OEUVRE_MAX,
    PFMP_SYNTHESE_MAX,
    EnseignantLivret,
    Periodicite,
)
from lslpro.services import PFMP_SEMAINES_MAX, Saisie

# The national livret's wording (« Compétences attendues : 1 - non maîtrisées … »).
LIBELLES_LSL = {r.code: r.libelle_lsl for r in RENDUS.values()}
CHOIX_NIVEAUX = [("", "— à positionner —")] + [
    (code, f"{code} – {libelle}")
    for code, libelle in (
        (m.value, LIBELLES_LSL[m.value])
        for m in (Maitrise.N1, Maitrise.N2, Maitrise.N3, Maitrise.N4, Maitrise.NE)
    )
]

ACTIONS = ("enregistrer", "precedent", "suivant", "recopie", "copier_constat", "reprendre_projet")


def cellule(niveau: str) -> dict:
    """How a level is shown in the table: code, label and colour class (never colour alone)."""
    r = rendu(niveau)
    return {"code": r.code, "libelle": LIBELLES_LSL[r.code], "css": r.css}


def _texte(label, maximum, compteur, rows=4):
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows, "data-compteur": compteur, "data-max": maximum}),
    )


class PeriodiciteForm(forms.Form):
    """One select per row of queries.lignes_periodicite (name ``p_<diplôme id>_<niveau>``)."""

    CHOIX = [("", "Non définie"), *Periodicite.Type.choices]

    def __init__(self, *args, lignes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lignes = list(lignes)
        for ligne in self.lignes:
            nom = f"p_{ligne.cle}"
            self.fields[nom] = forms.ChoiceField(
                label=f"{ligne.diplome.intitule_court} – {ligne.niveau_libelle}",
                choices=self.CHOIX,
                required=False,
                initial=ligne.periodicite.type if ligne.periodicite else "",
                error_messages={"invalid_choice": "Choisissez « Trimestre » ou « Semestre »."},
            )
            ligne.champ_nom = nom

    def lignes_et_champs(self):
        return [(ligne, self[ligne.champ_nom]) for ligne in self.lignes]

    def choix(self) -> dict:
        return {
            (ligne.diplome.pk, ligne.niveau): self.cleaned_data[ligne.champ_nom]
            for ligne in self.lignes
        }


class LivretForm(forms.Form):
    """The whole livret page in one form: ``niveau_<LSL competence id>``, ``periode_<bilan id>``
    (current-year bilans), the appreciation and its teachers, PFMP, chef-d'œuvre, and the
    button pressed (``action``)."""

    appreciation = _texte("Appréciation générale", APPRECIATION_MAX, "compteur-appreciation")
    enseignants = forms.TypedMultipleChoiceField(
        label="Enseignant(s) de la spécialité",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    enseignant_nom = forms.CharField(label="Autre enseignant : nom", required=False)
    enseignant_prenom = forms.CharField(label="Autre enseignant : prénom", required=False)
    pfmp_active = forms.BooleanField(label="Exporter la partie PFMP", required=False)
    pfmp_synthese = _texte("Synthèse des PFMP", PFMP_SYNTHESE_MAX, "compteur-pfmp", rows=6)
    pfmp_enseignant = forms.CharField(
        label="Nom de l'enseignant (référent ou professeur principal)", required=False
    )
    pfmp_semaines = forms.IntegerField(
        label="Nombre de semaines de PFMP",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": PFMP_SEMAINES_MAX}),
        error_messages={"invalid": "Le nombre de semaines est un nombre entier."},
    )
    pfmp_etranger = forms.BooleanField(label="PFMP réalisée en partie à l'étranger", required=False)
    chef_oeuvre_actif = forms.BooleanField(
        label="Exporter la partie « Réalisation d'un chef-d'œuvre »", required=False
    )
    chef_oeuvre_appreciation = _texte(
        "Appréciation générale du chef-d'œuvre", CHEF_OEUVRE_MAX, "compteur-chef-oeuvre"
    )
    chef_oeuvre_enseignants = forms.TypedMultipleChoiceField(
        label="Enseignant(s) du chef-d'œuvre",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    chef_nom = forms.CharField(label="Autre enseignant : nom", required=False)
    chef_prenom = forms.CharField(label="Autre enseignant : prénom", required=False)
    chef_oeuvre_note = forms.CharField(
        label="Note annuelle /20",
        required=False,
        max_length=6,
        help_text="Entre 0 et 20, virgule décimale (ex. 14,5).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    # The submit button pressed (its name is "action"); anything unknown just saves.
    action = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, page, enseignants=(), evaluation_projet=None, **kwargs):
        self.page = page
        initial = self._initial(page)
        # An empty chef-d'œuvre section is pre-filled from the validated assessment of the
        # Suivi de projet (projets.queries.evaluation_lsl), saved with the livret.
        livret = page.livret
        if evaluation_projet is not None and (
            livret is None
            or (not livret.chef_oeuvre_appreciation and livret.chef_oeuvre_note is None)
        ):
            initial.update(valeurs_projet(evaluation_projet))
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        choix_enseignants = [(m.user_id, m.user.nom_complet) for m in enseignants]
        self.fields["enseignants"].choices = choix_enseignants
        self.fields["chef_oeuvre_enseignants"].choices = choix_enseignants
        for nom, maximum in (
            ("appreciation", APPRECIATION_MAX),
            ("pfmp_synthese", PFMP_SYNTHESE_MAX),
            ("chef_oeuvre_appreciation", CHEF_OEUVRE_MAX),
        ):
            self.fields[nom].widget.attrs["maxlength"] = maximum
        recopie = page.recopie
        self.noms_niveaux = {}
        for c in page.competences:
            nom = f"niveau_{c.pk}"
            self.fields[nom] = forms.ChoiceField(
                label=f"Niveau de l'année pour {c.code} – {c.intitule}",
                choices=CHOIX_NIVEAUX,
                required=False,
                error_messages={"invalid_choice": "Choisissez NE, 1, 2, 3 ou 4."},
            )
            if c.pk in recopie:
                self.fields[nom].widget.attrs["data-recopie"] = recopie[c.pk]
            self.noms_niveaux[c.pk] = nom
        periodes = page.periodicite.periodes if page.periodicite else []
        self.noms_periodes = {}
        for b in page.bilans_annee:
            nom = f"periode_{b.pk}"
            self.fields[nom] = forms.ChoiceField(
                label=f"Période de la note du bilan du {b.date:%d/%m/%Y}",
                choices=[("", "—"), *((p, p) for p in periodes)],
                required=False,
                error_messages={"invalid_choice": f"Choisissez {', '.join(periodes)} ou aucune."},
            )
            if b.note is None:
                self.fields[nom].disabled = True
            self.noms_periodes[b.pk] = nom

    @staticmethod
    def _initial(page) -> dict:
        livret = page.livret
        if livret is None:
            return {}
        par_role = {r: [] for r in EnseignantLivret.Role.values}
        autres = {r: [] for r in EnseignantLivret.Role.values}
        for e in livret.enseignants.all():
            (par_role if e.user_id else autres)[e.role].append(e.user_id or (e.nom, e.prenom))
        initial = {
            "appreciation": livret.appreciation,
            "enseignants": par_role[EnseignantLivret.Role.APPRECIATION],
            "pfmp_active": livret.pfmp_active,
            "pfmp_synthese": livret.pfmp_synthese,
            "pfmp_enseignant": livret.pfmp_enseignant,
            "pfmp_semaines": livret.pfmp_semaines,
            "pfmp_etranger": livret.pfmp_etranger,
            "chef_oeuvre_actif": livret.chef_oeuvre_actif,
            "chef_oeuvre_appreciation": livret.chef_oeuvre_appreciation,
            "chef_oeuvre_enseignants": par_role[EnseignantLivret.Role.CHEF_OEUVRE],
            "chef_oeuvre_note": (
                str(livret.chef_oeuvre_note).replace(".", ",")
                if livret.chef_oeuvre_note is not None
                else ""
            ),
        }
        for role, (nom, prenom) in (
            (EnseignantLivret.Role.APPRECIATION, ("enseignant_nom", "enseignant_prenom")),
            (EnseignantLivret.Role.CHEF_OEUVRE, ("chef_nom", "chef_prenom")),
        ):
            if autres[role]:
                initial[nom], initial[prenom] = autres[role][0]
        for n in livret.niveaux.all():
            initial[f"niveau_{n.competence_id}"] = n.niveau
        for n in livret.notes.all():
            initial[f"periode_{n.bilan_id}"] = n.periode
        return initial

    def champ_niveau(self, competence_id):
        return self[self.noms_niveaux[competence_id]]

    def champ_periode(self, bilan_id):
        nom = self.noms_periodes.get(bilan_id)
        return self[nom] if nom else None

    @property
    def action_choisie(self) -> str:
        action = self.cleaned_data.get("action")
        return action if action in ACTIONS else "enregistrer"

    def saisie(self) -> Saisie:
        d = self.cleaned_data
        action = self.action_choisie
        return Saisie(
            niveaux={cid: d[nom] for cid, nom in self.noms_niveaux.items()},
            periodes={
                bid: d[nom]
                for bid, nom in self.noms_periodes.items()
                if not self.fields[nom].disabled
            },
            appreciation=d["appreciation"],
            enseignants=d["enseignants"],
            enseignants_autres=[(d["enseignant_nom"], d["enseignant_prenom"])],
            pfmp_active=d["pfmp_active"],
            pfmp_synthese=d["pfmp_synthese"],
            pfmp_enseignant=d["pfmp_enseignant"],
            pfmp_semaines=d["pfmp_semaines"],
            pfmp_etranger=d["pfmp_etranger"],
            chef_oeuvre_actif=d["chef_oeuvre_actif"],
            chef_oeuvre_appreciation=d["chef_oeuvre_appreciation"],
            chef_oeuvre_enseignants=d["chef_oeuvre_enseignants"],
            chef_oeuvre_autres=[(d["chef_nom"], d["chef_prenom"])],
            chef_oeuvre_note=d["chef_oeuvre_note"],
            recopie=action == "recopie",
            copier_constat=action == "copier_constat",
            reprendre_projet=action == "reprendre_projet",
        )


def valeurs_projet(evaluation) -> dict:
    """The chef-d'œuvre fields of the livret form from a Suivi de projet assessment."""
    return {
        "chef_oeuvre_actif": True,
        "chef_oeuvre_appreciation": evaluation.appreciation,
        "chef_oeuvre_note": (
            str(evaluation.note).replace(".", ",") if evaluation.note is not None else ""
        ),
    }


# --- « Paramètres LSL » -----------------------------------------------------------------------


class CodeMatiereForm(forms.Form):
    """One row of the codes matière table (the diplôme is in a hidden field; ids are made
    unique per row with `auto_id`)."""

    diplome = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.CharField(label="Code matière (6 chiffres, BCN)", max_length=6, required=False)
    source = forms.CharField(label="Source du code", max_length=255, required=False)

    def __init__(self, data=None, *, cle, initial=None):
        super().__init__(data, initial=initial, auto_id=f"id_cm{cle}_%s")


class CodeMefForm(forms.Form):
    division = forms.IntegerField(widget=forms.HiddenInput)
    code_mef = forms.CharField(label="Code MEF (11 caractères)", max_length=11, required=False)

    def __init__(self, data=None, *, cle, initial=None):
        super().__init__(data, initial=initial, auto_id=f"id_mef{cle}_%s")
