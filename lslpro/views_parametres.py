"""« Paramètres LSL »: the code matière of each diplôme's spécialité and the divisions' codes
MEF, with their provenance. The chef and the DDFPT read the page (PARAMETRER_LSL); only the
DDFPT changes the codes (ADMINISTRER, re-checked by lslpro.services_parametres)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cpro import perms
from cpro.perms import permission_requise
from cpro.tenancy import sans_diplome
from cpro.urls_tools import etab_reverse
from lslpro import nomenclature, queries
from lslpro import services_parametres as services
from lslpro.forms import CodeMatiereForm, CodeMefForm


def _page(request, *, form_code=None, form_mef=None, status=200):
    annee = queries.annee_courante()
    codes = queries.codes_matiere_page(request.etablissement)
    divisions = list(queries.divisions_annee_page(request.etablissement, annee))
    lignes_codes = [
        {
            "ligne": ligne,
            "form": (
                form_code
                if form_code is not None and form_code.cle == ligne.diplome.pk
                else CodeMatiereForm(
                    cle=ligne.diplome.pk,
                    initial={
                        "diplome": ligne.diplome.pk,
                        "code": ligne.code.code if ligne.code else "",
                        "source": ligne.code.source if ligne.code else "",
                    },
                )
            ),
        }
        for ligne in codes
    ]
    lignes_mef = [
        {
            "division": d,
            "form": (
                form_mef
                if form_mef is not None and form_mef.cle == d.pk
                else CodeMefForm(cle=d.pk, initial={"division": d.pk, "code_mef": d.code_mef})
            ),
        }
        for d in divisions
    ]
    return render(
        request,
        "lslpro/parametres.html",
        {
            "annee": annee,
            "lignes_codes": lignes_codes,
            "lignes_mef": lignes_mef,
            "peut_modifier": perms.ADMINISTRER in request.cpro_perms,
            "factices": sorted(nomenclature.CODES_MATIERE_FACTICES),
        },
        status=status,
    )


def _entier(valeur):
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return None


def _erreurs(form, exc: ValidationError) -> None:
    for champ, erreurs in exc.message_dict.items():
        form.add_error(champ if champ in form.fields else None, erreurs)


@sans_diplome
@require_GET
@permission_requise(perms.PARAMETRER_LSL)
def parametres(request: HttpRequest) -> HttpResponse:
    """The codes the LSL file needs, with their provenance; forms for the DDFPT."""
    return _page(request)


@sans_diplome
@require_POST
@permission_requise(perms.PARAMETRER_LSL, perms.ADMINISTRER)
def code_matiere(request: HttpRequest) -> HttpResponse:
    """Set the code matière of one diplôme's spécialité (lslpro.services_parametres)."""
    diplome = queries.diplome_de(request.etablissement, _entier(request.POST.get("diplome")))
    form = CodeMatiereForm(request.POST, cle=diplome.pk)
    form.cle = diplome.pk
    if form.is_valid():
        try:
            services.definir_code_matiere(
                request.etablissement,
                diplome=diplome,
                code=form.cleaned_data["code"],
                source=form.cleaned_data["source"],
                par=request.user,
            )
        except ValidationError as exc:
            _erreurs(form, exc)
        else:
            messages.success(
                request, f"Le code matière de {diplome.intitule_court} est enregistré."
            )
            return redirect(etab_reverse(request, "lslpro:parametres"))
    return _page(request, form_code=form)


@sans_diplome
@require_POST
@permission_requise(perms.PARAMETRER_LSL, perms.ADMINISTRER)
def code_mef(request: HttpRequest) -> HttpResponse:
    """Set (or clear) one division's code MEF (lslpro.services_parametres)."""
    division = queries.division_de(
        request.etablissement, _entier(request.POST.get("division")), queries.annee_courante()
    )
    form = CodeMefForm(request.POST, cle=division.pk)
    form.cle = division.pk
    if form.is_valid():
        try:
            services.definir_code_mef(
                division, code_mef=form.cleaned_data["code_mef"], par=request.user
            )
        except ValidationError as exc:
            _erreurs(form, exc)
        else:
            messages.success(request, f"Le code MEF de {division.nom} est enregistré.")
            return redirect(etab_reverse(request, "lslpro:parametres"))
    return _page(request, form_mef=form)
