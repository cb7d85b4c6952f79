"""Read side of the bilan documents: PDFs, attestations and the PRONOTE pull.

Accessors take the request and answer 404 for another establishment's object (or a diplôme the
membership does not work on). The query functions own their select/prefetch so that the pages,
the exporters and the PRONOTE API run a constant number of queries whatever the data.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from bilans.models import Attestation, BilanIntermediaire, JetonPronote, Positionnement
from cpro.maitrise import rendu
from cpro.models import Apprenant, Division
from referentiels.models import Competence, Critere

# ---------------------------------------------------------------------------------------------
# Accessors (request → object, 404 outside the establishment)


def _diplomes_pks(request) -> list[int]:
    return [d.pk for d in getattr(request, "diplomes", [])]


def bilan_pour(request, pk) -> BilanIntermediaire:
    """A bilan of this establishment, on a diplôme the membership works on; else 404."""
    return get_object_or_404(
        BilanIntermediaire.objects.select_related(
            "apprenant__membership__user", "apprenant__division", "diplome", "auteur"
        ),
        pk=pk,
        etablissement=request.etablissement,
        diplome__in=_diplomes_pks(request),
    )


def attestation_pour(request, pk) -> Attestation:
    """An attestation of this establishment, on a diplôme the membership works on; else 404."""
    return get_object_or_404(
        Attestation.objects.select_related("apprenant__membership__user", "diplome"),
        pk=pk,
        etablissement=request.etablissement,
        diplome__in=_diplomes_pks(request),
    )


def jeton_pour(request, pk) -> JetonPronote:
    return get_object_or_404(JetonPronote, pk=pk, etablissement=request.etablissement)


# ---------------------------------------------------------------------------------------------
# Formatting helpers shared by pages, PDFs and the API


def note_fr(note: Decimal | None) -> str:
    """12.50 → "12,5", 14.00 → "14" (decimal comma, no trailing zeros); None → ""."""
    if note is None:
        return ""
    return format(Decimal(note).normalize(), "f").replace(".", ",")


def note_api(note: Decimal | None) -> str | None:
    """12.50 → "12.5" (the API speaks JSON: decimal point)."""
    return None if note is None else note_fr(note).replace(",", ".")


# ---------------------------------------------------------------------------------------------
# The bilan document (PDF): competences × the learner's bilans up to this one


@dataclass
class LigneCompetence:
    competence: Competence
    cellules: list  # one cpro.maitrise.Rendu per column (NE when the bilan has no positioning)


@dataclass
class DocumentBilan:
    bilan: BilanIntermediaire
    colonnes: list[BilanIntermediaire]  # chronological, the last one is `bilan`
    lignes: list[LigneCompetence]
    note: str
    radar: str = ""  # inline SVG (bilans.radar), empty when unavailable or < 2 bilans
    apprenant_nom: str = ""
    enseignant: str = ""


def _bilans_qs():
    return BilanIntermediaire.objects.select_related(
        "apprenant__membership__user", "apprenant__division", "diplome", "auteur", "etablissement"
    ).prefetch_related(
        Prefetch(
            "positionnements", queryset=Positionnement.objects.only("bilan", "competence", "niveau")
        )
    )


def competences_du_diplome(diplome) -> list[Competence]:
    return list(Competence.objects.filter(diplome=diplome).select_related("groupe"))


def historique(bilan: BilanIntermediaire, bilans_apprenant) -> list[BilanIntermediaire]:
    """The columns of a bilan's table: the learner's earlier validated bilans of the same
    diplôme, then the bilan itself (drafts other than this one are work in progress)."""
    cle = (bilan.date, bilan.pk)
    anterieurs = [
        b
        for b in bilans_apprenant
        if b.pk != bilan.pk
        and b.diplome_id == bilan.diplome_id
        and b.est_valide
        and (b.date, b.pk) < cle
    ]
    anterieurs.sort(key=lambda b: (b.date, b.pk))
    return [*anterieurs, bilan]


def document_bilan(bilan, bilans_apprenant, competences) -> DocumentBilan:
    """Build the document of one bilan from already-fetched data (no query)."""
    colonnes = historique(bilan, bilans_apprenant)
    niveaux = [{p.competence_id: p.niveau for p in b.positionnements.all()} for b in colonnes]
    lignes = [LigneCompetence(c, [rendu(n.get(c.pk, "NE")) for n in niveaux]) for c in competences]
    user = bilan.apprenant.membership.user
    auteur = bilan.auteur
    doc = DocumentBilan(
        bilan=bilan,
        colonnes=colonnes,
        lignes=lignes,
        note=note_fr(bilan.note),
        apprenant_nom=f"{user.last_name.upper()} {user.first_name}".strip(),
        enseignant=(f"{auteur.first_name} {auteur.last_name}".strip() or auteur.username)
        if auteur
        else "",
    )
    if len(colonnes) >= 2:
        doc.radar = _radar(competences, colonnes[-2:], niveaux[-2:])
    return doc


def _radar(competences, bilans, niveaux) -> str:
    """The radar of the last two bilans, from bilans.radar when that module exists.

    Contract of bilans.radar.radar_svg: competences [(code, intitulé)], series
    [(libellé, {code: niveau})] oldest first, `ident` prefixing the SVG ids."""
    try:
        from bilans.radar import radar_svg
    except ImportError:
        return ""
    series = [
        (f"{b.date:%d/%m/%Y}", {c.code: n.get(c.pk, "NE") for c in competences})
        for b, n in zip(bilans, niveaux, strict=True)
    ]
    try:
        return str(
            radar_svg(
                [(c.code, c.intitule) for c in competences],
                series,
                ident=f"radar-{bilans[-1].pk}",
            )
            or ""
        )
    except Exception:  # noqa: BLE001 — the chart is optional; the PDF must still be produced
        import logging

        logging.getLogger(__name__).exception("radar_svg a échoué : graphique omis")
        return ""


def documents_bilans(etablissement, bilans_pks: list[int]) -> list[DocumentBilan]:
    """Documents of several bilans (one per learner) in a constant number of queries."""
    bilans = {b.pk: b for b in _bilans_qs().filter(etablissement=etablissement, pk__in=bilans_pks)}
    if not bilans:
        return []
    apprenants = {b.apprenant_id for b in bilans.values()}
    diplomes = {b.diplome_id for b in bilans.values()}
    tous = list(
        _bilans_qs().filter(
            etablissement=etablissement,
            apprenant__in=apprenants,
            diplome__in=diplomes,
        )
    )
    par_apprenant: dict[int, list] = {}
    for b in tous:
        par_apprenant.setdefault(b.apprenant_id, []).append(b)
    competences: dict[int, list] = {}
    for c in Competence.objects.filter(diplome__in=diplomes).select_related("groupe"):
        competences.setdefault(c.diplome_id, []).append(c)
    result = []
    for pk in bilans_pks:
        if pk not in bilans:
            continue
        # Use the instance from the full list so its positionnements are prefetched once.
        b = next(x for x in par_apprenant[bilans[pk].apprenant_id] if x.pk == pk)
        result.append(
            document_bilan(b, par_apprenant[b.apprenant_id], competences.get(b.diplome_id, []))
        )
    return result


# ---------------------------------------------------------------------------------------------
# Printing a division


def divisions_du_diplome(etablissement, diplome):
    return (
        Division.objects.filter(etablissement=etablissement, diplome=diplome)
        .select_related("annee")
        .order_by("-annee__debut", "nom")
    )


def derniers_bilans_division(
    etablissement, division, diplome, *, valides_seulement: bool
) -> list[int]:
    """The pk of each learner's latest bilan (validated only, or drafts included) of the
    diplôme, learners in alphabetical order."""
    qs = BilanIntermediaire.objects.filter(
        etablissement=etablissement, diplome=diplome, apprenant__division=division
    )
    if valides_seulement:
        qs = qs.filter(statut=BilanIntermediaire.Statut.VALIDE)
    latest: dict[int, tuple] = {}
    for pk, apprenant, date, nom, prenom in qs.values_list(
        "pk",
        "apprenant",
        "date",
        "apprenant__membership__user__last_name",
        "apprenant__membership__user__first_name",
    ):
        cle = (date, pk)
        if apprenant not in latest or cle > latest[apprenant][0]:
            latest[apprenant] = (cle, (nom.lower(), prenom.lower(), apprenant))
    ordre = sorted(latest.values(), key=lambda v: v[1])
    return [cle[1] for cle, _ in ordre]


# ---------------------------------------------------------------------------------------------
# Attestations


@dataclass
class CompetenceAttestation:
    competence: Competence
    niveau: object  # cpro.maitrise.Rendu
    validee: bool
    criteres: list = field(default_factory=list)


def competences_attestation(bilan) -> list[CompetenceAttestation]:
    """The bilan's positioned competences with their criteria and the "validée" box."""
    positionnements = (
        Positionnement.objects.filter(bilan=bilan)
        .select_related("competence__groupe")
        .prefetch_related(
            Prefetch("competence__criteres", queryset=Critere.objects.order_by("ordre", "code"))
        )
        .order_by("competence__groupe__ordre", "competence__ordre", "competence__code")
    )
    return [
        CompetenceAttestation(
            p.competence, rendu(p.niveau), p.competence_validee, list(p.competence.criteres.all())
        )
        for p in positionnements
    ]


def attestations(etablissement, diplome, division=None):
    """The establishment's attestations for a diplôme (history: newest first)."""
    qs = Attestation.objects.filter(etablissement=etablissement, diplome=diplome).select_related(
        "apprenant__membership__user", "apprenant__division", "signee_par", "creee_par"
    )
    if division is not None:
        qs = qs.filter(apprenant__division=division)
    return qs.order_by("-date", "-pk")


def attestation_complete(etablissement, pk) -> Attestation | None:
    """An attestation with what its PDF shows (competences and criteria), or None."""
    return (
        Attestation.objects.filter(etablissement=etablissement, pk=pk)
        .select_related(
            "apprenant__membership__user",
            "apprenant__division",
            "diplome",
            "etablissement",
            "signee_par",
        )
        .prefetch_related(
            Prefetch(
                "competences",
                queryset=Competence.objects.select_related("groupe").prefetch_related(
                    Prefetch("criteres", queryset=Critere.objects.order_by("ordre", "code"))
                ),
            )
        )
        .first()
    )


# ---------------------------------------------------------------------------------------------
# PRONOTE


def jetons(etablissement):
    return JetonPronote.objects.filter(etablissement=etablissement).select_related("cree_par")


def jeton_actif(etablissement, jeton_hash: str) -> JetonPronote | None:
    return JetonPronote.objects.filter(
        etablissement=etablissement, jeton_hash=jeton_hash, revoque_le__isnull=True
    ).first()


def bilans_pronote(etablissement, du: datetime.date, au: datetime.date) -> list[dict]:
    """The validated bilans whose validation date (local time) is in [du, au], as the API's
    JSON. Two queries whatever the number of bilans."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    debut = datetime.datetime.combine(du, datetime.time.min, tzinfo=tz)
    fin = datetime.datetime.combine(au + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    bilans = (
        BilanIntermediaire.objects.filter(
            Q(valide_le__gte=debut) & Q(valide_le__lt=fin),
            etablissement=etablissement,
            statut=BilanIntermediaire.Statut.VALIDE,
        )
        .select_related("apprenant__membership__user", "apprenant__division", "diplome")
        .prefetch_related(
            Prefetch(
                "positionnements",
                queryset=Positionnement.objects.select_related("competence").order_by(
                    "competence__groupe__ordre", "competence__ordre", "competence__code"
                ),
            )
        )
        .order_by("valide_le", "pk")
    )
    return [_bilan_json(b) for b in bilans]


def _bilan_json(b: BilanIntermediaire) -> dict:
    from django.utils import timezone

    apprenant: Apprenant = b.apprenant
    user = apprenant.membership.user
    return {
        "id": b.pk,
        "date": b.date.isoformat(),
        "valide_le": timezone.localtime(b.valide_le).isoformat(),
        "apprenant": {
            "nom": user.last_name,
            "prenom": user.first_name,
            "ine": apprenant.ine,
            "eleve_id": apprenant.eleve_id,
            "division": apprenant.division.nom if apprenant.division else "",
        },
        "diplome": {"code": b.diplome.code, "intitule": b.diplome.intitule},
        "note": note_api(b.note),
        "conseils": b.conseils,
        "constats": b.constats,
        "positionnements": [
            {
                "competence": p.competence.code,
                "intitule": p.competence.intitule,
                "niveau": rendu(p.niveau).code,
                "symbole": rendu(p.niveau).symbole,
            }
            for p in b.positionnements.all()
        ],
    }
