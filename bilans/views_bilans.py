"""Bilans intermédiaires pages. Views are thin: accessor (queries_bilans) → form → service →
redirect. The chosen diplôme scopes the module: a learner or a bilan of another establishment
or diplôme answers 404; the chef reads only (403 on writes); unlocking is the DDFPT's."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bilans import queries_bilans, rendu_bilan, rendu_tableau, services_bilans
from bilans.forms_bilans import BilanForm, CreerBilanForm
from bilans.models import TEXTE_MAX
from bilans.radar import radar_svg
from cpro import perms
from cpro.erreurs_vues import messages_erreur
from cpro.perms import permission_requise
from cpro.urls_tools import etab_reverse


def _url_bilans(request, apprenant_id=None, bilan_id=None) -> str:
    url = etab_reverse(request, "bilans:bilans")
    params = {}
    if apprenant_id:
        params["apprenant"] = apprenant_id
    if bilan_id:
        params["bilan"] = bilan_id
    return f"{url}?{urlencode(params)}" if params else url


def _erreurs_dans_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for champ, erreurs in exc.error_dict.items():
            form.add_error(champ if champ in form.fields else None, erreurs)
    else:
        form.add_error(None, exc)


def _entier(valeur):
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return None


# --- the bilans page -------------------------------------------------------------------------


@require_GET
@permission_requise(perms.VOIR_TABLEAUX)
def bilans(request: HttpRequest) -> HttpResponse:
    """Choose a division and a learner (?division=, ?apprenant=), then their bilans: a banner of
    dates (?bilan=<pk>, default the last), constats, conseils, note, the table competence ×
    bilans and, with two bilans or more, the radar of the last two."""
    divisions = list(queries_bilans.divisions_du_module(request))
    division_id = _entier(request.GET.get("division"))
    apprenant = None
    if request.GET.get("apprenant"):
        apprenant = queries_bilans.apprenant_pour(request, request.GET["apprenant"])
        if division_id and apprenant.division_id != division_id:
            apprenant = None  # the division was changed: take its first learner
    if division_id is None and apprenant is not None:
        division_id = apprenant.division_id
    division = next((d for d in divisions if d.pk == division_id), None)
    if division is None and apprenant is None and divisions:
        division = divisions[0]
    eleves = list(queries_bilans.apprenants_de_division(division)) if division else []
    if apprenant is None and division_id and eleves:
        apprenant = eleves[0]
    contexte = {
        "divisions": divisions,
        "division": division,
        "eleves": eleves,
        "apprenant": apprenant,
        "peut_rediger": perms.REDIGER_BILANS in request.cpro_perms,
        "peut_deverrouiller": perms.DEVERROUILLER_BILANS in request.cpro_perms,
    }
    if apprenant is not None:
        page = queries_bilans.page_bilans(apprenant, request.diplome, request.GET.get("bilan"))
        ids = [e.pk for e in eleves]
        i = ids.index(apprenant.pk) if apprenant.pk in ids else None
        contexte.update(
            page=page,
            precedent=ids[i - 1] if i else None,
            suivant=ids[i + 1] if i is not None and i + 1 < len(ids) else None,
            peut_supprimer=bool(page.choisi)
            and perms.peut(request.membership, perms.SUPPRIMER_BILANS, page.choisi),
            radar=_radar(page),
        )
    return render(request, "bilans/bilans.html", contexte)


def _radar(page) -> str:
    if len(page.derniers) < 2:
        return ""
    return mark_safe(  # noqa: S308 - built by radar_svg, which escapes every text
        radar_svg(
            [(c.code, c.intitule) for c in page.competences],
            [(f"Bilan du {b.date:%d/%m/%Y}", b.niveaux_par_code) for b in page.derniers],
        )
    )


# --- creation --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_requise(perms.REDIGER_BILANS)
def bilan_creer(request: HttpRequest) -> HttpResponse:
    """GET ?apprenant=<pk>: the date (today by default). POST: create the draft, pre-filled
    from the suggestion, then edit it."""
    source = request.POST if request.method == "POST" else request.GET
    apprenant = queries_bilans.apprenant_pour(request, source.get("apprenant"))
    form = CreerBilanForm(
        request.POST if request.method == "POST" else None,
        initial={"apprenant": apprenant.pk, "date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            bilan = services_bilans.creer_bilan(
                apprenant, par=request.user, date=form.cleaned_data["date"]
            )
        except ValidationError as exc:
            _erreurs_dans_form(form, exc)
        else:
            messages.success(
                request,
                "Le bilan intermédiaire est créé : les niveaux suggérés sont pré-remplis, "
                "vérifiez-les puis complétez les constats et les conseils.",
            )
            return redirect(etab_reverse(request, "bilans:bilan_modifier", pk=bilan.pk))
    return render(request, "bilans/bilan_creer.html", {"form": form, "apprenant": apprenant})


# --- edition ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_requise(perms.REDIGER_BILANS)
def bilan_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's form: date, constats, conseils, note, one level per competence (grouped,
    with the suggestion and why), the évaluations taken into account. A validated bilan is
    read-only: back to the bilans page with the refusal."""
    bilan = queries_bilans.bilan_modifiable(request, pk)
    retour = _url_bilans(request, bilan.apprenant_id, bilan.pk)
    if bilan.est_valide:
        messages.error(request, services_bilans.MESSAGE_VALIDE)
        return redirect(retour)
    edition = queries_bilans.page_edition(bilan)
    lignes = [ligne for g in edition["groupes"] for ligne in g.lignes]
    lignes += edition["transversales"]
    form = BilanForm(
        request.POST if request.method == "POST" else None,
        positionnements=[ligne.positionnement for ligne in lignes],
        initial={
            "date": bilan.date,
            "constats": bilan.constats,
            "conseils": bilan.conseils,
            "note": str(bilan.note).replace(".", ",") if bilan.note is not None else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services_bilans.modifier_bilan(
                bilan,
                par=request.user,
                date=d["date"],
                constats=d["constats"],
                conseils=d["conseils"],
                note=d["note"],
                niveaux=form.niveaux(),
            )
        except ValidationError as exc:
            _erreurs_dans_form(form, exc)
        else:
            messages.success(request, "Le bilan est enregistré.")
            if "valider" in request.POST:
                return _valider(request, bilan, retour)
            return redirect(etab_reverse(request, "bilans:bilan_modifier", pk=bilan.pk))
    # Each competence's markup is built in Python (bilans.rendu_bilan): the posted level when
    # the form comes back with errors, else the stored one.
    erreurs = form.errors if form.is_bound else {}
    # One reverse for every competence: the URL ends with "<competence>/".
    url_pourquoi = etab_reverse(request, "bilans:bilan_pourquoi", pk=bilan.pk, competence=0)
    url_pourquoi = url_pourquoi.removesuffix("0/")
    for ligne in lignes:
        p = ligne.positionnement
        nom = f"niveau_{p.competence_id}"
        ligne.html = rendu_bilan.html_competence(
            ligne,
            courant=form.data.get(nom, "") if form.is_bound else p.niveau,
            erreurs=erreurs.get(nom, ()),
            url_pourquoi=f"{url_pourquoi}{p.competence_id}/",
        )
    return render(
        request,
        "bilans/bilan_modifier.html",
        {
            "bilan": bilan,
            "form": form,
            "retour": retour,
            "html_evaluations": rendu_bilan.html_evaluations(edition["evaluations"]),
            "champs": {
                "date": rendu_bilan.html_champ_saisie(form["date"], type_="date"),
                "constats": rendu_bilan.html_champ_texte(form["constats"], maximum=TEXTE_MAX),
                "conseils": rendu_bilan.html_champ_texte(form["conseils"], maximum=TEXTE_MAX),
                "note": rendu_bilan.html_champ_saisie(
                    form["note"], attrs=' inputmode="decimal" size="6" maxlength="6"'
                ),
            },
            **edition,
        },
    )


@require_GET
@permission_requise(perms.REDIGER_BILANS)
def bilan_pourquoi(request: HttpRequest, pk: int, competence: int) -> HttpResponse:
    """« Pourquoi ? » of one competence of a bilan: the observations behind its suggestion.
    HTMX (the form's `<details>`): the table alone; otherwise a full page (no JavaScript)."""
    bilan = queries_bilans.bilan_modifiable(request, pk)
    p = queries_bilans.pourquoi(bilan, competence)
    n, reste = p.autres
    contexte = {
        "bilan": bilan,
        "p": p,
        "lignes": rendu_tableau.html_contributions(p.contributions),
        "autres": (n, rendu_tableau.virgule(reste)),
        "retour": etab_reverse(request, "bilans:bilan_modifier", pk=bilan.pk),
    }
    gabarit = "bilans/_bilan_pourquoi.html" if request.htmx else "bilans/bilan_pourquoi.html"
    return render(request, gabarit, contexte)


def _valider(request, bilan, retour):
    try:
        services_bilans.valider_bilan(bilan, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(
            request,
            "Le bilan est validé : les évaluations qu'il prend en compte sont verrouillées.",
        )
    return redirect(retour)


@require_POST
@permission_requise(perms.REDIGER_BILANS)
def bilan_valider(request: HttpRequest, pk: int) -> HttpResponse:
    bilan = queries_bilans.bilan_modifiable(request, pk)
    return _valider(request, bilan, _url_bilans(request, bilan.apprenant_id, bilan.pk))


@require_POST
@permission_requise(perms.DEVERROUILLER_BILANS)
def bilan_deverrouiller(request: HttpRequest, pk: int) -> HttpResponse:
    bilan = queries_bilans.bilan_pour(request, pk)
    try:
        services_bilans.deverrouiller_bilan(bilan, par=request.user)
    except ValidationError as exc:
        messages_erreur(request, exc)
    else:
        messages.success(
            request,
            "Le bilan est déverrouillé : il est de nouveau modifiable, ainsi que les "
            "évaluations qu'aucun autre bilan validé ne prend en compte.",
        )
    return redirect(_url_bilans(request, bilan.apprenant_id, bilan.pk))


@require_http_methods(["GET", "POST"])
@permission_requise(perms.REDIGER_BILANS)
def bilan_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirmation. POST: delete the draft (its author or the DDFPT)."""
    bilan = queries_bilans.bilan_supprimable(request, pk)
    if request.method == "POST":
        try:
            services_bilans.supprimer_bilan(bilan, par=request.user)
        except ValidationError as exc:
            messages_erreur(request, exc)
            return redirect(_url_bilans(request, bilan.apprenant_id, bilan.pk))
        messages.success(request, "Le bilan est supprimé.")
        return redirect(_url_bilans(request, bilan.apprenant_id))
    return render(
        request,
        "bilans/bilan_supprimer.html",
        {"bilan": bilan, "retour": _url_bilans(request, bilan.apprenant_id, bilan.pk)},
    )
