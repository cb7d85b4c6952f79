"""The positioning grid: teachers read and enter it (cell autosave via HTMX, row/column fill,
a plain form without JavaScript), learners read their own row and apprentices export their
positioning. Views are thin: accessor → form → service → partial or redirect.
"""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_POST

from cpro import perms
from cpro.maitrise import OPTIONS_NIVEAU, Maitrise
from cpro.perms import permission_requise
from cpro.services import lancer_export
from cpro.urls_tools import etab_reverse
from evaluations import queries_grille, rendu_grille, services_grille

# "NE" then "1 −−" … "4 ++": the code and the symbol of cpro.maitrise.


# Small request forms of the grid (shape only; the rules are in services_grille).
class SaisieForm(forms.Form):
    apprenant = forms.IntegerField()
    critere = forms.IntegerField()
    niveau = forms.CharField(required=False, max_length=4)


class RemplirForm(forms.Form):
    apprenant = forms.IntegerField(required=False)
    critere = forms.IntegerField(required=False)
    niveau = forms.ChoiceField(choices=[(m.value, m.label) for m in Maitrise])
    mode = forms.ChoiceField(
        choices=[(services_grille.VIDES, "vides"), (services_grille.TOUS, "tous")],
        required=False,
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("apprenant")) == bool(data.get("critere")):
            raise ValidationError(
                "Choisissez soit un apprenant (ligne), soit un critère (colonne)."
            )
        return data


class CommentaireForm(forms.Form):
    apprenant = forms.IntegerField()
    commentaire = forms.CharField(
        required=False, max_length=services_grille.COMMENTAIRE_MAX, strip=True
    )


_CELLULE = re.compile(r"^c-(\d+)-(\d+)$")
_COMMENTAIRE = re.compile(r"^m-(\d+)$")


def changements_postes(post) -> tuple[list[services_grille.Changement], dict[int, str]]:
    """Cells and comments of the no-JS form whose value differs from the original the page
    carried (hidden fields o-… / om-…): only what this user changed is written."""
    changements, commentaires = [], {}
    for key in post:
        if m := _CELLULE.match(key):
            valeur, origine = post.get(key, ""), post.get(f"o-{m[1]}-{m[2]}", "")
            if valeur != origine:
                changements.append(services_grille.Changement(int(m[1]), int(m[2]), valeur))
        elif m := _COMMENTAIRE.match(key):
            valeur, origine = post.get(key, ""), post.get(f"om-{m[1]}", "")
            if valeur.strip() != origine.strip():
                commentaires[int(m[1])] = valeur
    return changements, commentaires


def _messages_erreur(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _editable(request, evaluation) -> bool:
    return not evaluation.verrouillee and perms.peut(
        request.membership, perms.SAISIR_EVALUATIONS, evaluation
    )


def _formulaire(request) -> bool:
    """The "Saisie sans JavaScript" page (`?formulaire=1`): a <select> per cell and one
    "Enregistrer" button, instead of the cell buttons grille.js drives."""
    return (request.GET.get("formulaire") or request.POST.get("formulaire")) == "1"


def _contexte_grille(request, evaluation, **extra) -> dict:
    editable = _editable(request, evaluation)
    formulaire = _formulaire(request)
    grille = rendu_grille.preparer(
        queries_grille.grille(evaluation), editable=editable, formulaire=formulaire
    )
    return {
        "evaluation": evaluation,
        "grille": grille,
        "editable": editable,
        "formulaire": formulaire,
        # The levels of "Remplir une ligne ou une colonne" (the cells carry theirs in HTML).
        "options_niveau": OPTIONS_NIVEAU,
        # The one menu of levels shared by every cell (evaluations/_grille_menu.html).
        "choix_menu": rendu_grille.CHOIX_MENU,
        **extra,
    }


def _vers_grille(request, evaluation_pk, *, formulaire=False):
    url = etab_reverse(request, "evaluations:grille", pk=evaluation_pk)
    return redirect(f"{url}?formulaire=1" if formulaire else url)


@require_GET
@permission_requise(perms.VOIR_EVALUATIONS)
def grille(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = queries_grille.evaluation_pour(request, pk)
    template = "evaluations/_grille.html" if request.htmx else "evaluations/grille.html"
    return render(request, template, _contexte_grille(request, evaluation))


@require_POST
@permission_requise(perms.SAISIR_EVALUATIONS)
def saisir(request: HttpRequest, pk: int) -> HttpResponse:
    """One cell (HTMX autosave): answers the cell, "enregistré" or the error. The évaluation,
    learner, criterion, lock, writer and stored level are read in one query
    (queries_grille.cible_saisie), then the service writes."""
    form = SaisieForm(request.POST)
    if not form.is_valid():
        queries_grille.evaluation_pour(request, pk)  # another establishment's: 404 first
        return render(
            request,
            "evaluations/_grille_message.html",
            {"message": "Requête incomplète : apprenant, critère et niveau attendus."},
            status=400,
        )
    data = form.cleaned_data
    cible = queries_grille.cible_saisie(request, pk, data["apprenant"], data["critere"])
    etat, message, status = "ok", "", 200
    try:
        _ancien, niveau = services_grille.saisir_cible(cible, data["niveau"], par=request.user)
    except ValidationError as exc:
        # The cell shows what is stored.
        etat, message, status, niveau = "erreur", _messages_erreur(exc), 422, cible.ancien
    if not request.htmx:
        if status == 200:
            messages.success(request, "Résultat enregistré.")
        else:
            messages.error(request, message)
        return _vers_grille(request, pk)
    html = rendu_grille.html_case(
        cible.apprenant_id,
        cible.critere_id,
        niveau or "",
        editable=True,
        nom=escape(cible.nom),
        code=escape(cible.code),
        etat=etat,
        message=message,
    )
    return HttpResponse(html, status=status)


@require_POST
@permission_requise(perms.SAISIR_EVALUATIONS)
def remplir(request: HttpRequest, pk: int) -> HttpResponse:
    """A whole row or column with one level (only empty cells unless "tous")."""
    evaluation = queries_grille.evaluation_pour(request, pk)
    form = RemplirForm(request.POST)
    message, erreur = "", ""
    if form.is_valid():
        data = form.cleaned_data
        apprenant = critere = None
        if data["apprenant"]:
            apprenant = queries_grille.apprenant_de_la_grille(evaluation, data["apprenant"])
        else:
            critere = queries_grille.critere_de_la_grille(evaluation, data["critere"])
        try:
            n = services_grille.remplir(
                evaluation,
                data["niveau"],
                par=request.user,
                apprenant=apprenant,
                critere=critere,
                mode=data["mode"] or services_grille.VIDES,
            )
        except ValidationError as exc:
            erreur = _messages_erreur(exc)
        else:
            message = f"{n} case(s) remplie(s)." if n else "Aucune case à remplir."
    else:
        erreur = " ".join(e for errs in form.errors.values() for e in errs)
    if request.htmx:
        return render(
            request,
            "evaluations/_grille.html",
            _contexte_grille(request, evaluation, message=message, erreur=erreur),
            status=422 if erreur else 200,
        )
    if erreur:
        messages.error(request, erreur)
    else:
        messages.success(request, message)
    return _vers_grille(request, evaluation.pk, formulaire=_formulaire(request))


@require_POST
@permission_requise(perms.SAISIR_EVALUATIONS)
def enregistrer(request: HttpRequest, pk: int) -> HttpResponse:
    """The no-JS form of the whole grid: writes only the cells and comments that changed."""
    evaluation = queries_grille.evaluation_pour(request, pk)
    changements, commentaires = changements_postes(request.POST)
    try:
        n = services_grille.enregistrer_grille(
            evaluation, changements, par=request.user, commentaires=commentaires
        )
    except ValidationError as exc:
        messages.error(request, _messages_erreur(exc))
    else:
        messages.success(
            request, f"{n} modification(s) enregistrée(s)." if n else "Aucune modification."
        )
    # Only the no-JS page posts this form: back to it.
    return _vers_grille(request, evaluation.pk, formulaire=True)


@require_POST
@permission_requise(perms.SAISIR_EVALUATIONS)
def commenter(request: HttpRequest, pk: int) -> HttpResponse:
    """The comment for one learner (HTMX autosave answers the comment cell)."""
    evaluation = queries_grille.evaluation_pour(request, pk)
    form = CommentaireForm(request.POST)
    if not form.is_valid():
        erreur = " ".join(e for errs in form.errors.values() for e in errs)
        if "commentaire" in form.errors:
            erreur = f"Le commentaire dépasse {services_grille.COMMENTAIRE_MAX} caractères."
        return render(request, "evaluations/_grille_message.html", {"message": erreur}, status=422)
    apprenant = queries_grille.apprenant_de_la_grille(evaluation, form.cleaned_data["apprenant"])
    etat, message, status = "ok", "", 200
    try:
        services_grille.commenter(
            evaluation, apprenant, form.cleaned_data["commentaire"], par=request.user
        )
    except ValidationError as exc:
        etat, message, status = "erreur", _messages_erreur(exc), 422
    if not request.htmx:
        if status == 200:
            messages.success(request, "Commentaire enregistré.")
        else:
            messages.error(request, message)
        return _vers_grille(request, evaluation.pk)
    return render(
        request,
        "evaluations/_cellule_commentaire.html",
        {
            "apprenant": apprenant,
            "commentaire": queries_grille.commentaire(evaluation, apprenant),
            "editable": True,
            "etat": etat,
            "message": message,
        },
        status=status,
    )


# Learners -------------------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_MES_EVALUATIONS)
def mes_grilles(request: HttpRequest) -> HttpResponse:
    apprenant = queries_grille.apprenant_de(request)
    return render(
        request,
        "evaluations/mes_grilles.html",
        {"apprenant": apprenant, "evaluations": queries_grille.mes_evaluations(apprenant)},
    )


@require_GET
@permission_requise(perms.VOIR_MES_EVALUATIONS)
def ma_grille(request: HttpRequest, pk: int) -> HttpResponse:
    apprenant = queries_grille.apprenant_de(request)
    evaluation = queries_grille.ma_evaluation(request, apprenant, pk)
    return render(
        request,
        "evaluations/mes_grille.html",
        {
            "apprenant": apprenant,
            "evaluation": evaluation,
            "grille": rendu_grille.preparer(
                queries_grille.grille(evaluation, apprenant=apprenant), editable=False
            ),
            "editable": False,
            "formulaire": False,
        },
    )


@require_POST
@permission_requise(perms.VOIR_MES_EVALUATIONS)
def exporter_apprenti(request: HttpRequest) -> HttpResponse:
    """EXPORTER POUR L'APPRENTI: the apprentice's positioning as a PDF (apprentices only)."""
    apprenant = queries_grille.apprenant_de(request)
    if not apprenant.est_apprenti:
        raise PermissionDenied
    job = lancer_export(
        etablissement=request.etablissement,
        par=request.user,
        kind="positionnement_apprenti",
        params={"apprenant": apprenant.pk},
    )
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))
