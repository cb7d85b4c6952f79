"""Learners' dashboards (tableaux de bord apprenants), the class view, and a learner's own
dashboard. Read-only pages; views are thin: accessor → GET form → read model → render."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from bilans import queries_tableaux as queries
from bilans import rendu_tableau
from bilans.forms_tableaux import COMPACTE, TOUTES, FiltreTableauForm
from bilans.vue_classes import entetes_de_ligne, vue_classe
from cpro import perms
from cpro.perms import permission_requise
from cpro.tenancy import sans_diplome
from cpro.urls_tools import etab_reverse


def _url_bilan_creer(request) -> str | None:
    """The "Créer un bilan intermédiaire" page, when the bilans module provides it."""
    if perms.REDIGER_BILANS not in request.cpro_perms:
        return None
    try:
        return etab_reverse(request, "bilans:bilan_creer")
    except NoReverseMatch:
        return None


def _requete(**params) -> str:
    """A query string without the empty parameters."""
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def depuis(filtres: dict) -> int | None:
    """The first school year shown: the current one, unless every year is asked for."""
    return None if filtres["annees"] == TOUTES else queries.annee_courante()


def contexte_vues(filtres: dict, *, filtres_gardes=("unite", "competence"), **base) -> dict:
    """Links of the full / compact toggle and of the school years shown (current one / all),
    keeping the other parameters (the filters named in `filtres_gardes`, the reference date,
    the school years)."""
    compacte = filtres["vue"] == COMPACTE
    date = filtres["date"].isoformat() if filtres["date"] else None
    commun = {
        **{cle: filtres[cle] for cle in filtres_gardes},
        "date": date,
        "annees": filtres["annees"],
    }
    toutes = filtres["annees"] == TOUTES
    return {
        "compacte": compacte,
        "lien_bascule": _requete(**base, **commun, vue=None if compacte else COMPACTE),
        "lien_annees": _requete(
            **base,
            **{**commun, "annees": None if toutes else TOUTES},
            vue=COMPACTE if compacte else None,
        ),
        "toutes_annees": toutes,
        "params_communs": commun,
    }


def lier_pourquoi(request, donnees, apprenant, filtres: dict) -> None:
    """The « Pourquoi ce niveau ? » addresses of the dashboard's competences (with the
    reference date of the filter, if any)."""
    if donnees is None or apprenant is None:
        return
    base = etab_reverse(
        request, "bilans:tableau_pourquoi", apprenant=apprenant.pk, competence=0
    ).removesuffix("0/")
    date = _requete(date=filtres["date"].isoformat()) if filtres["date"] else ""
    donnees.lier_pourquoi(lambda pk: f"{base}{pk}/{date}")


def rendre_tableau(request, gabarit: str, contexte: dict) -> HttpResponse:
    """The whole page, or with HTMX (« Afficher les années antérieures ») only the data
    fragment, with the links outside it that keep the school years (out-of-band)."""
    partiel = request.htmx and not request.htmx.history_restore_request
    if partiel:
        gabarit = "bilans/_tableau_donnees.html"
    contexte = {**contexte, "partiel": bool(partiel), "voisins_oob": "navigation" in contexte}
    response = render(request, gabarit, contexte)
    patch_vary_headers(response, ["HX-Request"])
    return response


def voisins(camarades: list, apprenant, filtres: dict, vues: dict) -> dict:
    """The previous and next learners of the division and the links to them (same filters,
    same view)."""
    precedent = suivant = None
    if apprenant is not None:
        rang = next(i for i, a in enumerate(camarades) if a.pk == apprenant.pk)
        precedent = camarades[rang - 1] if rang > 0 else None
        suivant = camarades[rang + 1] if rang + 1 < len(camarades) else None
    navigation = {
        cle: _requete(
            apprenant=a.pk,
            vue=filtres["vue"] if vues["compacte"] else None,
            **vues["params_communs"],
        )
        for cle, a in (("precedent", precedent), ("suivant", suivant))
        if a is not None
    }
    return {"precedent": precedent, "suivant": suivant, "navigation": navigation}


@require_GET
@permission_requise(perms.VOIR_TABLEAUX)
def tableau(request: HttpRequest) -> HttpResponse:
    """Tableaux de bord apprenants: choose a division and a learner, filter, read."""
    diplome = request.diplome
    divisions = queries.divisions_courantes(request.etablissement, diplome) if diplome else []
    apprenant, division, camarades = None, None, []
    pk_apprenant, pk_division = request.GET.get("apprenant"), request.GET.get("division")
    if pk_apprenant and diplome:
        apprenant, camarades = queries.apprenant_et_camarades(request, pk_apprenant)
        division = apprenant.division
        if pk_division and pk_division != str(division.pk):
            # The division select was changed: show that division, choose a learner again.
            apprenant, division = None, queries.division_pour(request, pk_division, divisions)
            camarades = queries.camarades_de_division(division)
    elif pk_division:
        division = queries.division_pour(request, pk_division, divisions)
        camarades = queries.camarades_de_division(division)
    elif divisions:
        division = divisions[0]
        camarades = queries.camarades_de_division(division)
    if division is not None and division not in divisions:
        divisions = [*divisions, division]  # a learner of a past year's division

    filtres = FiltreTableauForm(request.GET).valeurs()
    donnees = None
    if apprenant is not None:
        donnees = queries.donnees_tableau(
            apprenant,
            diplome,
            unite=filtres["unite"],
            competence=filtres["competence"],
            reference=filtres["date"],
            depuis=depuis(filtres),
        )
        lier_pourquoi(request, donnees, apprenant, filtres)
    vues = contexte_vues(filtres, apprenant=apprenant.pk if apprenant else None)
    return rendre_tableau(
        request,
        "bilans/tableau.html",
        {
            "divisions": divisions,
            "division": division,
            "camarades": camarades,
            "options_apprenants": rendu_tableau.html_options_apprenants(
                camarades, apprenant.pk if apprenant else None
            ),
            "apprenant": apprenant,
            **voisins(camarades, apprenant, filtres, vues),
            "donnees": donnees,
            "filtres": filtres,
            "avec_suggestions": True,
            "url_bilan_creer": _url_bilan_creer(request) if apprenant else None,
            "cache_filtres": [("apprenant", apprenant.pk if apprenant else None)],
            **vues,
        },
    )


@sans_diplome
@require_GET
@permission_requise(perms.VOIR_TABLEAUX)
def tableau_pourquoi(request: HttpRequest, apprenant: int, competence: int) -> HttpResponse:
    """« Pourquoi ce niveau ? » of one competence of a learner's dashboard (diploma or
    transversal): the observations behind its suggestion at the reference date (`?date=`,
    default today). HTMX (the dashboard's `<details>`): the explanation alone; otherwise a
    full page (no JavaScript)."""
    filtres = FiltreTableauForm(request.GET).valeurs()
    p = queries.pourquoi_tableau(request, apprenant, competence, filtres["date"])
    if p.transversale:
        retour = etab_reverse(request, "bilans:transversales")
    else:
        retour = etab_reverse(request, "bilans:tableau")
    retour += _requete(
        apprenant=p.apprenant.pk, date=filtres["date"].isoformat() if filtres["date"] else None
    )
    gabarit = "bilans/_tableau_pourquoi.html" if request.htmx else "bilans/tableau_pourquoi.html"
    response = render(request, gabarit, {"p": p, "retour": retour})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@permission_requise(perms.VOIR_TABLEAUX)
def vue_classes(request: HttpRequest) -> HttpResponse:
    """Vue classes: division × competences, latest validated positioning or suggestion."""
    diplome = request.diplome
    divisions = queries.divisions_courantes(request.etablissement, diplome) if diplome else []
    division = None
    if request.GET.get("division"):
        division = queries.division_pour(request, request.GET["division"], divisions)
    elif divisions:
        division = divisions[0]
    vue = vue_classe(division, diplome) if division is not None else None
    if vue is not None:
        entetes_de_ligne(vue, etab_reverse(request, "bilans:tableau"))
    return render(
        request,
        "bilans/vue_classes.html",
        {"divisions": divisions, "division": division, "vue": vue},
    )


@require_GET
@permission_requise(perms.MON_TABLEAU)
def mon_tableau(request: HttpRequest) -> HttpResponse:
    """A learner's own dashboard: read-only, without suggestion nor bilan."""
    apprenant = queries.mon_apprenant(request)
    demande = request.GET.get("apprenant")
    if demande not in (None, "", str(apprenant.pk)):
        raise Http404("Apprenant inconnu")
    diplome = apprenant.division.diplome if apprenant.division_id else request.diplome
    filtres = FiltreTableauForm(request.GET).valeurs()
    donnees = None
    if diplome is not None:
        donnees = queries.donnees_tableau(
            apprenant,
            diplome,
            unite=filtres["unite"],
            competence=filtres["competence"],
            avec_suggestions=False,
            depuis=depuis(filtres),
        )
    return rendre_tableau(
        request,
        "bilans/mon_tableau.html",
        {
            "apprenant": apprenant,
            "donnees": donnees,
            "filtres": filtres,
            "avec_suggestions": False,
            **contexte_vues(filtres),
        },
    )
