"""LSL exporters (registered with cpro.pipeline_exports; run by the export pipeline's worker)."""

from cpro import perms
from cpro.pipeline_exports import Exporter, exporter
from lslpro import services_export


@exporter
class LslXml(Exporter):
    """The LSL import file of an establishment's year and divisions, validated against the
    profile's XSD before it is stored; records an ExportLSL row and the audit entry.

    Params: annee (first calendar year, e.g. 2026 for 2026-2027), divisions (ids), profil
    ("lsl-1.0"), exclus (ids of the blocked learners the user chose to leave out)."""

    kind = services_export.KIND
    permission = perms.EXPORTER_LSL
    libelle = "Livret scolaire (LSL, XML)"

    def render(self, progress):
        params = self.job.params
        filename, data, _export = services_export.produire_export(
            self.job.etablissement,
            par=self.job.demandeur,
            annee=int(params.get("annee") or 0),
            divisions=[int(pk) for pk in params.get("divisions") or []],
            profil=params.get("profil") or "lsl-1.0",
            exclus=[int(pk) for pk in params.get("exclus") or []],
            progress=progress,
        )
        return filename, "application/xml", data
