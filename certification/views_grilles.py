"""Grilles CCF des candidats. Views are thin: accessor (certification.queries) → form → service
→ redirect or render. The chosen diplôme scopes the module: a grid or learner of another
establishment or diplôme answers 404; the chef reads only (403 on writes); unlocking is the
DDFPT's."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from certification import queries, services
from certification.forms import GrilleForm, MembreForm, RechercheForm
from cpro import perms
from cpro.erreurs import Verrouille
from cpro.erreurs_vues import messages_erreur
from cpro.perms import permission_requise
from cpro.urls_tools import etab_reverse


def _erreurs_dans_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for champ, erreurs in exc.error_dict.items():
            form.add_error(champ if champ in form.fields else None, erreurs)
    else:
        form.add_error(None, exc)


def _url_grille(request, gc, ancre: str = "") -> str:
    url = etab_reverse(request, "certification:grille", pk=gc.pk)
    return f"{url}#{ancre}" if ancre else url


def url_liste(request, gc) -> str:
    """The chooser page positioned on this grid's épreuve, session and division."""
    params = {"grille": gc.grille_id, "session": gc.session}
    if gc.apprenant.division_id:
        params["division"] = gc.apprenant.division_id
    return etab_reverse(request, "certification:grilles") + "?" + urlencode(params)


# --- the chooser -----------------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_CERTIFICATION)
def grilles(request: HttpRequest) -> HttpResponse:
    """Choose the épreuve (?grille=, a GrilleCCF of the chosen diplôme), the session
    (?session=, default the exam session of this year's Terminale) and the Terminale division
    (?division=), then the candidates of the division with the state of their grid."""
    epreuves = queries.epreuves(request.diplome)
    grille = queries.choisir(epreuves, request.GET.get("grille"))
    sessions = queries.sessions_proposees(request.etablissement)
    session = queries.entier(request.GET.get("session"))
    if session not in sessions:
        session = queries.session_par_defaut()
    divisions = queries.divisions_terminale(request.etablissement, request.diplome, session)
    division = queries.choisir(divisions, request.GET.get("division"))
    lignes = queries.etat_des_candidats(division, grille, session) if grille and division else []
    return render(
        request,
        "certification/grilles.html",
        {
            "epreuves": epreuves,
            "grille": grille,
            "sessions": sessions,
            "session": session,
            "divisions": divisions,
            "division": division,
            "lignes": lignes,
            "peut_saisir": perms.SAISIR_CERTIFICATION in request.cpro_perms,
        },
    )


@require_GET
@permission_requise(perms.VOIR_CERTIFICATION)
def grille_ouvrir(request: HttpRequest, grille: int, session: int, apprenant: int) -> HttpResponse:
    """Open the grid of a learner for an épreuve and a session: created on first open by a
    writer; the chef is sent back to the list when it does not exist yet."""
    grille = queries.grille_ccf_pour(request, grille)
    apprenant = queries.apprenant_pour(request, apprenant)
    existante = queries.grilles_candidat_existante(apprenant, grille, session)
    if existante is not None:
        return redirect(_url_grille(request, existante))
    if perms.SAISIR_CERTIFICATION not in request.cpro_perms:
        messages.info(request, "La grille de ce candidat n'a pas encore été commencée.")
        params = {"grille": grille.pk, "session": session}
        if apprenant.division_id:
            params["division"] = apprenant.division_id
        return redirect(etab_reverse(request, "certification:grilles") + "?" + urlencode(params))
    try:
        gc = services.grille_pour(apprenant, grille, session, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
        return redirect(etab_reverse(request, "certification:grilles"))
    return redirect(_url_grille(request, gc))


# --- the grid --------------------------------------------------------------------------------


def _rendre_grille(request, gc, *, form=None, membre_form=None, status=200):
    page = queries.page_grille(gc)
    modifiable = not gc.est_verrouillee and perms.SAISIR_CERTIFICATION in request.cpro_perms
    criteres = [ligne.critere for ligne in page.lignes]
    if form is None:
        form = GrilleForm(
            criteres=criteres,
            initial={
                "numero_candidat": gc.apprenant.numero_candidat,
                "dates_situations": gc.dates_situations,
                "note_proposee": _virgule(gc.note_proposee),
                "commentaire": gc.commentaire,
            },
        )
    elif form.is_bound:
        # Re-show what was submitted, not what is stored.
        for ligne in page.lignes:
            valeur = form.data.get(ligne.champ, "")
            for case in ligne.cases:
                case.choisie = valeur == str(case.niveau)
    recherche = RechercheForm(request.GET or None)
    q = recherche.cleaned_data["q"] if recherche.is_valid() else ""
    trouves = queries.enseignants(gc.etablissement_id, q) if modifiable else []
    precedent, suivant = queries.voisins(gc)
    contexte = {
        "gc": gc,
        "page": page,
        "form": form,
        "membre_form": membre_form or MembreForm(),
        "recherche": recherche,
        "q": q,
        "trouves": trouves,
        "modifiable": modifiable,
        "peut_deverrouiller": gc.est_verrouillee
        and perms.DEVERROUILLER_CERTIFICATION in request.cpro_perms,
        "precedent": precedent,
        "suivant": suivant,
        "retour": url_liste(request, gc),
        "suggestion": _virgule(page.suggestion),
        "note": _virgule(gc.note_proposee),
    }
    if request.htmx and request.method == "GET" and "q" in request.GET:
        return render(request, "certification/_grille_recherche.html", contexte)
    return render(request, "certification/grille.html", contexte, status=status)


def _virgule(valeur) -> str:
    """Decimal("12.50") → "12,5"; None → ""."""
    if valeur is None:
        return ""
    texte = f"{valeur:.2f}".rstrip("0").rstrip(".")
    return texte.replace(".", ",")


@require_GET
@permission_requise(perms.VOIR_CERTIFICATION)
def grille(request: HttpRequest, pk: int) -> HttpResponse:
    """The national grid of the épreuve for one candidate: header, one row per criterion with
    its four levels and descriptors, proposed note, comments, members; the side panel shows
    the learner's dashboard results. ?q= searches the teachers to add as members (HTMX: the
    results partial only)."""
    gc = queries.grille_candidat_pour(request, pk)
    return _rendre_grille(request, gc)


@require_POST
@permission_requise(perms.SAISIR_CERTIFICATION)
def grille_enregistrer(request: HttpRequest, pk: int) -> HttpResponse:
    gc = queries.grille_candidat_pour(request, pk)
    criteres = queries.criteres_de_grille(gc.grille)
    form = GrilleForm(request.POST, criteres=criteres)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.enregistrer_grille(
                gc,
                par=request.user,
                numero_candidat=d["numero_candidat"],
                dates_situations=d["dates_situations"],
                note_proposee=d["note_proposee"],
                commentaire=d["commentaire"],
                niveaux=form.niveaux(),
            )
        except Verrouille as exc:
            messages_erreur(request, exc)
            return redirect(_url_grille(request, gc))
        except ValidationError as exc:
            _erreurs_dans_form(form, exc)
        else:
            messages.success(request, "La grille est enregistrée.")
            return redirect(_url_grille(request, gc))
    gc.refresh_from_db()
    return _rendre_grille(request, gc, form=form, status=200)


@require_POST
@permission_requise(perms.SAISIR_CERTIFICATION)
def grille_membre_ajouter(request: HttpRequest, pk: int) -> HttpResponse:
    gc = queries.grille_candidat_pour(request, pk)
    form = MembreForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        membre = None
        if d["membre"]:
            membre = queries.enseignant_pour(gc.etablissement_id, d["membre"])
            if membre is None:
                messages.error(request, "Ce membre n'est pas un enseignant de l'établissement.")
                return redirect(_url_grille(request, gc, "membres"))
        try:
            ajoute = services.ajouter_membre(
                gc,
                par=request.user,
                membre=membre,
                nom=d["nom"],
                prenom=d["prenom"],
                qualite=d["qualite"],
            )
        except ValidationError as exc:
            # A locked grid, or a refused teacher chosen from the list: a message on the grid;
            # a typed member's fields: errors on the form.
            if membre is not None or isinstance(exc, Verrouille):
                messages_erreur(request, exc)
                return redirect(_url_grille(request, gc, "membres"))
            _erreurs_dans_form(form, exc)
        else:
            messages.success(request, f"{ajoute} est ajouté(e) à la commission.")
            return redirect(_url_grille(request, gc, "membres"))
    return _rendre_grille(request, gc, membre_form=form, status=200)


@require_POST
@permission_requise(perms.SAISIR_CERTIFICATION)
def grille_membre_retirer(request: HttpRequest, pk: int, membre: int) -> HttpResponse:
    gc = queries.grille_candidat_pour(request, pk)
    membre = queries.membre_pour(gc, membre)
    try:
        services.retirer_membre(membre, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(request, f"{membre} est retiré(e) de la commission.")
    return redirect(_url_grille(request, gc, "membres"))


@require_POST
@permission_requise(perms.SAISIR_CERTIFICATION)
def grille_verrouiller(request: HttpRequest, pk: int) -> HttpResponse:
    gc = queries.grille_candidat_pour(request, pk)
    try:
        services.verrouiller_grille(gc, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(request, "La grille est verrouillée : elle n'est plus modifiable.")
    return redirect(_url_grille(request, gc))


@require_POST
@permission_requise(perms.DEVERROUILLER_CERTIFICATION)
def grille_deverrouiller(request: HttpRequest, pk: int) -> HttpResponse:
    gc = queries.grille_candidat_pour(request, pk)
    try:
        services.deverrouiller_grille(gc, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(request, "La grille est déverrouillée : elle est de nouveau modifiable.")
    return redirect(_url_grille(request, gc))
