"""Documents of the commission de certification: the official PDF of a grid, the ZIP of a
division's locked grids, the recapitulative view and its CSV of notes.

Views are thin: accessor (404 outside the establishment) → form → one service or one query →
redirect or render. PDFs and ZIPs are never rendered in a request: they go through the export
pipeline. The CSV (a few kilobytes) is answered directly.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from certification import queries_documents as queries
from certification import services_documents as services
from cpro import perms
from cpro.models import AnneeScolaire
from cpro.perms import permission_requise
from cpro.urls_tools import etab_reverse

SESSION_MIN, SESSION_MAX = 2000, 2100

# The forms are small and used only here (the module's files are the views/queries/services
# trio of the documents).


class FiltreRecapitulatifForm(forms.Form):
    division = forms.ModelChoiceField(
        label="Division",
        queryset=None,
        required=False,
        empty_label="Toutes les divisions de terminale",
    )
    session = forms.IntegerField(
        label="Session", min_value=SESSION_MIN, max_value=SESSION_MAX, required=False
    )

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions


class ZipGrillesForm(forms.Form):
    division = forms.ModelChoiceField(label="Division", queryset=None)
    epreuve = forms.ModelChoiceField(label="Épreuve", queryset=None)
    session = forms.IntegerField(label="Session", min_value=SESSION_MIN, max_value=SESSION_MAX)

    def __init__(self, *args, divisions, epreuves, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions
        self.fields["epreuve"].queryset = epreuves


def _redirect_export(request, job):
    return redirect(etab_reverse(request, "etab:export_etat", job_id=job.pk))


def _filtres(request):
    """(form, divisions listed, session, chosen division or None) of the recapitulative view;
    an invalid filter falls back to every Terminale division and this year's session."""
    annee = AnneeScolaire.courante()
    divisions = queries.divisions_terminales(request.etablissement, request.diplome, annee)
    form = FiltreRecapitulatifForm(request.GET or None, divisions=divisions)
    division = session = None
    if form.is_valid():
        division = form.cleaned_data["division"]
        session = form.cleaned_data["session"]
    session = session or queries.session_par_defaut(annee)
    return form, ([division] if division else list(divisions)), session, division


@require_POST
@permission_requise(perms.VOIR_CERTIFICATION)
def grille_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the official PDF of one candidate's grid."""
    grille = queries.grille_document_pour(request, pk)
    return _redirect_export(request, services.demander_pdf_grille(grille, par=request.user))


@require_POST
@permission_requise(perms.VOIR_CERTIFICATION)
def grilles_zip(request: HttpRequest) -> HttpResponse:
    """Queue the ZIP of the locked grids of a division for one épreuve and session."""
    form = ZipGrillesForm(
        request.POST,
        divisions=queries.divisions_du_diplome(request.etablissement, request.diplome),
        epreuves=queries.epreuves(request.diplome),
    )
    if not form.is_valid():
        messages.error(
            request, "Choisissez une division, une épreuve et une session valides pour l'export."
        )
        return redirect(etab_reverse(request, "certification:recapitulatif"))
    data = form.cleaned_data
    job = services.demander_zip_grilles(
        etablissement=request.etablissement,
        division=data["division"],
        grille=data["epreuve"],
        session=data["session"],
        par=request.user,
    )
    return _redirect_export(request, job)


@require_GET
@permission_requise(perms.VOIR_CERTIFICATION)
def recapitulatif(request: HttpRequest) -> HttpResponse:
    """« Vue récapitulative » : every candidate of the Terminale divisions × every épreuve of
    the chosen diplôme, with the grid's status, proposed note and members."""
    form, divisions, session, division = _filtres(request)
    recap = queries.recapitulatif(
        request.etablissement,
        epreuves=queries.epreuves(request.diplome),
        divisions=divisions,
        session=session,
    )
    return render(
        request,
        "certification/recapitulatif.html",
        {"form": form, "recap": recap, "division": division, "session": session},
    )


@require_GET
@permission_requise(perms.VOIR_CERTIFICATION)
def recapitulatif_csv(request: HttpRequest) -> HttpResponse:
    """The notes of the recapitulative view (same filters) as a CSV file."""
    _form, divisions, session, division = _filtres(request)
    recap = queries.recapitulatif(
        request.etablissement,
        epreuves=queries.epreuves(request.diplome),
        divisions=divisions,
        session=session,
    )
    nom = services.nom_fichier_csv(
        diplome=request.diplome.intitule_court if request.diplome else "",
        session=session,
        division=division.nom if division else "",
    )
    response = HttpResponse(
        services.recapitulatif_csv(recap), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response
