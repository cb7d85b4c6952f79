"""Référentiel pages: browser of the chosen diplôme, printing (export job), and the DDFPT's
maintenance: ODS export (export job), import of the edited ODS or of a JSON document."""

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpro import perms
from cpro.perms import permission_requise
from cpro.services import lancer_export
from cpro.tenancy import sans_diplome
from cpro.urls_tools import etab_reverse
from referentiels import queries
from referentiels.forms import ConfirmationImportForm, ImportReferentielForm
from referentiels.services import (
    ReferentielInvalide,
    charger_referentiel,
    previsualiser_import,
)

ONGLETS = (
    ("activites", "Activités et tâches"),
    ("competences", "Compétences et critères"),
    ("matrice", "Matrice tâches ↔ compétences"),
    ("unites", "Unités et épreuves"),
    ("grilles", "Grilles CCF"),
    ("lsl", "Livret (LSL)"),
)
SESSION_IMPORT = "referentiels_import"


@require_GET
@permission_requise(perms.VOIR_REFERENTIEL)
def navigateur(request: HttpRequest) -> HttpResponse:
    onglet = request.GET.get("onglet", ONGLETS[0][0])
    if onglet not in dict(ONGLETS):
        onglet = ONGLETS[0][0]
    ref = queries.referentiel_complet(request.diplome) if request.diplome else None
    return render(
        request,
        "referentiels/navigateur.html",
        {
            "ref": ref,
            "onglets": ONGLETS,
            "onglet": onglet,
            "voir_provenance": perms.VOIR_PROVENANCE in request.cpro_perms,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_requise(perms.IMPRIMER_REFERENTIEL)
def imprimer(request: HttpRequest) -> HttpResponse:
    diplome = request.diplome
    if request.method == "POST" and diplome is not None:
        job = lancer_export(
            etablissement=request.etablissement,
            par=request.user,
            kind="referentiel_pdf",
            params={"diplome": diplome.pk},
        )
        return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))
    return render(request, "referentiels/imprimer.html", {"diplome": diplome})


@sans_diplome
@require_http_methods(["GET", "POST"])
@permission_requise(perms.IMPORTER_REFERENTIEL)
def administration(request: HttpRequest) -> HttpResponse:
    """GET: loaded diplômes + upload form. POST: upload → preview (nothing written yet)."""
    form = ImportReferentielForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document, rapport, requalifies = previsualiser_import(
            data["document"], confiance=data["confiance"], source=data["source"]
        )
        contexte = {
            "fichier": data["fichier"].name[:200],
            "format": data["format"],
            "confiance": data["confiance"],
            "source": data["source"],
            "requalifies": requalifies,
        }
        confirmation = None
        if rapport.valide:
            jeton = secrets.token_urlsafe(16)
            request.session[SESSION_IMPORT] = {
                "jeton": jeton,
                "document": document,
                "contexte": contexte,
            }
            confirmation = ConfirmationImportForm(initial={"jeton": jeton})
        return render(
            request,
            "referentiels/apercu_import.html",
            {
                "rapport": rapport,
                "confirmation": confirmation,
                "nom_fichier": data["fichier"].name,
                "contexte": contexte,
                "confiance_libelle": dict(form.fields["confiance"].choices).get(data["confiance"]),
            },
        )
    return render(
        request,
        "referentiels/administration.html",
        {
            "form": form,
            "diplomes": queries.diplomes_charges(),
            "diplomes_etablissement": set(
                request.etablissement.diplomes.values_list("pk", flat=True)
            ),
        },
    )


@sans_diplome
@require_POST
@permission_requise(perms.IMPORTER_REFERENTIEL)
def confirmer_import(request: HttpRequest) -> HttpResponse:
    """Writes the previewed document, validated again (the session copy is single-use)."""
    form = ConfirmationImportForm(request.POST)
    en_attente = request.session.get(SESSION_IMPORT) or {}
    if not form.is_valid() or form.cleaned_data["jeton"] != en_attente.get("jeton"):
        messages.error(
            request, "Cet aperçu a expiré ou a déjà été importé : déposez à nouveau le fichier."
        )
        return redirect(etab_reverse(request, "referentiels:administration"))
    del request.session[SESSION_IMPORT]
    try:
        rapport = charger_referentiel(
            en_attente["document"],
            par=request.user,
            etablissement=request.etablissement,
            contexte=en_attente.get("contexte"),
        )
    except ReferentielInvalide as exc:
        for erreur in exc.erreurs[:20]:
            messages.error(request, erreur)
        return redirect(etab_reverse(request, "referentiels:administration"))
    messages.success(request, f"Référentiel importé. {rapport.resume()}")
    return redirect(etab_reverse(request, "referentiels:administration"))


@sans_diplome
@require_POST
@permission_requise(perms.IMPORTER_REFERENTIEL)
def exporter_tableur(request: HttpRequest, diplome_id: int) -> HttpResponse:
    """Queues the ODS export of one loaded diplôme version; → the job's progress page."""
    diplome = get_object_or_404(queries.diplomes_charges(), pk=diplome_id)
    job = lancer_export(
        etablissement=request.etablissement,
        par=request.user,
        kind="referentiel_ods",
        params={"diplome": diplome.pk},
    )
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))
