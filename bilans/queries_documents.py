"""Read side of the bilan documents: PDFs, attestations and the PRONOTE pull.

Accessors take the request and answer 404 for another establishment's object (or a diplôme the
membership does not work on). The query functions own their select/prefetch so that the pages,
the exporters and the PRONOTE API run a constant number of queries whatever the data.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch, Q
from django.shortcuts import get_object_or_404

from bilans.models import Attestation, BilanIntermediaire, JetonPronote, Positionnement
from cpro.maitrise import rendu
from cpro.models import Apprenant, Division
from referentiels.models import Competence, Confiance, Critere

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
    # The signature area: the author, then whoever validated it if someone else.
    enseignants: list[str] = field(default_factory=list)

    @property
    def conventions(self) -> bool:
        """An application convention (MCV C1.0) is listed: explained at the bottom."""
        return any(ligne.competence.convention for ligne in self.lignes)

    @property
    def a_verifier(self) -> bool:
        """A competence label is not verified (confiance not high): marked, explained."""
        return any(
            ligne.competence.a_verifier and not ligne.competence.convention for ligne in self.lignes
        )

    @property
    def annee_scolaire(self) -> str:
        """« 2026-2027 »: the school year the bilan belongs to."""
        return self.bilan.annee.libelle


def _bilans_qs():
    return BilanIntermediaire.objects.select_related(
        "apprenant__membership__user",
        "apprenant__division",
        "diplome",
        "auteur",
        "valide_par",
        "etablissement",
        "annee",
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
    enseignants = []
    for personne in (bilan.auteur, bilan.valide_par):
        nom = _nom(personne)
        if nom and nom not in enseignants:
            enseignants.append(nom)
    doc = DocumentBilan(
        bilan=bilan,
        colonnes=colonnes,
        lignes=lignes,
        note=note_fr(bilan.note),
        apprenant_nom=f"{user.last_name.upper()} {user.first_name}".strip(),
        enseignant=_nom(bilan.auteur),
        enseignants=enseignants,
    )
    if len(colonnes) >= 2:
        doc.radar = _radar(competences, colonnes[-2:], niveaux[-2:])
    return doc


def _nom(user) -> str:
    if user is None:
        return ""
    return f"{user.first_name} {user.last_name}".strip() or user.username


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


def est_reconstruit(item) -> bool:
    """Reconstructed référentiel content (confiance "low"): never printed as official."""
    return item.confiance == Confiance.BASSE


@dataclass
class CompetenceAttestation:
    """One line of the attestation screen: a competence of the bilan and every criterion of it
    (reconstructed ones are shown marked: they will not be printed)."""

    competence: Competence
    niveau: object  # cpro.maitrise.Rendu
    validee: bool
    criteres: list = field(default_factory=list)


def competences_attestation(bilan) -> list[CompetenceAttestation]:
    """The bilan's positioned competences with their criteria and the "validée" box.

    Application conventions (`Competence.convention`, MCV C1.0) are left out: they are not
    competences of the référentiel and can never be attested."""
    positionnements = (
        # The diplôme's competences only: a transversal one (référentiel of the
        # establishment) is never attested.
        Positionnement.objects.filter(
            bilan=bilan, competence__convention=False, competence__diplome_id=bilan.diplome_id
        )
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


@dataclass
class LigneAttestation:
    """A competence as printed on the attestation: its attested criteria only."""

    competence: Competence
    criteres: list  # attested criteria (confiance high or medium), in order
    nb_criteres_omis: int  # reconstructed criteria left out

    @property
    def libelle_reconstruit(self) -> bool:
        return est_reconstruit(self.competence)

    @property
    def libelle_a_verifier(self) -> bool:
        """Attested but not verified (confiance "medium"): marked, with a mention."""
        return self.competence.confiance == Confiance.MOYENNE


@dataclass
class ContenuAttestation:
    """What the attestation PDF prints, and which mentions its footnote needs."""

    lignes: list[LigneAttestation]

    @property
    def nb_criteres_omis(self) -> int:
        return sum(ligne.nb_criteres_omis for ligne in self.lignes)

    @property
    def a_verifier(self) -> bool:
        return any(
            ligne.libelle_a_verifier
            or any(c.confiance == Confiance.MOYENNE for c in ligne.criteres)
            for ligne in self.lignes
        )

    @property
    def reconstruit(self) -> bool:
        return any(ligne.libelle_reconstruit for ligne in self.lignes)


def contenu_attestation(competences) -> ContenuAttestation:
    """From the attestation's competences (criteria prefetched): conventions dropped,
    reconstructed criteria left out (counted for the mention). No query."""
    lignes = []
    for c in competences:
        if c.convention:
            continue
        criteres = list(c.criteres.all())
        attestes = [cr for cr in criteres if not est_reconstruit(cr)]
        lignes.append(LigneAttestation(c, attestes, len(criteres) - len(attestes)))
    return ContenuAttestation(lignes)


def attestations(etablissement, diplome, division=None):
    """The establishment's attestations for a diplôme (history: newest first)."""
    qs = Attestation.objects.filter(etablissement=etablissement, diplome=diplome).select_related(
        "apprenant__membership__user", "apprenant__division", "signee_par", "creee_par"
    )
    if division is not None:
        qs = qs.filter(apprenant__division=division)
    return qs.order_by("-date", "-pk")


def attestation_complete(etablissement, pk) -> Attestation | None:
    """An attestation with what its PDF shows, or None.

    `attestation.competences.all()` holds only the référentiel's competences (application
    conventions filtered out by the prefetch, whatever was stored), and `attestation.contenu`
    is the `ContenuAttestation` the PDF template prints (attested criteria, marks, mentions).
    """
    attestation = (
        Attestation.objects.filter(etablissement=etablissement, pk=pk)
        .select_related(
            "apprenant__membership__user",
            "apprenant__division",
            "diplome",
            "etablissement",
            "signee_par",
            "bilan",
        )
        .prefetch_related(
            Prefetch(
                "competences",
                queryset=Competence.objects.filter(convention=False)
                .select_related("groupe")
                .order_by("groupe__ordre", "ordre", "code")
                .prefetch_related(
                    Prefetch("criteres", queryset=Critere.objects.order_by("ordre", "code"))
                ),
            )
        )
        .first()
    )
    if attestation is not None:
        attestation.contenu = contenu_attestation(attestation.competences.all())
    return attestation


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
                # The diplôme's competences: a transversal one is not the diplôme's.
                queryset=Positionnement.objects.filter(
                    competence__diplome_id=F("bilan__diplome_id")
                )
                .select_related("competence")
                .order_by("competence__groupe__ordre", "competence__ordre", "competence__code"),
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
