"""LSL export page (pre-flight, launch, history) and PRONOTE's pull of LSL data.

Views stay thin: form → one service → redirect or render. The XML is never built in a request:
« Lancer l'export » queues an ExportJob (kind "lsl_xml") and redirects to its progress page.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bilans.services_documents import authentifier_pronote
from cpro import perms
from cpro.models import AnneeScolaire
from cpro.perms import permission_requise
from cpro.tenancy import public, sans_diplome
from cpro.urls_tools import etab_reverse
from lslpro import profils
from lslpro import services_export as services


class ExportForm(forms.Form):
    """Year, divisions (all diplômes of the establishment) and profile of an LSL export."""

    annee = forms.TypedChoiceField(label="Année scolaire", coerce=int)
    divisions = forms.ModelMultipleChoiceField(
        label="Divisions",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choisissez au moins une division.",
            "invalid_choice": "Choisissez des divisions de l'année sélectionnée.",
        },
    )
    profil = forms.ChoiceField(
        label="Profil d'export", initial=profils.PROFIL_DEFAUT, required=False
    )
    exclure_incomplets = forms.BooleanField(
        label="Exclure de cet export les apprenants incomplets listés ci-dessus",
        required=False,
    )

    def __init__(self, data=None, *, etablissement, annee=None):
        super().__init__(data)
        self.annees = services.annees(etablissement)
        courante = AnneeScolaire.courante()
        self.fields["annee"].choices = [(a.debut, a.libelle) for a in self.annees]
        self.fields["profil"].choices = [(p.code, p.libelle) for p in profils.PROFILS.values()]
        par_debut = {a.debut: a for a in self.annees}
        try:
            choisie = int((data or {}).get("annee") or annee or courante.debut)
        except (TypeError, ValueError):
            choisie = courante.debut
        self.annee_choisie = par_debut.get(choisie, courante)
        self.fields["annee"].initial = self.annee_choisie.debut
        self.fields["divisions"].queryset = services.divisions_annee(
            etablissement, self.annee_choisie
        )
        self.fields["divisions"].label_from_instance = lambda d: (
            f"{d.nom} ({d.diplome.intitule_court or d.diplome.code})"
        )

    def clean_profil(self):
        return self.cleaned_data["profil"] or profils.PROFIL_DEFAUT


def _page(request, form, verification=None):
    annee = form.annee_choisie
    return render(
        request,
        "lslpro/export.html",
        {
            "form": form,
            "annee": annee,
            "verification": verification,
            "historique": services.historique(request.etablissement, annee)[:20],
            "aucune_division": not form.fields["divisions"].queryset.exists(),
        },
    )


@sans_diplome
@require_GET
@permission_requise(perms.EXPORTER_LSL)
def export(request: HttpRequest) -> HttpResponse:
    """Choose the year and divisions; « Vérifier » shows the pre-flight per learner."""
    verifier = "verifier" in request.GET
    form = ExportForm(
        request.GET if verifier else None,
        etablissement=request.etablissement,
        annee=request.GET.get("annee"),
    )
    verification = None
    if verifier and form.is_valid():
        verification = services.verifier(
            request.etablissement,
            annee=form.annee_choisie,
            divisions=form.cleaned_data["divisions"],
            profil=form.cleaned_data["profil"],
        )
    return _page(request, form, verification)


@sans_diplome
@require_POST
@permission_requise(perms.EXPORTER_LSL)
def export_lancer(request: HttpRequest) -> HttpResponse:
    """Queue the export (refused while a learner is blocking and not explicitly excluded)."""
    form = ExportForm(request.POST, etablissement=request.etablissement)
    if form.is_valid():
        try:
            job = services.demander_export(
                request.etablissement,
                par=request.user,
                annee=form.annee_choisie,
                divisions=form.cleaned_data["divisions"],
                profil=form.cleaned_data["profil"],
                exclure_incomplets=form.cleaned_data["exclure_incomplets"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))
    verification = None
    if form.is_valid():
        verification = services.verifier(
            request.etablissement,
            annee=form.annee_choisie,
            divisions=form.cleaned_data["divisions"],
            profil=form.cleaned_data["profil"],
        )
    return _page(request, form, verification)


# ---------------------------------------------------------------------------------------------
# PRONOTE


class PronoteLslForm(forms.Form):
    annee = forms.IntegerField(min_value=2000, max_value=9999)
    division = forms.CharField(required=False, max_length=40)

    def message(self) -> str:
        if "annee" in self.errors:
            return "Paramètre « annee » absent ou invalide (année de début, par exemple 2026)."
        return "Paramètre « division » invalide."


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
def api_pronote_lsl(request: HttpRequest) -> HttpResponse:
    """PRONOTE's pull of the LSL data of a year (README « LSL Pro »). Bearer token of this
    establishment (bilans.JetonPronote, same authentication as the bilans API)."""
    schema, _, jeton = request.headers.get("Authorization", "").partition(" ")
    if schema.lower() != "bearer" or not jeton.strip():
        return _erreur(401, "Authentification requise : en-tête « Authorization: Bearer <jeton> ».")
    if authentifier_pronote(request.etablissement, jeton.strip()) is None:
        return _erreur(401, "Jeton invalide ou révoqué pour cet établissement.")
    form = PronoteLslForm(request.GET)
    if not form.is_valid():
        return _erreur(400, form.message())
    etab = request.etablissement
    annee = services.annee(form.cleaned_data["annee"])
    division = None
    if annee is not None and form.cleaned_data["division"]:
        division = services.division(etab, annee, form.cleaned_data["division"])
        if division is None:
            return _erreur(400, "Division inconnue pour cette année dans cet établissement.")
    return JsonResponse(
        {
            "etablissement": {"uai": etab.uai, "nom": etab.nom},
            "annee": form.cleaned_data["annee"],
            "annee_scolaire": annee.libelle if annee else "",
            "eleves": services.donnees_pronote(etab, annee, division) if annee else [],
        },
        json_dumps_params={"ensure_ascii": False},
    )
