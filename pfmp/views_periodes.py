"""Annexes pédagogiques, périodes, assignments, entreprises and the suivi overview.

Thin views: accessor (queries_periodes) → form → service (services_periodes) → redirect.
Reading needs VOIR_PFMP (staff, chef included); writing needs GERER_PFMP (teachers, DDFPT).
Objects of another establishment or diplôme answer 404. Every form works without JavaScript:
the « tout / aucun » division buttons and the « repérer les compétences liées » button re-render
the form with the current selection, without saving.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import perms
from cpro.erreurs_vues import appliquer_service
from cpro.models import AnneeScolaire
from cpro.perms import permission_requise
from cpro.templatetags.francais import de_texte
from cpro.urls_tools import etab_reverse
from pfmp import queries_periodes as queries
from pfmp import services_periodes as services
from pfmp.forms_periodes import (
    AffectationForm,
    AnnexeForm,
    ApprenantsForm,
    EntrepriseForm,
    NouvelleEntrepriseForm,
    PeriodeCreationForm,
    PeriodeForm,
)
from referentiels.models import Competence, Critere, Tache

SESSION_IDENTIFIANTS = "pfmp_identifiants_{}"


def _donnees(request):
    """The POST data of a submission (even empty), None on GET."""
    return request.POST if request.method == "POST" else None


def _sans_erreurs(form):
    """A bound form re-shown without saving (« tout / aucun », « repérer… »): keep what was
    typed, hide the errors of a submission that was not one."""
    form.errors.clear()
    return form


def _peut_gerer(request) -> bool:
    return perms.GERER_PFMP in request.cpro_perms


# --- annexes pédagogiques --------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_PFMP)
def annexes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pfmp/periodes/annexes.html",
        {"sections": queries.page_annexes(request), "peut_gerer": _peut_gerer(request)},
    )


@require_GET
@permission_requise(perms.VOIR_PFMP)
def annexe(request: HttpRequest, pk: int) -> HttpResponse:
    objet = queries.annexe_complete(request, pk)
    return render(
        request,
        "pfmp/periodes/annexe.html",
        {
            "annexe": objet,
            "libelle_niveau": queries.libelle_niveau(objet.niveau),
            "competences": queries.criteres_par_competence(
                objet.competences.all(), objet.criteres.all()
            ),
            "periodes": objet.periodes.select_related("annee").order_by("-date_debut"),
            "peut_gerer": _peut_gerer(request),
        },
    )


def _formulaire_annexe(request, annexe=None):
    diplome = request.diplome
    if diplome is None:
        raise Http404("Aucun diplôme choisi")
    if request.method == "POST":
        choix = queries.choix_referentiel(
            diplome,
            taches=_entiers(request.POST.getlist("taches")),
            competences=_entiers(request.POST.getlist("competences")),
            criteres=_entiers(request.POST.getlist("criteres")),
        )
        form = AnnexeForm(request.POST, diplome=diplome, ref=choix.ref)
    else:
        if annexe is not None:
            initial = {
                "titre": annexe.titre,
                "niveau": annexe.niveau,
                "objectifs": annexe.objectifs,
            }
            choix = queries.choix_referentiel(
                diplome,
                taches=annexe.taches.values_list("pk", flat=True),
                competences=annexe.competences.values_list("pk", flat=True),
                criteres=annexe.criteres.values_list("pk", flat=True),
            )
        else:
            niveau = request.GET.get("niveau", "")
            initial = {"niveau": niveau if niveau in (diplome.niveaux or []) else ""}
            choix = queries.choix_referentiel(diplome)
        form = AnnexeForm(initial=initial, diplome=diplome, ref=choix.ref)
    return form, choix


def _entiers(valeurs) -> list[int]:
    return [int(v) for v in valeurs if str(v).isdigit()]


def _contenu(form):
    data = form.cleaned_data
    return {
        "titre": data["titre"],
        "niveau": data["niveau"],
        "objectifs": data["objectifs"],
        "taches": Tache.objects.filter(pk__in=data["taches"]),
        "competences": Competence.objects.filter(pk__in=data["competences"]),
        "criteres": Critere.objects.filter(pk__in=data["criteres"]),
    }


def _rendu_annexe(request, form, choix, annexe=None, actualise=False):
    return render(
        request,
        "pfmp/periodes/annexe_form.html",
        {"form": form, "choix": choix, "annexe": annexe, "actualise": actualise},
    )


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PFMP)
def annexe_creer(request: HttpRequest) -> HttpResponse:
    form, choix = _formulaire_annexe(request)
    if request.method == "POST" and "actualiser" not in request.POST and form.is_valid():
        objet = appliquer_service(
            form,
            lambda: services.creer_annexe(
                request.etablissement, request.diplome, par=request.user, **_contenu(form)
            ),
        )
        if objet:
            messages.success(request, f"L'annexe pédagogique « {objet.titre} » est créée.")
            return redirect(etab_reverse(request, "pfmp:annexe", pk=objet.pk))
    if "actualiser" in request.POST:
        _sans_erreurs(form)
    return _rendu_annexe(request, form, choix, actualise="actualiser" in request.POST)


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PFMP)
def annexe_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    objet = queries.annexe_pour(request, pk)
    form, choix = _formulaire_annexe(request, objet)
    if request.method == "POST" and "actualiser" not in request.POST and form.is_valid():
        if appliquer_service(
            form,
            lambda: services.modifier_annexe(objet, par=request.user, **_contenu(form)),
        ):
            messages.success(request, "L'annexe pédagogique est enregistrée.")
            return redirect(etab_reverse(request, "pfmp:annexe", pk=objet.pk))
    if "actualiser" in request.POST:
        _sans_erreurs(form)
    return _rendu_annexe(request, form, choix, objet, actualise="actualiser" in request.POST)


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PFMP)
def annexe_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    objet = queries.annexe_pour(request, pk)
    if request.method == "POST":
        titre = objet.titre
        services.supprimer_annexe(objet, par=request.user)
        messages.success(request, f"L'annexe pédagogique « {titre} » a été supprimée.")
        return redirect(etab_reverse(request, "pfmp:annexes"))
    return render(
        request,
        "pfmp/periodes/annexe_supprimer.html",
        {"annexe": objet, "nb_periodes": objet.periodes.count()},
    )


# --- périodes --------------------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_PFMP)
def periodes(request: HttpRequest) -> HttpResponse:
    annee = queries.annee_demandee(request)
    return render(
        request,
        "pfmp/periodes/periodes.html",
        {
            "annee": annee,
            "courante": AnneeScolaire.courante(),
            "annees": queries.annees_avec_periodes(request),
            "sections": queries.page_periodes(request, annee),
            "annexes": queries.annexes_du_module(request) if _peut_gerer(request) else [],
            "peut_gerer": _peut_gerer(request),
        },
    )


def _selection_apprenants(request, groupes, initial_ids):
    """The checked learners: the POSTed ones, changed by a « tout » / « aucun » button."""
    if request.method != "POST":
        return set(initial_ids)
    choisis = set(_entiers(request.POST.getlist("apprenants")))
    for bouton, ajouter in (("tout", True), ("aucun", False)):
        valeur = request.POST.get(bouton, "")
        if valeur.isdigit():
            for g in groupes:
                if g.division.pk == int(valeur):
                    ids = {a.pk for a in g.apprenants}
                    choisis = choisis | ids if ajouter else choisis - ids
    return choisis


def _bouton_division(request) -> bool:
    return "tout" in request.POST or "aucun" in request.POST


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PFMP)
def periode_creer(request: HttpRequest, annexe: int) -> HttpResponse:
    objet = queries.annexe_pour(request, annexe)
    groupes = queries.apprenants_proposes(
        request.etablissement, objet.diplome, objet.niveau, AnneeScolaire.courante()
    )
    proposes = [a for g in groupes for a in g.apprenants]
    choisis = _selection_apprenants(request, groupes, [a.pk for a in proposes])
    if request.method == "POST":
        form = PeriodeCreationForm(request.POST, apprenants=proposes)
        if not _bouton_division(request) and form.is_valid():
            data = form.cleaned_data
            periode = appliquer_service(
                form,
                lambda: services.creer_periode(
                    objet,
                    par=request.user,
                    titre=data["titre"],
                    date_debut=data["date_debut"],
                    date_fin=data["date_fin"],
                    apprenants=queries.apprenants_choisis(
                        request.etablissement, data["apprenants"]
                    ),
                ),
            )
            if periode:
                messages.success(
                    request,
                    f"La période « {periode.titre} » est créée : un portfolio a été généré "
                    "pour chaque apprenant.",
                )
                return redirect(etab_reverse(request, "pfmp:periode", pk=periode.pk))
        if _bouton_division(request):
            _sans_erreurs(form)
    else:
        form = PeriodeCreationForm(initial={"titre": objet.titre}, apprenants=proposes)
    return render(
        request,
        "pfmp/periodes/periode_creer.html",
        {
            "annexe": objet,
            "form": form,
            "groupes": groupes,
            "choisis": choisis,
            "libelle_niveau": queries.libelle_niveau(objet.niveau),
        },
    )


def _url_portfolio_disponible(request) -> bool:
    """The portfolio pages are another module: link to them only once they exist."""
    try:
        etab_reverse(request, "pfmp:portfolio", pk=0)
    except NoReverseMatch:
        return False
    return True


def _identifiants(request) -> dict | None:
    return request.session.pop(SESSION_IDENTIFIANTS.format(request.etablissement.pk), None)


@require_GET
@permission_requise(perms.VOIR_PFMP)
def periode(request: HttpRequest, pk: int) -> HttpResponse:
    objet = queries.periode_complete(request, pk)
    affectations = queries.affectations_de(objet)
    return render(
        request,
        "pfmp/periodes/periode.html",
        {
            "periode": objet,
            "libelle_niveau": queries.libelle_niveau(objet.niveau),
            "semaines": services.semaines_de(objet.date_debut, objet.date_fin),
            "competences": queries.criteres_par_competence(
                objet.competences.all(), objet.criteres.all()
            ),
            "affectations": [a for a in affectations if not a.archivee],
            "archivees": [a for a in affectations if a.archivee],
            "peut_gerer": _peut_gerer(request),
            "portfolio_ok": _url_portfolio_disponible(request),
            "identifiants": _identifiants(request),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PFMP)
def periode_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    objet = queries.periode_pour(request, pk)
    form = PeriodeForm(
        _donnees(request),
        initial={"titre": objet.titre, "date_debut": objet.date_debut, "date_fin": objet.date_fin},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if appliquer_service(
            form,
            lambda: services.modifier_periode(
                objet,
                par=request.user,
                titre=data["titre"],
                date_debut=data["date_debut"],
                date_fin=data["date_fin"],
            ),
        ):
            messages.success(request, "La période est enregistrée ; les portfolios sont à jour.")
            return redirect(etab_reverse(request, "pfmp:periode", pk=objet.pk))
    return render(request, "pfmp/periodes/periode_modifier.html", {"periode": objet, "form": form})


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PFMP)
def periode_apprenants(request: HttpRequest, pk: int) -> HttpResponse:
    """Add learners (or bring back removed ones) to a période."""
    objet = queries.periode_pour(request, pk)
    groupes = queries.apprenants_proposes(
        request.etablissement, objet.diplome, objet.niveau, objet.annee
    )
    actifs = set(objet.affectations.filter(archivee=False).values_list("apprenant_id", flat=True))
    for g in groupes:
        g.apprenants = [a for a in g.apprenants if a.pk not in actifs]
    proposes = [a for g in groupes for a in g.apprenants]
    choisis = _selection_apprenants(request, groupes, [])
    form = ApprenantsForm(_donnees(request), apprenants=proposes)
    if request.method == "POST" and not _bouton_division(request) and form.is_valid():
        nombre = appliquer_service(
            form,
            lambda: services.ajouter_apprenants(
                objet,
                queries.apprenants_choisis(request.etablissement, form.cleaned_data["apprenants"]),
                par=request.user,
            ),
        )
        if nombre is not None:
            pluriel = "s" if nombre > 1 else ""
            messages.success(
                request,
                f"{nombre} apprenant{pluriel} ajouté{pluriel} à la période.",
            )
            return redirect(etab_reverse(request, "pfmp:periode", pk=objet.pk))
    if request.method == "POST" and _bouton_division(request):
        _sans_erreurs(form)
    return render(
        request,
        "pfmp/periodes/periode_apprenants.html",
        {
            "periode": objet,
            "form": form,
            "groupes": groupes,
            "choisis": choisis,
        },
    )


@require_POST
@permission_requise(perms.GERER_PFMP)
def affectation_retirer(request: HttpRequest, pk: int) -> HttpResponse:
    affectation = queries.affectation_pour(request, pk)
    services.retirer_apprenant(affectation, par=request.user)
    messages.success(
        request,
        f"{affectation.apprenant} est retiré de la période ; son portfolio est archivé "
        "(rien n'est effacé).",
    )
    return redirect(etab_reverse(request, "pfmp:periode", pk=affectation.periode_id))


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PFMP)
def affectation_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    affectation = queries.affectation_pour(request, pk)
    etab = request.etablissement
    entreprises = list(queries.entreprises_choix(etab))
    tuteurs = list(services.tuteurs_de(etab).order_by("user__last_name", "user__first_name"))
    referents = list(services.referents_de(etab).order_by("user__last_name", "user__first_name"))
    form = AffectationForm(
        _donnees(request),
        initial={
            "entreprise": affectation.entreprise_id,
            "tuteur": affectation.tuteur_id,
            "referent": affectation.referent_id,
        },
        entreprises=entreprises,
        tuteurs=tuteurs,
        referents=referents,
    )
    ent_form = NouvelleEntrepriseForm(_donnees(request))
    if request.method == "POST" and form.is_valid() and ent_form.is_valid():
        data = form.cleaned_data
        par_pk = {
            "entreprise": {e.pk: e for e in entreprises},
            "tuteur": {m.pk: m for m in tuteurs},
            "referent": {m.user_id: m.user for m in referents},
        }
        nouvelle = None
        if ent_form.est_remplie():
            nouvelle = dict(ent_form.cleaned_data)
        resultat = appliquer_service(
            form,
            lambda: services.modifier_affectation(
                affectation,
                par=request.user,
                entreprise=par_pk["entreprise"].get(data["entreprise"]),
                nouvelle_entreprise=nouvelle,
                tuteur=par_pk["tuteur"].get(data["tuteur"]),
                nouveau_tuteur=form.nouveau_tuteur(),
                referent=par_pk["referent"].get(data["referent"]),
            ),
        )
        if resultat:
            _, compte = resultat
            if compte:
                membership, mot_de_passe = compte
                request.session[SESSION_IDENTIFIANTS.format(etab.pk)] = {
                    "username": membership.user.username,
                    "mot_de_passe": mot_de_passe,
                }
            messages.success(
                request, f"L'affectation {de_texte(affectation.apprenant)} est enregistrée."
            )
            return redirect(etab_reverse(request, "pfmp:periode", pk=affectation.periode_id))
    return render(
        request,
        "pfmp/periodes/affectation_form.html",
        {"affectation": affectation, "form": form, "ent_form": ent_form},
    )


# --- suivi -----------------------------------------------------------------------------------


def _rendu_suivi(request, periodes_qs, *, periode=None, annee=None):
    mes = request.GET.get("mes") == "1"
    blocs = queries.suivi(periodes_qs, referent=request.user if mes else None)
    return render(
        request,
        "pfmp/periodes/suivi.html",
        {
            "blocs": blocs,
            "periode": periode,
            "annee": annee,
            "annees": queries.annees_avec_periodes(request) if periode is None else [],
            "mes": mes,
            "portfolio_ok": _url_portfolio_disponible(request),
            "statuts": queries.STATUTS_FICHE,
        },
    )


@require_GET
@permission_requise(perms.VOIR_PFMP)
def suivi(request: HttpRequest) -> HttpResponse:
    annee = queries.annee_demandee(request)
    qs = queries.periodes_du_module(request).filter(annee=annee).order_by("date_debut", "titre")
    return _rendu_suivi(request, qs, annee=annee)


@require_GET
@permission_requise(perms.VOIR_PFMP)
def periode_suivi(request: HttpRequest, pk: int) -> HttpResponse:
    objet = queries.periode_pour(request, pk)
    qs = queries.periodes_du_module(request).filter(pk=objet.pk)
    return _rendu_suivi(request, qs, periode=objet)


# --- entreprises -----------------------------------------------------------------------------


@require_GET
@permission_requise(perms.GERER_PFMP)
def entreprises(request: HttpRequest) -> HttpResponse:
    liste = list(queries.entreprises_de(request.etablissement).order_by("nom"))
    for e in liste:
        e.lien_carte = queries.lien_carte(e)
    return render(request, "pfmp/periodes/entreprises.html", {"entreprises": liste})


def _champs(form) -> dict:
    return {c: form.cleaned_data[c] for c in services.CHAMPS_ENTREPRISE}


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PFMP)
def entreprise_creer(request: HttpRequest) -> HttpResponse:
    form = EntrepriseForm(_donnees(request))
    if request.method == "POST" and form.is_valid():
        objet = appliquer_service(
            form,
            lambda: services.creer_entreprise(
                request.etablissement, par=request.user, **_champs(form)
            ),
        )
        if objet:
            messages.success(request, f"L'entreprise « {objet.nom} » est enregistrée.")
            return redirect(etab_reverse(request, "pfmp:entreprises"))
    return render(request, "pfmp/periodes/entreprise_form.html", {"form": form, "entreprise": None})


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PFMP)
def entreprise_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    objet = queries.entreprise_pour(request, pk)
    initial = {c: getattr(objet, c) for c in services.CHAMPS_ENTREPRISE}
    for c in ("latitude", "longitude"):
        if initial[c] is not None:
            initial[c] = str(initial[c]).replace(".", ",")
    form = EntrepriseForm(_donnees(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        if appliquer_service(
            form,
            lambda: services.modifier_entreprise(objet, par=request.user, **_champs(form)),
        ):
            messages.success(request, f"L'entreprise « {objet.nom} » est enregistrée.")
            return redirect(etab_reverse(request, "pfmp:entreprises"))
    return render(
        request,
        "pfmp/periodes/entreprise_form.html",
        {"form": form, "entreprise": objet, "lien_carte": queries.lien_carte(objet)},
    )
