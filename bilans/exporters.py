"""PDF documents of the bilans module, rendered by WeasyPrint in the worker:

- "bilan_pdf": one bilan intermédiaire (« Générer en PDF »);
- "bilans_division_pdf": the latest bilan of every learner of a division, one section each;
- "attestation_pdf": an attestation de compétences acquises, to be signed by the chef.

Each re-checks in `render` that what the params name belongs to the job's establishment: the
job may run long after the request that queued it.
"""

from django.db.models import F
from django.template.loader import render_to_string

from bilans import queries_documents as queries
from bilans.models import Positionnement
from cpro import perms
from cpro.maitrise import rendu
from cpro.models import Division
from cpro.pipeline_exports import Exporter, ExportError, exporter
from cpro.templatetags.francais import de_texte
from referentiels.models import Diplome


def _pk(params, key):
    value = (params or {}).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _transversales(documents) -> None:
    """Set `doc.transversales` on each document: the bilan's levels on the establishment's
    transversal competences (a référentiel other than the bilan's diplôme), in référentiel
    order — printed apart, never as official competences. One query."""
    from bilans.queries_bilans import PositionTransversale

    par_bilan: dict[int, list] = {doc.bilan.pk: [] for doc in documents}
    lignes = (
        Positionnement.objects.filter(bilan_id__in=list(par_bilan))
        .exclude(competence__diplome_id=F("bilan__diplome_id"))
        .values_list(
            "bilan_id", "competence__ordre", "competence__code", "competence__intitule", "niveau"
        )
    )
    for bid, ordre, code, intitule, niveau in lignes:
        par_bilan[bid].append(PositionTransversale(ordre, code, intitule, niveau))
    for doc in documents:
        doc.transversales = [(t, rendu(t.niveau)) for t in sorted(par_bilan.get(doc.bilan.pk, []))]


def _sections(etab, documents, progress=None) -> list[str]:
    """One rendered HTML section per bilan (a page break before each but the first)."""
    _transversales(documents)
    sections = []
    for i, doc in enumerate(documents, start=1):
        sections.append(
            render_to_string("bilans/pdf_bilan_section.html", {"etablissement": etab, "doc": doc})
        )
        if progress is not None:
            progress(10 + i * 70 // len(documents))
    return sections


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import CSS, HTML  # heavy import, only in the worker

    html = render_to_string(template, context)
    css = render_to_string("bilans/pdf_documents.css", context)
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=css)])


def _nom_fichier(texte: str) -> str:
    from django.utils.text import slugify

    return slugify(texte) or "document"


@exporter
class BilanPdf(Exporter):
    """One bilan: header, constats, conseils, note, competences × the learner's bilans up to
    this one (last column highlighted), radar of the last two. Params: {"bilan": pk}."""

    kind = "bilan_pdf"
    permission = perms.VOIR_TABLEAUX
    libelle = "Bilan intermédiaire (PDF)"

    def render(self, progress):
        etab = self.job.etablissement
        pk = _pk(self.job.params, "bilan")
        documents = queries.documents_bilans(etab, [pk]) if pk else []
        if not documents:
            raise ExportError("Ce bilan n'existe pas (ou plus) dans votre établissement.")
        progress(40)
        doc = documents[0]
        data = _pdf(
            "bilans/pdf_bilans.html",
            {
                "etablissement": etab,
                "titre": f"Bilan {de_texte(doc.apprenant_nom)}",
                "sections": _sections(etab, documents),
            },
        )
        progress(95)
        nom = _nom_fichier(f"bilan-{doc.apprenant_nom}-{doc.bilan.date:%Y-%m-%d}")
        return f"{nom}.pdf", "application/pdf", data


@exporter
class BilansDivisionPdf(Exporter):
    """The latest bilan of each learner of a division, one section (page) per learner.
    Params: {"division": pk, "diplome": pk, "valides": bool}. Progress per learner."""

    kind = "bilans_division_pdf"
    permission = perms.VOIR_TABLEAUX
    libelle = "Bilans d'une division (PDF)"

    def render(self, progress):
        etab = self.job.etablissement
        params = self.job.params or {}
        diplome = Diplome.objects.filter(pk=_pk(params, "diplome"), etablissements=etab).first()
        division = Division.objects.filter(
            pk=_pk(params, "division"), etablissement=etab, diplome=diplome
        ).first()
        if diplome is None or division is None:
            raise ExportError("Cette division n'existe pas dans votre établissement.")
        valides = bool(params.get("valides", True))
        pks = queries.derniers_bilans_division(etab, division, diplome, valides_seulement=valides)
        if not pks:
            raise ExportError(
                f"Aucun bilan {'validé ' if valides else ''}pour les apprenants de la division "
                f"{division.nom} : rien à imprimer."
            )
        # One fetch for the whole division (constant queries); each learner's section is then
        # rendered in turn, reporting progress.
        documents = queries.documents_bilans(etab, pks)
        progress(10)
        data = _pdf(
            "bilans/pdf_bilans.html",
            {
                "etablissement": etab,
                "titre": f"Bilans de la division {division.nom}",
                "sections": _sections(etab, documents, progress),
            },
        )
        progress(95)
        return f"bilans-{_nom_fichier(division.nom)}.pdf", "application/pdf", data


@exporter
class AttestationPdf(Exporter):
    """« Attestation de compétences acquises » — a passport for employment: learner identity,
    diplôme prepared, validated competences with their criteria, place for the chef's
    signature. Params: {"attestation": pk}."""

    kind = "attestation_pdf"
    permission = perms.VOIR_TABLEAUX
    libelle = "Attestation de compétences (PDF)"

    def render(self, progress):
        etab = self.job.etablissement
        pk = _pk(self.job.params, "attestation")
        attestation = queries.attestation_complete(etab, pk) if pk else None
        if attestation is None:
            raise ExportError("Cette attestation n'existe pas (ou plus) dans votre établissement.")
        progress(30)
        user = attestation.apprenant.membership.user
        signataire = attestation.signee_par
        data = _pdf(
            "bilans/pdf_attestation.html",
            {
                "etablissement": etab,
                "attestation": attestation,
                "apprenant": attestation.apprenant,
                "nom": f"{user.last_name.upper()} {user.first_name}".strip(),
                "signataire": (
                    f"{signataire.first_name} {signataire.last_name}".strip() or signataire.username
                )
                if signataire
                else "",
                "competences": list(attestation.competences.all()),
            },
        )
        progress(95)
        nom = _nom_fichier(f"attestation-{user.last_name}-{user.first_name}-{attestation.date}")
        return f"{nom}.pdf", "application/pdf", data
