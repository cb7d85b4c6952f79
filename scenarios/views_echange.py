"""Scénario exports (ODT, DOCX, .scpro) and the .scpro import: upload → preview → confirm.

The previewed file is kept in private storage under a one-time token recorded in the session
(the référentiel import keeps its parsed document in the session; a .scpro may weigh 60 Mo,
too much for a session row). Confirming validates the file again before writing anything.
"""

import datetime
import hashlib
import secrets

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from cpro import perms
from cpro.perms import permission_requise
from cpro.services import lancer_export
from cpro.tenancy import diplomes_accessibles, sans_diplome
from cpro.urls_tools import etab_reverse
from scenarios.echange import TAILLE_FICHIER_MAX, ScproInvalide, analyser_scpro, importer_scpro
from scenarios.queries import scenario_pour

FORMATS_EXPORT = {"odt": "scenario_odt", "docx": "scenario_docx", "scpro": "scenario_scpro"}
SESSION_IMPORT = "scenarios_import_scpro"
# Private storage of the previewed files (never served: there is no media URL).
DOSSIER_ATTENTE = "imports-scpro"


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS_EXPORT])


class ImportScproForm(forms.Form):
    fichier = forms.FileField(
        label=_("Fichier du scénario (.scpro, 60 Mo maximum)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".scpro"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_FICHIER_MAX:
            raise forms.ValidationError(_("Le fichier dépasse la taille maximale de 60 Mo."))
        if not fichier.name.lower().endswith(".scpro"):
            raise forms.ValidationError(_("Le fichier doit être un scénario Cpro (.scpro)."))
        return fichier


class ConfirmationImportForm(forms.Form):
    jeton = forms.CharField(widget=forms.HiddenInput, max_length=64)


@require_POST
@permission_requise(perms.VOIR_SCENARIOS)
def exporter(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the export of a visible scénario, then show the job's progress page."""
    scenario = scenario_pour(request, pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Format d'export inconnu (ODT, DOCX ou .scpro attendu).")
    job = lancer_export(
        etablissement=request.etablissement,
        par=request.user,
        kind=FORMATS_EXPORT[form.cleaned_data["format"]],
        params={"scenario": scenario.pk},
    )
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))


def _diplomes(request):
    return list(diplomes_accessibles(request.membership))


def _oublier_en_attente(request) -> None:
    """Forget (and delete the file of) the import waiting for confirmation in this session, and
    the establishment's previews abandoned for more than a day."""
    en_attente = request.session.pop(SESSION_IMPORT, None) or {}
    if en_attente.get("chemin"):
        default_storage.delete(en_attente["chemin"])
    dossier = f"{DOSSIER_ATTENTE}/{request.etablissement.pk}"
    try:
        _dirs, fichiers = default_storage.listdir(dossier)
    except FileNotFoundError:
        return
    limite = timezone.now() - datetime.timedelta(days=1)
    for nom in fichiers:
        chemin = f"{dossier}/{nom}"
        try:
            if default_storage.get_modified_time(chemin) < limite:
                default_storage.delete(chemin)
        except OSError:
            continue


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.CREER_SCENARIOS)
def importer(request: HttpRequest) -> HttpResponse:
    """GET: upload form. POST: upload → preview (nothing is created yet)."""
    form = ImportScproForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data["fichier"].read()
        apercu = analyser_scpro(
            donnees, etablissement=request.etablissement, diplomes_autorises=_diplomes(request)
        )
        confirmation = None
        _oublier_en_attente(request)
        if apercu.valide:
            jeton = secrets.token_urlsafe(24)
            chemin = default_storage.save(
                f"{DOSSIER_ATTENTE}/{request.etablissement.pk}/{jeton}.scpro", ContentFile(donnees)
            )
            request.session[SESSION_IMPORT] = {
                "jeton": jeton,
                "chemin": chemin,
                "empreinte": hashlib.sha256(donnees).hexdigest(),
                "etablissement": request.etablissement.pk,
            }
            confirmation = ConfirmationImportForm(initial={"jeton": jeton})
        return render(
            request,
            "scenarios/echange_apercu.html",
            {
                "apercu": apercu,
                "confirmation": confirmation,
                "nom_fichier": form.cleaned_data["fichier"].name,
            },
        )
    return render(request, "scenarios/echange_import.html", {"form": form})


@sans_diplome
@require_POST
@permission_requise(perms.CREER_SCENARIOS)
def importer_confirmer(request: HttpRequest) -> HttpResponse:
    """Create the previewed scénario (the token is single-use; the file is validated again)."""
    form = ConfirmationImportForm(request.POST)
    en_attente = request.session.get(SESSION_IMPORT) or {}
    if (
        not form.is_valid()
        or not en_attente.get("jeton")
        or not secrets.compare_digest(
            form.cleaned_data["jeton"].encode(), str(en_attente["jeton"]).encode()
        )
        or en_attente.get("etablissement") != request.etablissement.pk
    ):
        messages.error(
            request, "Cet aperçu a expiré ou a déjà été importé : déposez à nouveau le fichier."
        )
        return redirect(etab_reverse(request, "scenarios:importer"))
    del request.session[SESSION_IMPORT]  # single use, whatever happens next
    try:
        with default_storage.open(en_attente["chemin"], "rb") as f:
            donnees = f.read()
    except OSError:
        donnees = b""
    finally:
        default_storage.delete(en_attente["chemin"])
    if hashlib.sha256(donnees).hexdigest() != en_attente.get("empreinte"):
        messages.error(
            request, "Le fichier de l'aperçu n'est plus disponible : déposez-le à nouveau."
        )
        return redirect(etab_reverse(request, "scenarios:importer"))
    try:
        scenario = importer_scpro(
            donnees,
            etablissement=request.etablissement,
            par=request.user,
            diplomes_autorises=_diplomes(request),
        )
    except ScproInvalide as exc:
        for erreur in exc.erreurs[:20]:
            messages.error(request, erreur)
        return redirect(etab_reverse(request, "scenarios:importer"))
    messages.success(request, f"Le scénario « {scenario.titre} » a été importé.")
    try:
        return redirect(etab_reverse(request, "scenarios:voir", pk=scenario.pk))
    except NoReverseMatch:
        return redirect(etab_reverse(request, "scenarios:importer"))
