"""DDFPT administration pages: people, learners, tutors, divisions, the establishment and the
people import. Views are thin: accessor → form → service → redirect/render.

None of these pages depends on the chosen diplôme (`@sans_diplome`): a DDFPT can configure an
establishment before any diplôme is chosen or even offered.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import comptes, perms
from cpro.erreurs_vues import appliquer_service, messages_erreur
from cpro.models import AnneeScolaire, Role
from cpro.perms import permission_requise
from cpro.services import lancer_export
from cpro.tenancy import sans_diplome
from cpro.urls_tools import etab_reverse
from gestion import queries, services
from gestion.forms import (
    ApprenantForm,
    ChoixDivisionsForm,
    CompteForm,
    DivisionForm,
    EtablissementForm,
    ImportForm,
    NouvelleDivisionForm,
    PersonnelForm,
)
from gestion.importation import EXEMPLE_CSV, FichierInvalide, LigneImport, lire_fichier

PAR_PAGE = 50
SESSION_IDENTIFIANTS = "gestion_identifiants_{}"
SESSION_IMPORT = "gestion_import_{}"


def _page(request, qs):
    return Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))


def _memoriser_identifiants(request, membership, mot_de_passe) -> None:
    """Keep a temporary password for the next page only: it is shown once, then forgotten."""
    if mot_de_passe:
        request.session[SESSION_IDENTIFIANTS.format(request.etablissement.pk)] = {
            "membership": membership.pk,
            "username": membership.user.username,
            "mot_de_passe": mot_de_passe,
        }


def _identifiants(request, membership) -> dict | None:
    key = SESSION_IDENTIFIANTS.format(request.etablissement.pk)
    data = request.session.get(key)
    if data and data.get("membership") == membership.pk:
        del request.session[key]
        return data
    return None


def _page_compte(request, membership) -> str:
    if membership.role == Role.TUTEUR:
        return etab_reverse(request, "gestion:tuteur_modifier", pk=membership.pk)
    if membership.role == Role.APPRENANT:
        apprenant = getattr(membership, "apprenant", None)
        if apprenant is None:
            return etab_reverse(request, "gestion:apprenants")
        return etab_reverse(request, "gestion:apprenant_modifier", pk=apprenant.pk)
    return etab_reverse(request, "gestion:personnel_modifier", pk=membership.pk)


# --- staff -----------------------------------------------------------------------------------


@sans_diplome
@require_GET
@permission_requise(perms.GERER_PERSONNES)
def personnels(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    page = _page(request, queries.personnels(request.etablissement, q))
    return render(request, "gestion/personnels.html", {"page": page, "q": q})


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PERSONNES)
def personnel_creer(request: HttpRequest) -> HttpResponse:
    form = PersonnelForm(request.POST or None, etablissement=request.etablissement)
    if request.method == "POST" and form.is_valid():
        resultat = appliquer_service(
            form,
            lambda: comptes.creer_compte(
                request.etablissement, par=request.user, **form.cleaned_data
            ),
        )
        if resultat:
            membership, mot_de_passe = resultat
            _memoriser_identifiants(request, membership, mot_de_passe)
            messages.success(request, f"Le compte de {membership.user} a été créé.")
            return redirect(_page_compte(request, membership))
    return render(
        request,
        "gestion/compte_form.html",
        {"form": form, "titre": "Nouveau personnel", "liste": "gestion:personnels"},
    )


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PERSONNES)
def personnel_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    membership = queries.personnel_pour(request, pk)
    user = membership.user
    initial = {
        "nom": user.last_name,
        "prenom": user.first_name,
        "email": user.email,
        "username": user.username,
        "role": membership.role,
        "diplomes": list(membership.diplomes.all()),
    }
    form = PersonnelForm(
        request.POST or None,
        etablissement=request.etablissement,
        initial=initial,
        creation=False,
    )
    if request.method == "POST" and form.is_valid():
        if appliquer_service(
            form,
            lambda: services.modifier_compte(membership, par=request.user, **form.cleaned_data),
        ):
            messages.success(request, "Modifications enregistrées.")
            return redirect(_page_compte(request, membership))
    return render(
        request,
        "gestion/compte_form.html",
        {
            "form": form,
            "compte": membership,
            "titre": str(user),
            "liste": "gestion:personnels",
            "identifiants": _identifiants(request, membership),
        },
    )


# --- tutors ----------------------------------------------------------------------------------


@sans_diplome
@require_GET
@permission_requise(perms.GERER_PERSONNES)
def tuteurs(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    page = _page(request, queries.tuteurs(request.etablissement, q))
    return render(request, "gestion/tuteurs.html", {"page": page, "q": q})


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PERSONNES)
def tuteur_creer(request: HttpRequest) -> HttpResponse:
    form = CompteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resultat = appliquer_service(
            form,
            lambda: comptes.creer_compte(
                request.etablissement, par=request.user, role=Role.TUTEUR, **form.cleaned_data
            ),
        )
        if resultat:
            membership, mot_de_passe = resultat
            _memoriser_identifiants(request, membership, mot_de_passe)
            messages.success(request, f"Le compte de {membership.user} a été créé.")
            return redirect(_page_compte(request, membership))
    return render(
        request,
        "gestion/compte_form.html",
        {
            "form": form,
            "titre": "Nouveau tuteur ou maître d'apprentissage",
            "liste": "gestion:tuteurs",
        },
    )


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PERSONNES)
def tuteur_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    membership = queries.tuteur_pour(request, pk)
    user = membership.user
    initial = {
        "nom": user.last_name,
        "prenom": user.first_name,
        "email": user.email,
        "username": user.username,
    }
    form = CompteForm(request.POST or None, initial=initial, creation=False)
    if request.method == "POST" and form.is_valid():
        if appliquer_service(
            form,
            lambda: services.modifier_compte(membership, par=request.user, **form.cleaned_data),
        ):
            messages.success(request, "Modifications enregistrées.")
            return redirect(_page_compte(request, membership))
    return render(
        request,
        "gestion/compte_form.html",
        {
            "form": form,
            "compte": membership,
            "titre": str(user),
            "liste": "gestion:tuteurs",
            "identifiants": _identifiants(request, membership),
        },
    )


# --- account actions -------------------------------------------------------------------------


def _action_compte(request, pk, action, succes: str):
    membership = queries.compte_pour(request, pk)
    try:
        resultat = action(membership)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(request, succes.format(nom=membership.user))
        if isinstance(resultat, str):
            _memoriser_identifiants(request, membership, resultat)
    return redirect(_page_compte(request, membership))


@sans_diplome
@require_POST
@permission_requise(perms.GERER_PERSONNES)
def compte_desactiver(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_compte(
        request,
        pk,
        lambda m: services.desactiver_compte(m, par=request.user),
        "Le compte de {nom} est désactivé : il ne peut plus se connecter à l'établissement.",
    )


@sans_diplome
@require_POST
@permission_requise(perms.GERER_PERSONNES)
def compte_reactiver(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_compte(
        request,
        pk,
        lambda m: services.reactiver_compte(m, par=request.user),
        "Le compte de {nom} est réactivé.",
    )


@sans_diplome
@require_POST
@permission_requise(perms.GERER_PERSONNES)
def compte_mot_de_passe(request: HttpRequest, pk: int) -> HttpResponse:
    membership = queries.compte_pour(request, pk)
    try:
        mot_de_passe = services.reinitialiser_mot_de_passe(
            membership, par=request.user, request=request
        )
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        if mot_de_passe:
            _memoriser_identifiants(request, membership, mot_de_passe)
            messages.success(request, "Un mot de passe provisoire a été attribué.")
        else:
            messages.success(
                request,
                f"Un lien de réinitialisation a été envoyé à {membership.user.email}.",
            )
    return redirect(_page_compte(request, membership))


# --- learners --------------------------------------------------------------------------------


def _filtre_divisions(request, annee):
    divisions = list(queries.divisions(request.etablissement, annee))
    choix = request.GET.get("division", "")
    selection = None
    if choix and choix != "aucune":
        selection = next((d for d in divisions if str(d.pk) == choix), None)
        if selection is None:
            choix = ""
    return divisions, choix, selection


@sans_diplome
@require_GET
@permission_requise(perms.GERER_PERSONNES)
def apprenants(request: HttpRequest) -> HttpResponse:
    annee = AnneeScolaire.courante()
    divisions, choix, selection = _filtre_divisions(request, annee)
    q = request.GET.get("q", "").strip()
    qs = queries.apprenants(
        request.etablissement, division=selection, sans_division=choix == "aucune", q=q
    )
    return render(
        request,
        "gestion/apprenants.html",
        {
            "page": _page(request, qs),
            "q": q,
            "divisions": divisions,
            "choix": choix,
            "annee": annee,
        },
    )


def _apprenant_form(request, inclure=None, **kwargs):
    divisions = queries.divisions_a_partir_de(
        request.etablissement, AnneeScolaire.courante(), inclure=inclure
    )
    return ApprenantForm(request.POST or None, divisions=divisions, **kwargs)


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PERSONNES)
def apprenant_creer(request: HttpRequest) -> HttpResponse:
    form = _apprenant_form(request, initial={"division": request.GET.get("division")})
    if request.method == "POST" and form.is_valid():
        resultat = appliquer_service(
            form,
            lambda: services.creer_apprenant(
                request.etablissement, par=request.user, **form.cleaned_data
            ),
        )
        if resultat:
            apprenant, mot_de_passe = resultat
            _memoriser_identifiants(request, apprenant.membership, mot_de_passe)
            messages.success(request, f"Le compte de {apprenant} a été créé.")
            return redirect(_page_compte(request, apprenant.membership))
    return render(request, "gestion/apprenant_form.html", {"form": form})


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PERSONNES)
def apprenant_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    apprenant = queries.apprenant_pour(request, pk)
    user = apprenant.membership.user
    initial = {
        "nom": user.last_name,
        "prenom": user.first_name,
        "email": user.email,
        "ine": apprenant.ine,
        "eleve_id": apprenant.eleve_id,
        "date_naissance": apprenant.date_naissance,
        "statut": apprenant.statut,
        "sexe": apprenant.sexe,
        "division": apprenant.division_id,
        "numero_candidat": apprenant.numero_candidat,
    }
    form = _apprenant_form(request, inclure=apprenant.division_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        if appliquer_service(
            form,
            lambda: services.modifier_apprenant(apprenant, par=request.user, **form.cleaned_data),
        ):
            messages.success(request, "Modifications enregistrées.")
            return redirect(_page_compte(request, apprenant.membership))
    return render(
        request,
        "gestion/apprenant_form.html",
        {
            "form": form,
            "apprenant": apprenant,
            "compte": apprenant.membership,
            "identifiants": _identifiants(request, apprenant.membership),
        },
    )


# --- divisions -------------------------------------------------------------------------------


def _annee_choisie(request, annees, courante):
    choix = request.GET.get("annee")
    return next((a for a in annees if str(a.debut) == choix), courante)


@sans_diplome
@require_GET
@permission_requise(perms.GERER_PERSONNES)
def divisions(request: HttpRequest) -> HttpResponse:
    courante = AnneeScolaire.courante()
    annees = queries.annees_proposees(courante)
    annee = _annee_choisie(request, annees, courante)
    return render(
        request,
        "gestion/divisions.html",
        {
            "annees": annees,
            "annee": annee,
            "divisions": queries.divisions(request.etablissement, annee),
        },
    )


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PERSONNES)
def division_creer(request: HttpRequest) -> HttpResponse:
    courante = AnneeScolaire.courante()
    annees = queries.annees_proposees(courante)
    form = NouvelleDivisionForm(
        request.POST or None,
        etablissement=request.etablissement,
        annees=annees,
        initial={"annee": _annee_choisie(request, annees, courante).debut},
    )
    if request.method == "POST" and form.is_valid():
        division = appliquer_service(
            form,
            lambda: services.creer_division(
                request.etablissement, par=request.user, **form.cleaned_data
            ),
        )
        if division:
            messages.success(request, f"La division {division} a été créée.")
            url = etab_reverse(request, "gestion:divisions")
            return redirect(f"{url}?annee={division.annee.debut}")
    return render(request, "gestion/division_form.html", {"form": form})


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PERSONNES)
def division_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    division = queries.division_pour(request, pk)
    form = DivisionForm(
        request.POST or None,
        etablissement=request.etablissement,
        initial={"nom": division.nom, "diplome": division.diplome, "niveau": division.niveau},
    )
    if request.method == "POST" and form.is_valid():
        if appliquer_service(
            form,
            lambda: services.modifier_division(division, par=request.user, **form.cleaned_data),
        ):
            messages.success(request, "Modifications enregistrées.")
            url = etab_reverse(request, "gestion:divisions")
            return redirect(f"{url}?annee={division.annee.debut}")
    return render(request, "gestion/division_form.html", {"form": form, "division": division})


# --- the establishment -----------------------------------------------------------------------


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.ADMINISTRER)
def etablissement(request: HttpRequest) -> HttpResponse:
    etab = request.etablissement
    form = EtablissementForm(
        request.POST or None,
        initial={
            "nom": etab.nom,
            "ville": etab.ville,
            "academie": etab.academie,
            "diplomes": list(etab.diplomes.all()),
            "book_active": etab.book_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_etablissement(etab, par=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Les informations de l'établissement sont enregistrées.")
            return redirect(etab_reverse(request, "gestion:etablissement"))
    return render(request, "gestion/etablissement.html", {"form": form})


# --- the people import -----------------------------------------------------------------------


def _import_en_attente(request) -> dict | None:
    return request.session.get(SESSION_IMPORT.format(request.etablissement.pk))


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.IMPORTER_PERSONNES)
def import_personnes(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        try:
            lecture = lire_fichier(fichier.name, fichier.read())
        except FichierInvalide as exc:
            form.add_error("fichier", str(exc))
        else:
            request.session[SESSION_IMPORT.format(request.etablissement.pk)] = {
                "fichier": fichier.name,
                "format": lecture.format,
                "lignes": [ligne.to_session() for ligne in lecture.lignes],
                "erreurs": lecture.erreurs,
                "ignores": lecture.ignores,
            }
            return redirect(etab_reverse(request, "gestion:import_apercu"))
    return render(
        request,
        "gestion/import.html",
        {"form": form, "en_attente": _import_en_attente(request)},
    )


@sans_diplome
@require_GET
@permission_requise(perms.IMPORTER_PERSONNES)
def import_exemple(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        ("\ufeff" + EXEMPLE_CSV).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="exemple-import-apprenants.csv"'
    return response


def _apercu(request, data, form=None, status=200):
    lignes = [LigneImport.from_session(d) for d in data["lignes"]]
    plan = services.analyser_import(request.etablissement, lignes)
    if form is None:
        form = ChoixDivisionsForm(
            divisions=plan.divisions_nouvelles, etablissement=request.etablissement
        )
    erreurs = [*data["erreurs"], *plan.erreurs]
    return render(
        request,
        "gestion/import_apercu.html",
        {"data": data, "plan": plan, "form": form, "erreurs": erreurs},
        status=status,
    )


@sans_diplome
@require_GET
@permission_requise(perms.IMPORTER_PERSONNES)
def import_apercu(request: HttpRequest) -> HttpResponse:
    data = _import_en_attente(request)
    if not data:
        messages.info(request, "Aucun import en attente : choisissez un fichier.")
        return redirect(etab_reverse(request, "gestion:import"))
    return _apercu(request, data)


@sans_diplome
@require_POST
@permission_requise(perms.IMPORTER_PERSONNES)
def import_confirmer(request: HttpRequest) -> HttpResponse:
    data = _import_en_attente(request)
    if not data:
        messages.error(request, "Aucun import en attente : choisissez de nouveau le fichier.")
        return redirect(etab_reverse(request, "gestion:import"))
    lignes = [LigneImport.from_session(d) for d in data["lignes"]]
    plan = services.analyser_import(request.etablissement, lignes)
    form = ChoixDivisionsForm(
        request.POST, divisions=plan.divisions_nouvelles, etablissement=request.etablissement
    )
    if form.is_valid():
        try:
            resultat = services.importer_apprenants(
                request.etablissement,
                lignes,
                par=request.user,
                choix_divisions=form.choix_divisions(),
                erreurs_lecture=data["erreurs"],
                fichier=data["fichier"],
                format=data["format"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            del request.session[SESSION_IMPORT.format(request.etablissement.pk)]
            messages.success(
                request,
                f"Import terminé : {resultat['crees']} apprenant(s) créé(s), "
                f"{resultat['modifies']} mis à jour, {resultat['inchanges']} inchangé(s)"
                + (f", {resultat['ignores']} ignoré(s)" if resultat["ignores"] else "")
                + (
                    f", {resultat['sortis_non_crees']} sorti(s) non créé(s)"
                    if resultat["sortis_non_crees"]
                    else ""
                )
                + (
                    f" ; code MEF mis à jour pour {len(resultat['mef_modifies'])} division(s)"
                    if resultat["mef_modifies"]
                    else ""
                )
                + (
                    f" ; divisions créées : {', '.join(resultat['divisions_creees'])}"
                    if resultat["divisions_creees"]
                    else ""
                )
                + ".",
            )
            return redirect(etab_reverse(request, "gestion:apprenants"))
    return _apercu(request, data, form=form)


@sans_diplome
@require_POST
@permission_requise(perms.GERER_PERSONNES)
def fiches_connexion(request: HttpRequest, pk: int) -> HttpResponse:
    """Print login cards for a division (new temporary passwords, generated by the worker)."""
    division = queries.division_pour(request, pk)
    job = lancer_export(
        etablissement=request.etablissement,
        par=request.user,
        kind="fiches_connexion",
        params={"division": division.pk, "tous": request.POST.get("tous") == "1"},
    )
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))
