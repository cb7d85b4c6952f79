"""« Suivi des compétences transversales »: per division (any diploma of the establishment)
and learner, the transversal competences with the dashboard's cells, suggestion and « Pourquoi
ce niveau ? », the class view, and the learner's own (bilans.queries_transversales)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bilans import queries_tableaux, rendu_tableau
from bilans import queries_transversales as queries
from bilans.forms_tableaux import FiltreTableauForm
from bilans.views_tableaux import contexte_vues, depuis, lier_pourquoi, rendre_tableau, voisins
from cpro import perms
from cpro.perms import permission_requise
from cpro.tenancy import sans_diplome


def _bascule(filtres: dict, **base) -> dict:
    """Links of the full / compact toggle (no unit filter here: one group)."""
    return contexte_vues(filtres, filtres_gardes=("competence",), **base)


def _division(request, divisions):
    pk = request.GET.get("division")
    if pk:
        return queries_tableaux.division_pour(request, pk, divisions)
    return divisions[0] if divisions else None


@sans_diplome
@require_GET
@permission_requise(perms.VOIR_TABLEAUX)
def transversales(request: HttpRequest) -> HttpResponse:
    """Choose a division (any diploma) and a learner; read their transversal competences."""
    referentiel = queries.referentiel_de(request.etablissement)
    divisions = queries.divisions_courantes(request.etablissement)
    apprenant, division, camarades = None, None, []
    pk_apprenant, pk_division = request.GET.get("apprenant"), request.GET.get("division")
    if pk_apprenant:
        apprenant, camarades = queries.apprenant_et_camarades(request, pk_apprenant)
        division = apprenant.division
        if pk_division and pk_division != str(division.pk):
            apprenant = None
            division = queries_tableaux.division_pour(request, pk_division, divisions)
            camarades = queries_tableaux.camarades_de_division(division)
    else:
        division = _division(request, divisions)
        if division is not None:
            camarades = queries_tableaux.camarades_de_division(division)
    if division is not None and division not in divisions:
        divisions = [*divisions, division]  # a learner of a past year's division

    filtres = FiltreTableauForm(request.GET).valeurs()
    donnees = None
    if apprenant is not None and referentiel is not None:
        donnees = queries.donnees_transversales(
            apprenant,
            referentiel,
            competence=filtres["competence"],
            reference=filtres["date"],
            depuis=depuis(filtres),
        )
        lier_pourquoi(request, donnees, apprenant, filtres)
    vues = _bascule(filtres, apprenant=apprenant.pk if apprenant else None)
    return rendre_tableau(
        request,
        "bilans/transversales.html",
        {
            "referentiel": referentiel,
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
            "cache_filtres": [("apprenant", apprenant.pk if apprenant else None)],
            **vues,
        },
    )


@sans_diplome
@require_GET
@permission_requise(perms.VOIR_TABLEAUX)
def transversales_classe(request: HttpRequest) -> HttpResponse:
    """Class view: division × transversal competences (validated positioning or suggestion)."""
    referentiel = queries.referentiel_de(request.etablissement)
    divisions = queries.divisions_courantes(request.etablissement)
    division = _division(request, divisions)
    vue = None
    if division is not None and referentiel is not None:
        vue = queries.vue_classe_transversale(division, referentiel)
    return render(
        request,
        "bilans/transversales_classe.html",
        {"referentiel": referentiel, "divisions": divisions, "division": division, "vue": vue},
    )


@sans_diplome
@require_GET
@permission_requise(perms.MON_TABLEAU)
def mes_transversales(request: HttpRequest) -> HttpResponse:
    """The learner's own transversal competences: read-only, without suggestion."""
    apprenant = queries_tableaux.mon_apprenant(request)
    if request.GET.get("apprenant") not in (None, "", str(apprenant.pk)):
        raise Http404("Apprenant inconnu")
    referentiel = queries.referentiel_de(request.etablissement)
    filtres = FiltreTableauForm(request.GET).valeurs()
    donnees = None
    if referentiel is not None:
        donnees = queries.donnees_transversales(
            apprenant,
            referentiel,
            competence=filtres["competence"],
            avec_suggestions=False,
            depuis=depuis(filtres),
        )
    return rendre_tableau(
        request,
        "bilans/transversales_mes.html",
        {
            "apprenant": apprenant,
            "referentiel": referentiel,
            "donnees": donnees,
            "filtres": filtres,
            "avec_suggestions": False,
            **_bascule(filtres),
        },
    )
