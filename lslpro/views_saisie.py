"""LSL Pro entry pages. Views are thin: accessor (lslpro.queries) → form → service → redirect.

The module is contextualised in the chosen diplôme: a learner of another establishment or
diplôme answers 404. Entry is for teachers and the DDFPT (SAISIR_LSL), the périodicité for the
DDFPT and the chef (PARAMETRER_LSL), the completeness overview for the whole staff
(VOIR_CERTIFICATION; the chef reads only).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cpro import perms
from cpro.models import Statut
from cpro.perms import permission_requise
from cpro.templatetags.francais import de_texte
from cpro.urls_tools import etab_reverse
from lslpro import queries, services
from lslpro.forms import LivretForm, PeriodiciteForm, cellule
from projets import queries as projets_queries


def _entier(valeur):
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return None


def _erreurs_dans_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for champ, erreurs in exc.error_dict.items():
            form.add_error(champ if champ in form.fields else None, erreurs)
    else:
        form.add_error(None, exc)


def _division_choisie(request, annee):
    divisions = list(queries.divisions_du_module(request, annee))
    choix = _entier(request.GET.get("division"))
    division = next((d for d in divisions if d.pk == choix), divisions[0] if divisions else None)
    return divisions, division


# --- périodicité ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_requise(perms.PARAMETRER_LSL)
def periodicite(request: HttpRequest) -> HttpResponse:
    """Trimestre or semestre per diplôme of the establishment and niveau, for the current
    year. No livret can be entered for a diplôme/niveau until it is set."""
    annee = queries.annee_courante()
    lignes = queries.lignes_periodicite(request.etablissement, annee)
    form = PeriodiciteForm(request.POST if request.method == "POST" else None, lignes=lignes)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.definir_periodicites(
                request.etablissement, form.choix(), par=request.user, annee=annee
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                "La périodicité est enregistrée." if n else "Aucune modification à enregistrer.",
            )
            return redirect(etab_reverse(request, "lslpro:periodicite"))
    return render(request, "lslpro/periodicite.html", {"form": form, "annee": annee})


# --- choice of the division and the learner ---------------------------------------------------


@require_GET
@permission_requise(perms.SAISIR_LSL)
def saisie(request: HttpRequest) -> HttpResponse:
    """« Saisie du livret scolaire des élèves »: choose a division (?division=) of the chosen
    diplôme, then a learner. Apprentices are listed as not subject to the LSL; the page says
    why a learner's livret is unavailable (no périodicité, no validated bilan this year)."""
    annee = queries.annee_courante()
    divisions, division = _division_choisie(request, annee)
    contexte = {"divisions": divisions, "division": division, "annee": annee, "lignes": []}
    if division is not None:
        per = queries.periodicite_pour(
            request.etablissement, annee, division.diplome_id, division.niveau
        )
        eleves = list(queries.eleves_de_division(division))
        completudes = {
            ligne.apprenant.pk: ligne for ligne in queries.completude_division(division, annee)
        }
        lignes = []
        for e in eleves:
            ligne = completudes.get(e.pk)
            raison = ""
            if e.statut != Statut.SCOLAIRE:
                raison = services.MESSAGE_APPRENTI
            elif ligne is None:  # left the establishment: not in the LSL population
                raison = services.message_sorti(e)
            elif per is not None and division.niveau in queries.NIVEAUX_LSL:
                raison = services.raison_indisponible(
                    e, annee, periodicite=per, a_un_bilan=ligne.a_un_bilan
                )
            lignes.append({"apprenant": e, "raison": raison, "completude": ligne})
        gate = ""
        if division.niveau not in queries.NIVEAUX_LSL:
            gate = services.MESSAGE_SECONDE
        elif per is None:
            gate = services.message_sans_periodicite(division.diplome, division.niveau)
        contexte.update(lignes=lignes, periodicite=per, gate=gate)
    return render(request, "lslpro/saisie.html", contexte)


# --- the livret of one learner ----------------------------------------------------------------


def _voisins(apprenant, annee):
    """Previous / next learner whose livret can be entered (scolaire, validated bilan of the
    year) in the division's name order. Two queries."""
    division = apprenant.division
    if division is None:
        return None, None, set()
    ids = list(
        queries.eleves_de_division(division)
        .filter(statut=Statut.SCOLAIRE)
        .values_list("pk", flat=True)
    )
    avec_bilan = queries.ids_avec_bilan_annee(ids, division.diplome_id, annee)
    navigables = [i for i in ids if i in avec_bilan or i == apprenant.pk]
    i = navigables.index(apprenant.pk) if apprenant.pk in navigables else None
    if i is None:
        return None, None, avec_bilan
    precedent = navigables[i - 1] if i > 0 else None
    suivant = navigables[i + 1] if i + 1 < len(navigables) else None
    return precedent, suivant, avec_bilan


@require_http_methods(["GET", "POST"])
@permission_requise(perms.SAISIR_LSL)
def livret(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner's livret of the year: competences (bilans of the cycle, the year's level),
    period notes, appreciation and teachers, PFMP, chef-d'œuvre; completeness in the banner.
    « Précédent » / « Suivant » are submit buttons of the same form: each move saves first
    (and stays on the page when the save is refused)."""
    apprenant = queries.apprenant_pour(request, pk)
    annee = queries.annee_courante()
    precedent, suivant, avec_bilan = _voisins(apprenant, annee)
    division = apprenant.division
    per = (
        queries.periodicite_pour(request.etablissement, annee, division.diplome_id, division.niveau)
        if division is not None and division.annee_id == annee.pk
        else None
    )
    raison = services.raison_indisponible(
        apprenant, annee, periodicite=per, a_un_bilan=apprenant.pk in avec_bilan
    )
    contexte = {
        "apprenant": apprenant,
        "annee": annee,
        "precedent": precedent,
        "suivant": suivant,
        "retour": _url_saisie(request, apprenant.division_id),
    }
    if raison:
        return render(request, "lslpro/livret_indisponible.html", {**contexte, "raison": raison})

    page = queries.page_livret(apprenant, division.diplome, annee, per)
    enseignants = list(queries.enseignants_etablissement(request.etablissement))
    evaluation_projet = projets_queries.evaluation_lsl(apprenant, annee)
    form = LivretForm(
        request.POST if request.method == "POST" else None,
        page=page,
        enseignants=enseignants,
        evaluation_projet=evaluation_projet,
    )
    if request.method == "POST" and form.is_valid():
        action = form.action_choisie
        try:
            services.enregistrer_livret(apprenant, form.saisie(), par=request.user, annee=annee)
        except ValidationError as exc:
            _erreurs_dans_form(form, exc)
        else:
            cible = {"precedent": precedent, "suivant": suivant}.get(action) or apprenant.pk
            messages.success(request, _message_succes(action, apprenant))
            return redirect(etab_reverse(request, "lslpro:livret", pk=cible))
    lignes = [
        {
            "competence": ligne.competence,
            "cellules": [cellule(n) for n in ligne.niveaux],
            "champ": form.champ_niveau(ligne.competence.pk),
        }
        for ligne in page.lignes
    ]
    colonnes = [
        {"colonne": col, "periode": form.champ_periode(col.bilan.pk) if col.courant else None}
        for col in page.colonnes
    ]
    return render(
        request,
        "lslpro/livret.html",
        {
            **contexte,
            "page": page,
            "form": form,
            "lignes": lignes,
            "colonnes": colonnes,
            "enseignants": enseignants,
            "constat": services.constat_a_copier(page.dernier_bilan),
            "evaluation_projet": evaluation_projet,
            "ecart_projet": services.ecart_projet(page.livret, evaluation_projet),
        },
    )


def _message_succes(action: str, apprenant) -> str:
    if action == "recopie":
        return "Les niveaux du dernier bilan sont recopiés dans le livret, qui est enregistré."
    if action == "reprendre_projet":
        return "L'évaluation du suivi de projet est reprise dans le livret, qui est enregistré."
    if action == "copier_constat":
        return "Le constat du dernier bilan est copié dans l'appréciation du chef-d'œuvre."
    if action in ("precedent", "suivant"):
        return f"Le livret {de_texte(apprenant)} est enregistré."
    return "Le livret est enregistré."


def _url_saisie(request, division_id) -> str:
    url = etab_reverse(request, "lslpro:saisie")
    return f"{url}?{urlencode({'division': division_id})}" if division_id else url


# --- completeness overview --------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_CERTIFICATION)
def completude(request: HttpRequest) -> HttpResponse:
    """Completeness of the livrets of a division (?division=): one row per scolaire learner
    with the percentage and what is missing. A fixed number of queries."""
    annee = queries.annee_courante()
    divisions, division = _division_choisie(request, annee)
    lignes = queries.completude_division(division, annee) if division else []
    return render(
        request,
        "lslpro/completude.html",
        {
            "divisions": divisions,
            "division": division,
            "annee": annee,
            "lignes": lignes,
            "complets": sum(1 for ligne in lignes if ligne.completude.complet),
            "absents": sum(1 for ligne in lignes if ligne.livret_absent),
            "peut_saisir": perms.SAISIR_LSL in request.cpro_perms,
        },
    )
