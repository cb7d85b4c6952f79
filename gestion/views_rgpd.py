"""RGPD pages of the DDFPT administration: export a learner's data, erase a learner who left.

Thin views: accessor (another establishment's learner → 404) → service (gestion.rgpd).
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cpro import perms
from cpro.erreurs_vues import appliquer_service
from cpro.perms import permission_requise
from cpro.tenancy import sans_diplome
from cpro.urls_tools import etab_reverse
from gestion import queries, rgpd


class ConfirmationEffacementForm(forms.Form):
    confirmation = forms.BooleanField(
        label="Je confirme l'effacement définitif de ces données.",
        error_messages={"required": "Cochez la case pour confirmer l'effacement."},
    )


@sans_diplome
@require_POST
@permission_requise(perms.GERER_PERSONNES)
def rgpd_exporter(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the ZIP of everything Cpro holds about the learner (JSON, PDF, book media)."""
    apprenant = queries.apprenant_pour(request, pk)
    job = rgpd.demander_export(apprenant, par=request.user)
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.GERER_PERSONNES)
def rgpd_effacer(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation page (what is deleted, what is kept), then the erasure."""
    apprenant = queries.apprenant_pour(request, pk)
    form = ConfirmationEffacementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        resultat = appliquer_service(
            form, lambda: rgpd.effacer_apprenant(apprenant, par=request.user)
        )
        if resultat is not None:
            messages.success(
                request,
                "Les données personnelles de l'apprenant ont été effacées. Son dossier scolaire "
                "et de certification est conservé sous le nom "
                f"« {resultat['pseudonyme']} ».",
            )
            return redirect(etab_reverse(request, "gestion:apprenant_modifier", pk=apprenant.pk))
        apprenant.refresh_from_db()
    return render(
        request,
        "gestion/rgpd_effacer.html",
        {
            "apprenant": apprenant,
            "form": form,
            "refus": rgpd.motif_refus_effacement(apprenant),
            "apercu": rgpd.apercu_effacement(apprenant),
        },
    )
