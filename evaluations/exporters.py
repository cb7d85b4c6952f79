"""Exporters of the évaluations module."""

from itertools import groupby

from cpro import perms
from cpro.pipeline_exports import Exporter, ExportError, exporter


@exporter
class PositionnementApprentiPdf(Exporter):
    """EXPORTER POUR L'APPRENTI: an apprentice's results, per competence and criterion, in
    chronological order (date, évaluation, nature code, level symbol), as a PDF to hand to the
    maître d'apprentissage. Only the évaluations shown on the learner's dashboard are listed.

    Re-checks in the worker that the job was requested by that learner, who is an apprentice
    of the job's establishment."""

    kind = "positionnement_apprenti"
    permission = perms.VOIR_MES_EVALUATIONS
    libelle = "Positionnement de l'apprenti (PDF)"

    def render(self, progress):
        from django.template.loader import render_to_string
        from django.utils import timezone
        from weasyprint import HTML

        from cpro.maitrise import rendu
        from cpro.models import Apprenant
        from evaluations.queries_grille import resultats_apprenant

        job = self.job
        apprenant = (
            Apprenant.objects.select_related("membership__user", "division")
            .filter(pk=job.params.get("apprenant"), etablissement=job.etablissement)
            .first()
        )
        if apprenant is None or apprenant.membership.user_id != job.demandeur_id:
            raise ExportError("Cet export est réservé à l'apprenant concerné.")
        if not apprenant.est_apprenti:
            raise ExportError("Cet export est réservé aux apprentis.")
        resultats = list(resultats_apprenant(apprenant))
        progress(40)
        competences = []
        for competence, par_competence in groupby(resultats, key=lambda r: r.critere.competence):
            criteres = []
            for critere, lignes in groupby(par_competence, key=lambda r: r.critere):
                criteres.append(
                    {
                        "critere": critere,
                        "lignes": [
                            {
                                "date": r.evaluation.date,
                                "titre": r.evaluation.titre,
                                "nature": r.evaluation.code_nature,
                                "rendu": rendu(r.niveau),
                            }
                            for r in lignes
                        ],
                    }
                )
            competences.append({"competence": competence, "criteres": criteres})
        html = render_to_string(
            "evaluations/export_apprenti.html",
            {
                "etablissement": job.etablissement,
                "apprenant": apprenant,
                "competences": competences,
                "date": timezone.localdate(),
                "css": render_to_string("evaluations/export_apprenti.css"),
            },
        )
        progress(70)
        data = HTML(string=html).write_pdf()
        nom = apprenant.membership.user.username
        return f"positionnement-{nom}.pdf", "application/pdf", data
