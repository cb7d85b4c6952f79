"""Bilan documents: « Générer en PDF », printing a division's bilans, attestations de
compétences acquises, and PRONOTE's pull API with its tokens.

Views are thin: accessor (404 outside the establishment) → form → one service or one export
job → redirect. PDFs are never rendered in a request: they go through the export pipeline.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bilans import forms_documents as forms
from bilans import queries_documents as queries
from bilans import services_documents as services
from cpro import perms
from cpro.perms import permission_requise
from cpro.services import lancer_export
from cpro.templatetags.francais import de_texte
from cpro.tenancy import public, sans_diplome
from cpro.urls_tools import etab_reverse


def _export(request, kind: str, params: dict):
    job = lancer_export(
        etablissement=request.etablissement, par=request.user, kind=kind, params=params
    )
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# ---------------------------------------------------------------------------------------------
# PDFs of bilans


@require_POST
@permission_requise(perms.VOIR_TABLEAUX)
def bilan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """« Générer en PDF » for one bilan."""
    bilan = queries.bilan_pour(request, pk)
    return _export(request, "bilan_pdf", {"bilan": bilan.pk})


@require_http_methods(["GET", "POST"])
@permission_requise(perms.VOIR_TABLEAUX)
def impression_division(request: HttpRequest) -> HttpResponse:
    """Print the latest bilan of every learner of a division of the chosen diplôme."""
    diplome = request.diplome
    divisions = queries.divisions_du_diplome(request.etablissement, diplome)
    form = forms.ImpressionDivisionForm(request.POST or None, divisions=divisions)
    if request.method == "POST" and form.is_valid():
        return _export(
            request,
            "bilans_division_pdf",
            {
                "division": form.cleaned_data["division"].pk,
                "diplome": diplome.pk,
                "valides": form.cleaned_data["bilans"] == form.VALIDES,
            },
        )
    return render(
        request,
        "bilans/impression_division.html",
        {"form": form, "aucune_division": not divisions.exists()},
    )


# ---------------------------------------------------------------------------------------------
# Attestations


@require_http_methods(["GET", "POST"])
@permission_requise(perms.REDIGER_BILANS)
def attestation_competences(request: HttpRequest, pk: int) -> HttpResponse:
    """Check « Compétence validée » on the bilan's competences (GET shows them with their
    criteria; POST saves the boxes)."""
    bilan = queries.bilan_pour(request, pk)
    lignes = queries.competences_attestation(bilan)
    form = forms.CompetencesValideesForm(request.POST or None, lignes=lignes)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.valider_competences(
                bilan, form.cleaned_data["competences"], par=request.user
            )
        except ValidationError as exc:
            form.add_error(None, _message(exc))
        else:
            if codes:
                messages.success(request, f"Compétences validées : {', '.join(codes)}.")
            else:
                messages.warning(request, "Aucune compétence n'est validée pour ce bilan.")
            return redirect(etab_reverse(request, "bilans:attestation_competences", pk=bilan.pk))
    return render(
        request,
        "bilans/attestation_competences.html",
        {
            "bilan": bilan,
            "lignes": lignes,
            "form": form,
            "nb_validees": sum(1 for ligne in lignes if ligne.validee),
            "historique": bilan.attestations.order_by("-date", "-pk"),
        },
    )


@require_POST
@permission_requise(perms.REDIGER_BILANS)
def attestation_generer(request: HttpRequest, pk: int) -> HttpResponse:
    """Create the attestation (validated competences of the bilan) and queue its PDF."""
    bilan = queries.bilan_pour(request, pk)
    try:
        attestation = services.generer_attestation(bilan, par=request.user)
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return redirect(etab_reverse(request, "bilans:attestation_competences", pk=bilan.pk))
    return _export(request, "attestation_pdf", {"attestation": attestation.pk})


@require_GET
@permission_requise(perms.VOIR_TABLEAUX)
def attestations(request: HttpRequest) -> HttpResponse:
    """History of the establishment's attestations for the chosen diplôme."""
    divisions = queries.divisions_du_diplome(request.etablissement, request.diplome)
    form = forms.FiltreAttestationsForm(request.GET or None, divisions=divisions)
    division = form.cleaned_data["division"] if form.is_valid() else None
    qs = queries.attestations(request.etablissement, request.diplome, division)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "bilans/attestations.html",
        {"form": form, "page": page, "division": division},
    )


@require_POST
@permission_requise(perms.VOIR_TABLEAUX)
def attestation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    attestation = queries.attestation_pour(request, pk)
    return _export(request, "attestation_pdf", {"attestation": attestation.pk})


@require_POST
@permission_requise(perms.SIGNER_ATTESTATIONS)
def attestation_signer(request: HttpRequest, pk: int) -> HttpResponse:
    """The chef d'établissement records their signature."""
    attestation = queries.attestation_pour(request, pk)
    try:
        services.signer_attestation(attestation, par=request.user)
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"Attestation {de_texte(attestation.apprenant)} marquée signée.")
    return redirect(etab_reverse(request, "bilans:attestations"))


# ---------------------------------------------------------------------------------------------
# PRONOTE


@never_cache
@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PRONOTE)
def pronote_jetons(request: HttpRequest) -> HttpResponse:
    """The DDFPT's PRONOTE tokens. A new token is shown once, in this response only."""
    form = forms.JetonPronoteForm(request.POST or None)
    nouveau = clair = None
    if request.method == "POST" and form.is_valid():
        try:
            nouveau, clair = services.creer_jeton_pronote(
                request.etablissement, nom=form.cleaned_data["nom"], par=request.user
            )
        except ValidationError as exc:
            form.add_error("nom", _message(exc))
        else:
            form = forms.JetonPronoteForm()
    return render(
        request,
        "bilans/pronote_jetons.html",
        {
            "form": form,
            "jetons": queries.jetons(request.etablissement),
            "nouveau": nouveau,
            "clair": clair,
            "api_url": request.build_absolute_uri(
                etab_reverse(request, "bilans:api_pronote_bilans")
            ),
        },
    )


@sans_diplome
@require_POST
@permission_requise(perms.GERER_PRONOTE)
def pronote_revoquer(request: HttpRequest, pk: int) -> HttpResponse:
    jeton = queries.jeton_pour(request, pk)
    try:
        services.revoquer_jeton_pronote(jeton, par=request.user)
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"Le jeton « {jeton.nom} » est révoqué.")
    return redirect(etab_reverse(request, "bilans:pronote_jetons"))


def _erreur(status: int, message: str) -> JsonResponse:
    response = JsonResponse(
        {"erreur": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="Cpro PRONOTE"'
    return response


@public
@never_cache
@require_GET
def api_pronote_bilans(request: HttpRequest) -> HttpResponse:
    """PRONOTE's pull of validated bilans (README « PRONOTE »). Authenticated by a bearer token
    of this establishment only; no session, no CSRF (read-only GET)."""
    entete = request.headers.get("Authorization", "")
    schema, _, jeton = entete.partition(" ")
    if schema.lower() != "bearer" or not jeton.strip():
        return _erreur(401, "Authentification requise : en-tête « Authorization: Bearer <jeton> ».")
    if services.authentifier_pronote(request.etablissement, jeton.strip()) is None:
        return _erreur(401, "Jeton invalide ou révoqué pour cet établissement.")
    form = forms.PeriodePronoteForm(request.GET)
    if not form.is_valid():
        return _erreur(400, form.message())
    du, au = form.cleaned_data["du"], form.cleaned_data["au"]
    etab = request.etablissement
    return JsonResponse(
        {
            "etablissement": {"uai": etab.uai, "nom": etab.nom},
            "du": du.isoformat(),
            "au": au.isoformat(),
            "bilans": queries.bilans_pronote(etab, du, au),
        },
        json_dumps_params={"ensure_ascii": False},
    )
