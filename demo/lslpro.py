"""Demo LSL Pro: the périodicité (trimestres) of 1MCVA's and TMCVA's diplôme and niveau, and
livrets in various states for their scolaire learners who have a validated bilan of the year
(made by bilans/demo.py): one in three complete (some with PFMP and chef-d'œuvre), one in three
partial (levels recopied from the last bilan, nothing else), one in three left empty.

The code matière of the spécialité of the LSL diplômes (MCV-A, MCV-B, MA) is set through
lslpro.services_parametres so that the demo exports a valid file. These six-digit values are
**demo values** (plausible BCN-shaped codes, not read from the BCN): their source says so, and
an establishment must replace them by the real code before any real import.

Built through the services (same rules, audit entries as in real use). Idempotent: a
périodicité or a code matière already set is kept, and a learner who already has a livret of
the year is skipped.
"""

from decimal import Decimal

from django.db import transaction

from cpro.models import Apprenant, Statut
from lslpro import queries, services, services_parametres
from lslpro.models import CodeMatiereLSL, Livret, Periodicite
from projets import queries as projets_queries

DIVISIONS = ("1MCVA", "TMCVA")
REDACTEUR = "prof_mcva"
PARAMETREUR = "ddfpt"
# Demo values, NOT read from the BCN (see the module docstring).
CODES_MATIERE_DEMO = {"MCV-A": "046500", "MCV-B": "046500", "MA": "046600"}
SOURCE_DEMO = (
    "démo : valeur de démonstration, à vérifier dans la BCN (nomenclature des matières) "
    "avant tout import réel"
)

APPRECIATIONS = [
    "Élève investi et régulier. Les progrès sont nets dans la relation client ; poursuivre "
    "l'effort sur l'argumentation et la conclusion de la vente.",
    "Année satisfaisante : les compétences commerciales s'installent. Doit gagner en autonomie "
    "et en rigueur dans le suivi des ventes.",
    "Très bon ensemble, sérieux et motivé. L'élève mobilise avec aisance les techniques de "
    "vente et sait s'adapter au client.",
]
SYNTHESE_PFMP = (
    "Activités confiées : accueil et conseil de la clientèle, mise en rayon, encaissement, "
    "participation aux opérations commerciales. Compétences professionnelles : bonne "
    "connaissance des produits, intérêt réel pour le métier, respect des consignes. "
    "Compétences sociales : ponctuel, bien intégré dans l'équipe, relationnel apprécié du tuteur."
)


def _periodicites(ctx, par, annee) -> None:
    choix = {}
    for nom in DIVISIONS:
        division = ctx.divisions.get(nom)
        if division is None:
            continue
        if not Periodicite.objects.filter(
            etablissement=ctx.etablissement,
            annee=annee,
            diplome=division.diplome,
            niveau=division.niveau,
        ).exists():
            choix[(division.diplome_id, division.niveau)] = Periodicite.Type.TRIMESTRE
    if choix:
        services.definir_periodicites(ctx.etablissement, choix, par=par, annee=annee)


def _codes_matiere(ctx, par) -> None:
    deja = set(
        CodeMatiereLSL.objects.filter(etablissement=ctx.etablissement).values_list(
            "diplome_id", flat=True
        )
    )
    for code_diplome, code in CODES_MATIERE_DEMO.items():
        diplome = ctx.diplomes.get(code_diplome)
        if diplome is None or diplome.pk in deja:
            continue
        services_parametres.definir_code_matiere(
            ctx.etablissement, diplome=diplome, code=code, source=SOURCE_DEMO, par=par
        )


def _saisie_complete(page, i: int, enseignant_id: int) -> services.Saisie:
    notes = [b for b in page.bilans_annee if b.note is not None]
    periodes = page.periodicite.periodes
    saisie = services.Saisie(
        niveaux=page.recopie,
        periodes={b.pk: periodes[k] for k, b in enumerate(notes[: len(periodes)])},
        appreciation=APPRECIATIONS[i % len(APPRECIATIONS)],
        enseignants=[enseignant_id],
    )
    if i % 2 == 0:
        saisie.pfmp_active = True
        saisie.pfmp_synthese = SYNTHESE_PFMP
        saisie.pfmp_enseignant = "LAMBERT Sophie"
        saisie.pfmp_semaines = 6 if page.apprenant.division.niveau == "PREMIERE" else 8
        saisie.pfmp_etranger = i % 6 == 0
    if i % 3 == 0:
        saisie.chef_oeuvre_actif = True
        saisie.copier_constat = True
        saisie.chef_oeuvre_enseignants = [enseignant_id]
        saisie.chef_oeuvre_note = Decimal("13.5") + (i % 4)
    return saisie


def construire(ctx) -> None:
    """Add the demo périodicités and livrets (see the module docstring)."""
    annee = ctx.annee
    redacteur = ctx.personnes[REDACTEUR].user
    with transaction.atomic():
        _periodicites(ctx, ctx.personnes[PARAMETREUR].user, annee)
        _codes_matiere(ctx, ctx.personnes[PARAMETREUR].user)
        for nom in DIVISIONS:
            division = ctx.divisions.get(nom)
            if division is None:
                continue
            eleves = list(
                Apprenant.objects.filter(division=division, statut=Statut.SCOLAIRE)
                .select_related("membership__user", "division__diplome")
                .order_by("pk")
            )
            avec_bilan = queries.ids_avec_bilan_annee(
                [e.pk for e in eleves], division.diplome_id, annee
            )
            deja = set(
                Livret.objects.filter(apprenant__in=eleves, annee=annee).values_list(
                    "apprenant_id", flat=True
                )
            )
            periodicite = queries.periodicite_pour(
                ctx.etablissement, annee, division.diplome, division.niveau
            )
            # The chef-d'œuvre validated in the Suivi de projet (demo/projets.py) is taken
            # into the livret (« Reprendre du suivi de projet »), never retyped.
            chefs_oeuvre = projets_queries.evaluations_lsl(eleves, annee)
            for i, eleve in enumerate(eleves):
                if eleve.pk in deja or eleve.pk not in avec_bilan or i % 3 == 2:
                    continue  # one in three stays empty
                page = queries.page_livret(eleve, division.diplome, annee, periodicite)
                if i % 3 == 0:
                    saisie = _saisie_complete(page, i, redacteur.pk)
                else:
                    saisie = services.Saisie(recopie=True)
                if eleve.pk in chefs_oeuvre:
                    saisie.reprendre_projet, saisie.copier_constat = True, False
                services.enregistrer_livret(eleve, saisie, par=redacteur, annee=annee)
