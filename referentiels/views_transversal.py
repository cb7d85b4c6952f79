"""The DDFPT's page « Compétences transversales » (Administration › Référentiels): create and
edit the establishment's transversal référentiel, starting set, import and export. Thin views:
accessor (404 outside the establishment) → form → one service → redirect with a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import perms
from cpro.erreurs_vues import messages_erreur
from cpro.perms import permission_requise
from cpro.tenancy import sans_diplome
from cpro.urls_tools import etab_reverse
from referentiels import queries_transversal as queries
from referentiels import services_transversal as services
from referentiels.forms_transversal import (
    CompetenceForm,
    CritereForm,
    ImportTransversalForm,
    NouvelleCompetenceForm,
)


def _retour(request, ancre: str = "") -> HttpResponse:
    url = etab_reverse(request, "referentiels:transversal")
    return redirect(f"{url}#{ancre}" if ancre else url)


def _formulaire_invalide(request, form) -> None:
    for erreurs in form.errors.values():
        for e in erreurs:
            messages.error(request, e)


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.IMPORTER_REFERENTIEL)
def transversal(request: HttpRequest) -> HttpResponse:
    """GET: the référentiel and its forms. POST: add a competence with its criteria."""
    form = NouvelleCompetenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            competence = services.ajouter_competence(
                request.etablissement,
                code=d["code"],
                intitule=d["intitule"],
                criteres=d["criteres"],
                par=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Compétence {competence.code} ajoutée.")
            return _retour(request, f"competence-{competence.pk}")
    etab = request.etablissement
    return render(
        request,
        "referentiels/transversal.html",
        {
            "referentiel": services.referentiel_de(etab),
            "competences": queries.competences_transversales(etab),
            "form": form,
            "import_form": ImportTransversalForm(),
            "jeu_de_depart": services.JEU_DE_DEPART,
        },
        status=400 if form.errors else 200,
    )


@sans_diplome
@require_POST
@permission_requise(perms.IMPORTER_REFERENTIEL)
def competence(request: HttpRequest, pk: int) -> HttpResponse:
    """POST `action`: modifier (code, intitule), critere (intitule: add a criterion), monter,
    descendre, activer, desactiver."""
    comp = queries.competence_de(request.etablissement, pk)
    action, par = request.POST.get("action"), request.user
    try:
        if action == "modifier":
            form = CompetenceForm(request.POST)
            if not form.is_valid():
                _formulaire_invalide(request, form)
                return _retour(request, f"competence-{comp.pk}")
            services.modifier_competence(comp, **form.cleaned_data, par=par)
            messages.success(request, f"Compétence {comp.code} modifiée.")
        elif action == "critere":
            form = CritereForm(request.POST)
            if not form.is_valid():
                _formulaire_invalide(request, form)
                return _retour(request, f"competence-{comp.pk}")
            services.ajouter_critere(comp, intitule=form.cleaned_data["intitule"], par=par)
            messages.success(request, f"Critère ajouté à la compétence {comp.code}.")
        elif action in ("monter", "descendre"):
            services.deplacer(comp, vers_le_haut=action == "monter", par=par)
        elif action in ("activer", "desactiver"):
            services.changer_activite(comp, actif=action == "activer", par=par)
            messages.success(
                request,
                f"Compétence {comp.code} {'réactivée' if action == 'activer' else 'désactivée'}.",
            )
        else:
            messages.error(request, "Action inconnue.")
    except ValidationError as exc:
        messages_erreur(request, exc)
    return _retour(request, f"competence-{comp.pk}")


@sans_diplome
@require_POST
@permission_requise(perms.IMPORTER_REFERENTIEL)
def critere(request: HttpRequest, pk: int) -> HttpResponse:
    """POST `action`: modifier (intitule), monter, descendre, activer, desactiver, supprimer."""
    cr = queries.critere_de(request.etablissement, pk)
    action, par = request.POST.get("action"), request.user
    ancre = f"competence-{cr.competence_id}"
    try:
        if action == "modifier":
            form = CritereForm(request.POST)
            if not form.is_valid():
                _formulaire_invalide(request, form)
                return _retour(request, ancre)
            services.modifier_critere(cr, intitule=form.cleaned_data["intitule"], par=par)
            messages.success(request, f"Critère {cr.code} modifié.")
        elif action in ("monter", "descendre"):
            services.deplacer(cr, vers_le_haut=action == "monter", par=par)
        elif action in ("activer", "desactiver"):
            services.changer_activite(cr, actif=action == "activer", par=par)
            messages.success(
                request, f"Critère {cr.code} {'réactivé' if action == 'activer' else 'désactivé'}."
            )
        elif action == "supprimer":
            services.supprimer_critere(cr, par=par)
            messages.success(request, f"Critère {cr.code} supprimé.")
        else:
            messages.error(request, "Action inconnue.")
    except ValidationError as exc:
        messages_erreur(request, exc)
    return _retour(request, ancre)


@sans_diplome
@require_POST
@permission_requise(perms.IMPORTER_REFERENTIEL)
def jeu_de_depart(request: HttpRequest) -> HttpResponse:
    """Adds the ready-made starting set (an establishment's choice, not official content)."""
    try:
        rapport = services.installer_jeu_de_depart(request.etablissement, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(request, f"Jeu de départ ajouté : {rapport.resume()}")
    return _retour(request)


@sans_diplome
@require_POST
@permission_requise(perms.IMPORTER_REFERENTIEL)
def importer(request: HttpRequest) -> HttpResponse:
    """Imports a CSV or JSON file (create or update by code, never delete)."""
    form = ImportTransversalForm(request.POST, request.FILES)
    if not form.is_valid():
        _formulaire_invalide(request, form)
        return _retour(request, "importer")
    fichier = form.cleaned_data["fichier"]
    try:
        rapport = services.importer(
            request.etablissement,
            contenu=fichier.read(),
            nom_fichier=fichier.name,
            par=request.user,
        )
    except ValidationError as exc:
        messages_erreur(request, exc)
        return _retour(request, "importer")
    messages.success(request, f"Import terminé : {rapport.resume()}")
    return _retour(request)


@sans_diplome
@require_GET
@permission_requise(perms.IMPORTER_REFERENTIEL)
def exporter(request: HttpRequest) -> HttpResponse:
    """Downloads the référentiel as CSV (`?format=csv`, default) or JSON (`?format=json`)."""
    referentiel = services.referentiel_de(request.etablissement)
    if referentiel is None:
        messages.error(request, "Aucune compétence transversale à exporter pour l'instant.")
        return _retour(request)
    nom = slugify(f"competences-transversales-{request.etablissement.slug}")
    if request.GET.get("format") == "json":
        contenu, type_, ext = services.exporter_json(referentiel), "application/json", "json"
    else:
        contenu, type_, ext = services.exporter_csv(referentiel), "text/csv", "csv"
    response = HttpResponse(contenu.encode("utf-8"), content_type=f"{type_}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{nom}.{ext}"'
    return response
