"""The CPRO navigation bar, adapted to the role: a menu shows only the entries the membership
may use, and only for modules that exist (an entry whose URL name does not resolve is hidden).

Modules add their entries to MENUS in their own issue.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch

from cpro import perms
from cpro.urls_tools import etab_reverse


@dataclass(frozen=True)
class Entree:
    libelle: str
    url_name: str
    permission: str
    # "book": shown only when the DDFPT has activated the book apprenant.
    condition: str = ""


@dataclass(frozen=True)
class Menu:
    libelle: str
    entrees: tuple[Entree, ...]


MENUS: tuple[Menu, ...] = (
    Menu(
        "Gérer et évaluer les activités de formation",
        (
            Entree("Scénarios pédagogiques", "scenarios:liste", perms.VOIR_SCENARIOS),
            Entree("Importer un scénario (.scpro)", "scenarios:importer", perms.CREER_SCENARIOS),
            Entree("Évaluations", "evaluations:liste", perms.VOIR_EVALUATIONS),
            Entree("Mes évaluations", "evaluations:mes_grilles", perms.VOIR_MES_EVALUATIONS),
            Entree("Annexes pédagogiques", "pfmp:annexes", perms.VOIR_PFMP),
            Entree("Périodes de formation en entreprise", "pfmp:periodes", perms.VOIR_PFMP),
        ),
    ),
    Menu(
        "Suivre les acquis",
        (
            Entree("Tableaux de bord apprenants", "bilans:tableau", perms.VOIR_TABLEAUX),
            Entree("Suivi de projet", "projets:suivi", perms.VOIR_PROJETS),
            Entree("Vue classes", "bilans:vue_classes", perms.VOIR_TABLEAUX),
            Entree(
                "Suivi des compétences transversales", "bilans:transversales", perms.VOIR_TABLEAUX
            ),
            Entree("Livrets des apprentis", "livrets:liste", perms.VOIR_LIVRETS),
            Entree("Mon tableau de bord", "bilans:mon_tableau", perms.MON_TABLEAU),
            Entree("Mon projet (chef-d'œuvre)", "projets:mon_projet", perms.MON_PROJET),
            Entree("Mon livret d'apprentissage", "livrets:mon_livret", perms.MON_LIVRET),
            Entree("Portfolios des périodes en entreprise", "pfmp:suivi", perms.VOIR_PFMP),
            Entree("Mon portfolio", "pfmp:mes_portfolios", perms.MON_PORTFOLIO),
            Entree(
                "Mes apprenants en entreprise", "pfmp:tuteur_apprenants", perms.PORTFOLIOS_TUTEUR
            ),
            Entree("Projets de mes apprenants", "projets:tuteur", perms.PROJETS_TUTEUR),
            Entree("Livrets de mes apprentis", "livrets:tuteur", perms.LIVRETS_TUTEUR),
        ),
    ),
    Menu(
        "Éditer les bilans",
        (
            Entree("Bilans intermédiaires", "bilans:bilans", perms.VOIR_TABLEAUX),
            Entree(
                "Imprimer les bilans d'une division",
                "bilans:impression_division",
                perms.VOIR_TABLEAUX,
            ),
            Entree("Attestations de compétences", "bilans:attestations", perms.VOIR_TABLEAUX),
        ),
    ),
    Menu(
        "Book apprenant",
        (
            Entree("Mon book", "pfmp:mon_book", perms.MON_BOOK, condition="book"),
            Entree("Books des apprenants", "pfmp:books", perms.VOIR_BOOK, condition="book"),
        ),
    ),
    Menu(
        "Espace de stockage",
        (
            Entree("Mon espace", "stockage:espace", perms.UTILISER_STOCKAGE),
            Entree("Espaces partagés", "stockage:partages", perms.UTILISER_STOCKAGE),
        ),
    ),
    Menu(
        "Ressources",
        (
            Entree("Référentiel du diplôme", "referentiels:navigateur", perms.VOIR_REFERENTIEL),
            Entree("Imprimer le référentiel", "referentiels:imprimer", perms.IMPRIMER_REFERENTIEL),
        ),
    ),
    Menu(
        "Certification",
        (
            Entree("Grilles CCF des candidats", "certification:grilles", perms.VOIR_CERTIFICATION),
            Entree("Vue récapitulative", "certification:recapitulatif", perms.VOIR_CERTIFICATION),
        ),
    ),
    Menu(
        "LSL Pro",
        (
            Entree("Saisie du livret scolaire des élèves", "lslpro:saisie", perms.SAISIR_LSL),
            Entree("Complétude des livrets", "lslpro:completude", perms.VOIR_CERTIFICATION),
            Entree("Périodicité", "lslpro:periodicite", perms.PARAMETRER_LSL),
            Entree(
                "Paramètres LSL (codes matière et MEF)", "lslpro:parametres", perms.PARAMETRER_LSL
            ),
            Entree("Export LSL", "lslpro:export", perms.EXPORTER_LSL),
        ),
    ),
    Menu(
        "Administration",
        (
            Entree("Enseignants et personnels", "gestion:personnels", perms.GERER_PERSONNES),
            Entree("Apprenants", "gestion:apprenants", perms.GERER_PERSONNES),
            Entree("Tuteurs", "gestion:tuteurs", perms.GERER_PERSONNES),
            Entree("Divisions", "gestion:divisions", perms.GERER_PERSONNES),
            Entree("Importer (SIECLE / CSV)", "gestion:import", perms.IMPORTER_PERSONNES),
            Entree("Établissement et diplômes", "gestion:etablissement", perms.ADMINISTRER),
            Entree("Référentiels", "referentiels:administration", perms.IMPORTER_REFERENTIEL),
            Entree("Accès PRONOTE", "bilans:pronote_jetons", perms.GERER_PRONOTE),
            Entree("Journal des actions", "etab:journal", perms.VOIR_JOURNAL),
        ),
    ),
)


def menus_pour(request) -> list[dict]:
    """The menus of this request's membership, with resolved URLs; empty menus are dropped."""
    granted = request.cpro_perms
    result = []
    for menu in MENUS:
        items = []
        for entree in menu.entrees:
            if entree.permission not in granted:
                continue
            if entree.condition == "book" and not request.etablissement.book_active:
                continue
            try:
                url = etab_reverse(request, entree.url_name)
            except NoReverseMatch:
                continue
            items.append({"libelle": entree.libelle, "url": url})
        if items:
            result.append({"libelle": menu.libelle, "entrees": items})
    return result
