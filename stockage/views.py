"""Espace de stockage pages. Views are thin: accessor (queries, 404 when the space may not be
opened) → form → one service (403 `Interdit` when the space is read-only for the user; its
ValidationError shown as a message or on the form) → redirect to the folder, or render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import perms
from cpro.erreurs_vues import appliquer_service, messages_erreur
from cpro.perms import permission_requise
from cpro.ressources import telecharger_ressource
from cpro.urls_tools import etab_reverse
from evaluations import queries as queries_evaluations
from scenarios import queries as queries_scenarios
from scenarios import services as services_scenarios
from scenarios.fiche import EXTENSIONS_LIBELLE, ConfirmationRequise
from stockage import queries, services
from stockage.forms import (
    ChoisirForm,
    ConfirmationForm,
    DepotForm,
    DestinationForm,
    JoindreForm,
    NomForm,
    NouveauDossierForm,
)

UTILISER = perms.UTILISER_STOCKAGE


def _url_lieu(request, espace, dossier=None) -> str:
    """The page showing `dossier` (or the root of `espace`)."""
    if dossier is not None:
        return etab_reverse(request, "stockage:dossier", pk=dossier.pk)
    if espace.est_partage:
        return etab_reverse(request, "stockage:partage", pk=espace.pk)
    return etab_reverse(request, "stockage:espace")


def _erreurs_formulaire(request, form) -> None:
    for erreurs in form.errors.values():
        for e in erreurs:
            messages.error(request, e)


def _page(request, espace, dossier=None) -> HttpResponse:
    page = queries.page_espace(request, espace, dossier)
    return render(
        request,
        "stockage/espace.html",
        {
            "page": page,
            "quota": queries.quota_de(request),
            "types_acceptes": EXTENSIONS_LIBELLE,
            "url_lieu": _url_lieu(request, espace, dossier),
            "url_racine": _url_lieu(request, espace),
        },
    )


# --- pages -----------------------------------------------------------------------------------


@require_GET
@permission_requise(UTILISER)
def espace(request: HttpRequest) -> HttpResponse:
    """Mon espace: the root of the user's own space (created on first visit)."""
    return _page(request, services.espace_personnel(request.membership))


@require_GET
@permission_requise(UTILISER)
def partages(request: HttpRequest) -> HttpResponse:
    """The shared spaces of the diplômes the user works on."""
    espaces = queries.resume_espaces(services.espaces_partages(request.membership))
    return render(
        request, "stockage/partages.html", {"espaces": espaces, "quota": queries.quota_de(request)}
    )


@require_GET
@permission_requise(UTILISER)
def partage(request: HttpRequest, pk: int) -> HttpResponse:
    espace = queries.espace_pour(request, pk)
    if not espace.est_partage:
        return redirect(_url_lieu(request, espace))
    return _page(request, espace)


@require_GET
@permission_requise(UTILISER)
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    d = queries.dossier_pour(request, pk)
    return _page(request, d.espace, d)


# --- folders ---------------------------------------------------------------------------------


@require_POST
@permission_requise(UTILISER)
def dossier_creer(request: HttpRequest, pk: int) -> HttpResponse:
    espace = queries.espace_pour(request, pk)
    form = NouveauDossierForm(request.POST)
    if not form.is_valid():
        _erreurs_formulaire(request, form)
        return redirect(_url_lieu(request, espace))
    parent = queries.dossier_de_l_espace(espace, form.cleaned_data["parent"])
    try:
        d = services.creer_dossier(
            espace, parent=parent, nom=form.cleaned_data["nom"], par=request.user
        )
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(request, f"Le dossier « {d.nom} » a été créé.")
    return redirect(_url_lieu(request, espace, parent))


@require_POST
@permission_requise(UTILISER)
def dossier_renommer(request: HttpRequest, pk: int) -> HttpResponse:
    d = queries.dossier_pour(request, pk)
    form = NomForm(request.POST)
    if not form.is_valid():
        _erreurs_formulaire(request, form)
    else:
        try:
            services.renommer_dossier(d, nom=form.cleaned_data["nom"], par=request.user)
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            messages.success(request, f"Le dossier s'appelle désormais « {d.nom} ».")
    return redirect(_url_lieu(request, d.espace, d.parent))


@require_POST
@permission_requise(UTILISER)
def dossier_deplacer(request: HttpRequest, pk: int) -> HttpResponse:
    d = queries.dossier_pour(request, pk)
    ancien_parent = d.parent
    form = DestinationForm(request.POST)
    if not form.is_valid():
        _erreurs_formulaire(request, form)
        return redirect(_url_lieu(request, d.espace, ancien_parent))
    parent = queries.dossier_de_l_espace(d.espace, form.cleaned_data["dossier"])
    try:
        services.deplacer_dossier(d, parent=parent, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
        return redirect(_url_lieu(request, d.espace, ancien_parent))
    ou = f"dans « {parent.nom} »" if parent else "à la racine de l'espace"
    messages.success(request, f"Le dossier « {d.nom} » est rangé {ou}.")
    return redirect(_url_lieu(request, d.espace, parent))


@require_http_methods(["GET", "POST"])
@permission_requise(UTILISER)
def dossier_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what would go. POST: deletes an empty folder, or a full one once confirmed."""
    d = queries.dossier_pour(request, pk)
    retour = _url_lieu(request, d.espace, d.parent)
    form = ConfirmationForm(request.POST or None)
    confirme = request.method == "POST" and form.is_valid() and form.cleaned_data["confirme"]
    try:
        if request.method == "GET":
            services.exiger_ecriture(d, request.user)
            sous, fichiers = services.contenu_dossier(d)
            if sous or fichiers:
                raise ConfirmationRequise(
                    f"Le dossier « {d.nom} » n'est pas vide : tout son contenu sera supprimé.",
                    [f"Dossier « {s.nom} »" for s in sous]
                    + [f"Fichier « {f.nom} » ({services.en_mo(f.taille)})" for f in fichiers],
                )
            details, message = [], f"Le dossier « {d.nom} » est vide."
        else:
            nb = services.supprimer_dossier(d, par=request.user, confirme=confirme)
            messages.success(
                request,
                f"Le dossier « {d.nom} » a été supprimé"
                + (f" avec {nb} fichier{'s' if nb > 1 else ''}." if nb else "."),
            )
            return redirect(retour)
    except ConfirmationRequise as demande:
        details, message = demande.details, demande.message
    return render(
        request,
        "stockage/dossier_supprimer.html",
        {"dossier": d, "details": details, "message": message, "retour": retour},
    )


# --- files -----------------------------------------------------------------------------------


@require_POST
@permission_requise(UTILISER)
def deposer(request: HttpRequest, pk: int) -> HttpResponse:
    espace = queries.espace_pour(request, pk)
    form = DepotForm(request.POST, request.FILES)
    if not form.is_valid():
        _erreurs_formulaire(request, form)
        dossier = None
        if form.data.get("dossier", "").isdigit():
            dossier = queries.dossier_de_l_espace(espace, form.data["dossier"])
        return redirect(_url_lieu(request, espace, dossier))
    dossier = queries.dossier_de_l_espace(espace, form.cleaned_data["dossier"])
    try:
        f = services.deposer(
            espace, dossier=dossier, fichier=form.cleaned_data["fichier"], par=request.user
        )
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(request, f"Le fichier « {f.nom} » est déposé.")
    return redirect(_url_lieu(request, espace, dossier))


@require_POST
@permission_requise(UTILISER)
def fichier_renommer(request: HttpRequest, pk: int) -> HttpResponse:
    f = queries.fichier_pour(request, pk)
    form = NomForm(request.POST)
    if not form.is_valid():
        _erreurs_formulaire(request, form)
    else:
        try:
            services.renommer_fichier(f, nom=form.cleaned_data["nom"], par=request.user)
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            messages.success(request, f"Le fichier s'appelle désormais « {f.nom} ».")
    return redirect(_url_lieu(request, f.espace, f.dossier))


@require_POST
@permission_requise(UTILISER)
def fichier_deplacer(request: HttpRequest, pk: int) -> HttpResponse:
    f = queries.fichier_pour(request, pk)
    ancien = f.dossier
    form = DestinationForm(request.POST)
    if not form.is_valid():
        _erreurs_formulaire(request, form)
        return redirect(_url_lieu(request, f.espace, ancien))
    dossier = queries.dossier_de_l_espace(f.espace, form.cleaned_data["dossier"])
    try:
        services.deplacer_fichier(f, dossier=dossier, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
        return redirect(_url_lieu(request, f.espace, ancien))
    ou = f"dans « {dossier.nom} »" if dossier else "à la racine de l'espace"
    messages.success(request, f"Le fichier « {f.nom} » est rangé {ou}.")
    return redirect(_url_lieu(request, f.espace, dossier))


@require_POST
@permission_requise(UTILISER)
def fichier_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    f = queries.fichier_pour(request, pk)
    services.supprimer_fichier(f, par=request.user)
    messages.success(request, f"Le fichier « {f.nom} » a été supprimé.")
    return redirect(_url_lieu(request, f.espace, f.dossier))


@require_GET
@permission_requise(UTILISER)
def telecharger(request: HttpRequest, pk: int) -> FileResponse:
    """The stored file as an attachment (nosniff), for those who may open its space."""
    return telecharger_ressource(queries.fichier_pour(request, pk))


# --- attach to a scénario / an évaluation ----------------------------------------------------


def _fiche_cible(request, type_cible: str, pk: int):
    """The scénario (author only, else 403) or évaluation (its editors, else 403) `pk` of the
    chosen diplôme (else 404) whose resources receive a stored file."""
    if type_cible == "scenario":
        scenario = queries_scenarios.scenario_du_module(request, pk)
        services_scenarios.exiger_auteur(scenario, request.user)
        return scenario
    if type_cible == "evaluation":
        return queries_evaluations.evaluation_modifiable(request, pk)
    raise Http404("Cible inconnue")


def _url_ressources(request, type_cible: str, fiche) -> str:
    return etab_reverse(request, f"{type_cible}s:ressources", pk=fiche.pk)


@require_http_methods(["GET", "POST"])
@permission_requise(UTILISER)
def joindre(request: HttpRequest, pk: int) -> HttpResponse:
    """« Joindre à un scénario / une évaluation » from a stored file."""
    f = queries.fichier_pour(request, pk)
    form = JoindreForm(request.POST or None, initial={"titre": ""})
    if request.method == "POST" and form.is_valid():
        type_cible, cible_pk = form.type_et_id()
        fiche = _fiche_cible(request, type_cible, cible_pk)
        if appliquer_service(
            form,
            lambda: services.joindre(
                f, cible=fiche, titre=form.cleaned_data["titre"], par=request.user
            ),
        ):
            messages.success(
                request, f"« {f.nom} » est ajouté aux ressources de « {fiche.titre} »."
            )
            return redirect(_url_ressources(request, type_cible, fiche))
    scenarios = list(queries.scenarios_modifiables(request))
    evaluations = list(queries.evaluations_modifiables(request))
    for c in (*scenarios, *evaluations):
        c.cle = f"{c._meta.model_name}:{c.pk}"
    return render(
        request,
        "stockage/joindre.html",
        {
            "fichier": f,
            "form": form,
            "scenarios": scenarios,
            "evaluations": evaluations,
            "retour": _url_lieu(request, f.espace, f.dossier),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_requise(UTILISER)
def choisir(request: HttpRequest, cible: str, pk: int) -> HttpResponse:
    """« Depuis mon espace de stockage », from a scénario's or an évaluation's Ressources tab:
    the files of the spaces the user may open, one button each."""
    fiche = _fiche_cible(request, cible, pk)
    form = ChoisirForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        f = queries.fichier_pour(request, form.cleaned_data["fichier"])
        try:
            services.joindre(f, cible=fiche, titre=form.cleaned_data["titre"], par=request.user)
        except ValidationError as exc:
            messages_erreur(request, exc)
        else:
            messages.success(request, f"« {f.nom} » est ajouté aux ressources.")
            return redirect(_url_ressources(request, cible, fiche))
    elif request.method == "POST":
        _erreurs_formulaire(request, form)
    espaces = queries.espaces_lisibles(request)
    return render(
        request,
        "stockage/choisir.html",
        {
            "fiche": fiche,
            "cible": cible,
            "fichiers": queries.fichiers_lisibles(request, espaces),
            "retour": _url_ressources(request, cible, fiche),
        },
    )
