"""Pages of the Suivi de projet (chef-d'œuvre). Views are thin: accessor (projets.queries, 404
outside what the request may see) → form → one service (projets.services) → redirect or
render. The learner's record is one page for everyone who may open it: the learner writes his
carnet de bord there, teachers comment and assess, other staff and the tutor read.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import perms
from cpro.erreurs_vues import appliquer_service, messages_erreur
from cpro.perms import permission_requise
from cpro.ressources import telecharger_ressource
from cpro.services import lancer_export
from cpro.urls_tools import etab_reverse
from projets import queries, regles, services
from projets.forms import (
    CommentaireForm,
    EntreeForm,
    EtapeFormSet,
    EvaluationForm,
    ProjetForm,
    etapes_du_projet,
    etapes_initiales,
    initial_projet,
)


def _champs(donnees: dict, etapes) -> dict:
    """The project form's fields and stages, as `creer_projet` / `modifier_projet` take them."""
    champs = ("titre", "description", "divisions", "apprenants", "enseignants")
    return {**{c: donnees[c] for c in champs}, "etapes": [f.cleaned_data for f in etapes.forms]}


def _url_dossier(request, projet, apprenant, ancre: str = "") -> str:
    url = etab_reverse(request, "projets:dossier", pk=projet.pk, apprenant=apprenant.pk)
    return f"{url}#{ancre}" if ancre else url


# --- staff ----------------------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_PROJETS)
def suivi(request: HttpRequest) -> HttpResponse:
    """« Suivi de projet »: per division of the chosen diplôme, each projet's progress by stage
    and each learner's status."""
    divisions = list(queries.divisions_suivi(request.etablissement, request.diplome))
    choisie = next((d for d in divisions if str(d.pk) == request.GET.get("division")), None)
    if choisie is None and divisions:
        choisie = divisions[0]
    lignes = queries.suivi_division(request.etablissement, choisie) if choisie else []
    return render(
        request,
        "projets/suivi.html",
        {
            "divisions": divisions,
            "division": choisie,
            "lignes": lignes,
            "peut_gerer": perms.GERER_PROJETS in request.cpro_perms,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PROJETS)
def projet_creer(request: HttpRequest) -> HttpResponse:
    """Create a projet: title, description, divisions, team, teachers and dated stages."""
    qs_divisions = queries.divisions_suivi(request.etablissement, request.diplome)
    post = request.POST if request.method == "POST" else None
    form = ProjetForm(post, etablissement=request.etablissement, divisions=qs_divisions)
    etapes = EtapeFormSet(post, prefix="etapes", initial=None if post else etapes_initiales())
    if request.method == "POST" and form.is_valid() and etapes.is_valid():
        d = form.cleaned_data
        projet = appliquer_service(
            form,
            lambda: services.creer_projet(
                request.etablissement, par=request.user, **_champs(d, etapes)
            ),
        )
        if projet is not None:
            messages.success(request, "Le projet est créé.")
            return redirect(etab_reverse(request, "projets:projet", pk=projet.pk))
    return render(
        request, "projets/projet_creer.html", {"form": form, "etapes": etapes, "projet": None}
    )


@require_GET
@permission_requise(perms.VOIR_PROJETS)
def projet(request: HttpRequest, pk: int) -> HttpResponse:
    """A projet: description, divisions, teachers, stages with deliverables, the team; for its
    teachers and the DDFPT, « Modifier », « Archiver » and « Supprimer »."""
    p = queries.projet_pour(request, pk)
    return render(
        request,
        "projets/projet.html",
        {
            "projet": p,
            "etapes": queries.etapes_avec_etat(p),
            "encadre": regles.encadre(request.membership, p),
        },
    )


def _projet_encadre(request, pk):
    """The projet (404 outside the establishment), 403 unless the request is one of its
    teachers or the DDFPT."""
    p = queries.projet_pour(request, pk)
    if not regles.encadre(request.membership, p):
        raise PermissionDenied
    return p


@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PROJETS)
def projet_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a projet: the creation's form filled in, its stages editable (a blank row adds a
    stage, « Supprimer cette étape » removes one)."""
    p = _projet_encadre(request, pk)
    if p.archive:
        messages.error(request, "Ce projet est archivé : désarchivez-le pour le modifier.")
        return redirect(etab_reverse(request, "projets:projet", pk=p.pk))
    qs_divisions = queries.divisions_modifiables(request.etablissement, request.diplome, p)
    post = request.POST if request.method == "POST" else None
    form = ProjetForm(
        post, etablissement=request.etablissement, divisions=qs_divisions, initial=initial_projet(p)
    )
    etapes = EtapeFormSet(post, prefix="etapes", initial=None if post else etapes_du_projet(p))
    if request.method == "POST" and form.is_valid() and etapes.is_valid():
        d = form.cleaned_data
        modifie = appliquer_service(
            form,
            lambda: services.modifier_projet(p, par=request.user, **_champs(d, etapes)),
        )
        if modifie is not None:
            messages.success(request, "Le projet est modifié.")
            return redirect(etab_reverse(request, "projets:projet", pk=p.pk))
    return render(
        request,
        "projets/projet_creer.html",
        {"form": form, "etapes": etapes, "projet": p},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@permission_requise(perms.GERER_PROJETS)
def projet_archiver(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive the projet (`archive=1`) or restore it (`archive=0`)."""
    p = _projet_encadre(request, pk)
    archive = request.POST.get("archive") != "0"
    services.archiver_projet(p, par=request.user, archive=archive)
    messages.success(
        request,
        "Le projet est archivé : il quitte le suivi de projet et reste consultable en lecture "
        "seule."
        if archive
        else "Le projet est désarchivé.",
    )
    return redirect(etab_reverse(request, "projets:projet", pk=p.pk))


@require_POST
@permission_requise(perms.GERER_PROJETS)
def projet_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a projet without learners' data (otherwise the page says to archive it)."""
    p = _projet_encadre(request, pk)
    try:
        services.supprimer_projet(p, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
        return redirect(etab_reverse(request, "projets:projet", pk=p.pk))
    messages.success(request, f"Le projet « {p.titre} » est supprimé.")
    return redirect(etab_reverse(request, "projets:suivi"))


# --- the learner's record -------------------------------------------------------------------


@require_GET
def dossier(request: HttpRequest, pk: int, apprenant: int) -> HttpResponse:
    """A learner's record in a projet: stages, carnet de bord, comments, assessments. The learner
    writes his carnet; teachers comment and assess; other staff and the tutor read."""
    projet, eleve = queries.dossier_pour(request, pk, apprenant)
    return _page_dossier(request, projet, eleve)


def _page_dossier(request, projet, eleve, **forms) -> HttpResponse:
    d = queries.dossier(projet, eleve)
    granted = request.cpro_perms
    # An archived projet is read only: no form is offered (the services refuse anyway).
    actif = not projet.archive
    ecrire = actif and perms.MON_PROJET in granted and eleve.membership_id == request.membership.pk
    gerer = actif and perms.GERER_PROJETS in granted
    ctx = {
        "d": d,
        "projet": projet,
        "apprenant": eleve,
        "ecrire": ecrire,
        "gerer": gerer,
        "equipe": perms.VOIR_PROJETS in granted,
        "tuteur": perms.PROJETS_TUTEUR in granted,
    }
    if ecrire:
        ctx["entree_form"] = forms.get(
            "entree_form", EntreeForm(initial={"date": timezone.localdate()})
        )
    if gerer:
        ctx["commentaire_form"] = forms.get("commentaire_form", CommentaireForm())
        ev = d.evaluation_courante
        ctx["evaluation_form"] = forms.get(
            "evaluation_form",
            EvaluationForm(
                initial={
                    "appreciation": ev.appreciation if ev else "",
                    "note": str(ev.note).replace(".", ",") if ev and ev.note is not None else "",
                    "valider": bool(ev and ev.validee),
                }
            ),
        )
    status = 400 if forms else 200
    return render(request, "projets/dossier.html", ctx, status=status)


@require_POST
@permission_requise(perms.MON_PROJET)
def entree_ajouter(request: HttpRequest, pk: int, apprenant: int) -> HttpResponse:
    """The learner adds a dated entry (text, optional file or link) to his carnet de bord."""
    projet, eleve = queries.dossier_pour(request, pk, apprenant)
    form = EntreeForm(request.POST, request.FILES)
    if form.is_valid():
        c = form.cleaned_data
        if appliquer_service(
            form,
            lambda: services.ajouter_entree(
                projet,
                eleve,
                par=request.user,
                date=c["date"],
                texte=c["texte"],
                fichier=c["fichier"],
                url=c["url"],
            ),
        ):
            messages.success(request, "L'entrée est ajoutée au carnet de bord.")
            return redirect(_url_dossier(request, projet, eleve, "carnet"))
    return _page_dossier(request, projet, eleve, entree_form=form)


@require_POST
@permission_requise(perms.GERER_PROJETS)
def commenter(request: HttpRequest, pk: int, apprenant: int) -> HttpResponse:
    """A teacher's comment on the learner's work."""
    projet, eleve = queries.dossier_pour(request, pk, apprenant)
    form = CommentaireForm(request.POST)
    if form.is_valid() and appliquer_service(
        form,
        lambda: services.commenter(
            projet, eleve, par=request.user, texte=form.cleaned_data["texte"]
        ),
    ):
        messages.success(request, "Le commentaire est enregistré.")
        return redirect(_url_dossier(request, projet, eleve, "commentaires"))
    return _page_dossier(request, projet, eleve, commentaire_form=form)


@require_POST
@permission_requise(perms.GERER_PROJETS)
def evaluer(request: HttpRequest, pk: int, apprenant: int) -> HttpResponse:
    """The year's assessment (appréciation ≤ 300, note /20), validated or not."""
    projet, eleve = queries.dossier_pour(request, pk, apprenant)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        evaluation = appliquer_service(
            form,
            lambda: services.enregistrer_evaluation(
                projet,
                eleve,
                par=request.user,
                appreciation=c["appreciation"],
                note=c["note"],
                valider=c["valider"],
            ),
        )
        if evaluation is not None:
            messages.success(
                request,
                "L'évaluation est validée : elle sera reprise dans le livret scolaire."
                if evaluation.validee
                else "L'évaluation est enregistrée (non validée).",
            )
            return redirect(_url_dossier(request, projet, eleve, "evaluation"))
    return _page_dossier(request, projet, eleve, evaluation_form=form)


# The exporter of each reader of a record (projets.exporters): the staff, the learner himself,
# the tutor — the first permission the request holds decides.
_KINDS_PDF = (
    (perms.VOIR_PROJETS, "projet_dossier_pdf"),
    (perms.MON_PROJET, "projet_dossier_pdf_apprenant"),
    (perms.PROJETS_TUTEUR, "projet_dossier_pdf_tuteur"),
)


@require_POST
def dossier_pdf(request: HttpRequest, pk: int, apprenant: int) -> HttpResponse:
    """« Générer en PDF » the learner's project record (export pipeline), for whoever may open
    the record: staff, the learner himself, his tutor (another learner's record → 404)."""
    kind = next((k for perm, k in _KINDS_PDF if perm in request.cpro_perms), None)
    if kind is None:
        raise PermissionDenied
    projet, eleve = queries.dossier_pour(request, pk, apprenant)
    job = lancer_export(
        etablissement=request.etablissement,
        par=request.user,
        kind=kind,
        params={"projet": projet.pk, "apprenant": eleve.pk},
    )
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))


@require_GET
def entree_fichier(request: HttpRequest, pk: int) -> HttpResponse:
    """The file of a carnet entry, for whoever may open the learner's record (attachment)."""
    entree = queries.entree_pour(request, pk)
    # cpro.ressources serves a fiche's resource: an entry without a file answers 404 as a link.
    entree.type = "FICHIER" if entree.fichier else "LIEN"
    return telecharger_ressource(entree)


# --- learner and tutor ----------------------------------------------------------------------


@require_GET
@permission_requise(perms.MON_PROJET)
def mon_projet(request: HttpRequest) -> HttpResponse:
    """The learner's projets (chef-d'œuvre), each with a link to his record."""
    return render(
        request,
        "projets/mes_projets.html",
        {"projets": queries.projets_de_apprenants(request), "tuteur": False},
    )


@require_GET
@permission_requise(perms.PROJETS_TUTEUR)
def tuteur(request: HttpRequest) -> HttpResponse:
    """The projets of the learners the tutor follows in PFMP (read only)."""
    return render(
        request,
        "projets/mes_projets.html",
        {"projets": queries.projets_de_apprenants(request), "tuteur": True},
    )
