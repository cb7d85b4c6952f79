"""Demo LSL Pro (lslpro/demo.py): trimestres for 1MCVA/TMCVA, livrets complete, partial and
empty; idempotent."""

from cpro.models import AuditLog, Statut
from demo import bilans as demo_bilans
from demo import evaluations as demo_evaluations
from demo import lslpro as demo
from demo.socle import construire_socle
from lslpro import completude, queries
from lslpro.models import Livret, Periodicite


def test_demo_lslpro(referentiels_charges):
    ctx = construire_socle()
    demo_evaluations.construire(ctx)
    demo_bilans.construire(ctx)
    demo.construire(ctx)

    for nom in demo.DIVISIONS:
        division = ctx.divisions[nom]
        per = Periodicite.objects.get(
            etablissement=ctx.etablissement, diplome=division.diplome, niveau=division.niveau
        )
        assert per.type == Periodicite.Type.TRIMESTRE
        scolaires = division.apprenants.filter(statut=Statut.SCOLAIRE).count()
        livrets = list(queries.livrets_annee(ctx.etablissement, ctx.annee, [division]))
        etats = [completude.manques(lv) for lv in livrets]
        complets = [m for m in etats if not m]
        partiels = [m for m in etats if m]
        assert complets and partiels
        assert len(livrets) < scolaires  # some learners have no livret yet
    assert not Livret.objects.filter(apprenant__statut=Statut.APPRENTI).exists()
    assert Livret.objects.filter(pfmp_active=True).exists()
    assert (
        Livret.objects.filter(chef_oeuvre_actif=True).exclude(chef_oeuvre_appreciation="").exists()
    )

    avant = (Livret.objects.count(), AuditLog.objects.count())
    demo.construire(ctx)
    assert (Livret.objects.count(), AuditLog.objects.count()) == avant


def test_demo_produit_un_export_valide(referentiels_charges):
    """The demo sets a code matière (a demo value, its source says so) so that its export is a
    valid file; the incomplete learners and those without livret are excluded explicitly."""
    from lxml import etree

    from lslpro import nomenclature
    from lslpro import services_export as services
    from lslpro.models import CodeMatiereLSL

    ctx = construire_socle()
    demo_evaluations.construire(ctx)
    demo_bilans.construire(ctx)
    demo.construire(ctx)
    code = CodeMatiereLSL.objects.get(
        etablissement=ctx.etablissement, diplome=ctx.divisions["1MCVA"].diplome
    )
    assert not nomenclature.est_factice(code.code) and code.source.startswith("démo")
    divisions = [ctx.divisions[nom] for nom in demo.DIVISIONS]
    v = services.verifier(ctx.etablissement, annee=ctx.annee, divisions=divisions)
    assert not v.codes_manquants and v.absents  # learners without livret are listed
    scolaires = sum(
        d.apprenants.filter(statut=Statut.SCOLAIRE, date_sortie__isnull=True).count()
        for d in divisions
    )
    assert len(v.lignes) == scolaires
    _nom, data, export = services.produire_export(
        ctx.etablissement,
        par=ctx.personnes[demo.PARAMETREUR].user,
        annee=ctx.annee.debut,
        divisions=[d.pk for d in divisions],
        profil="lsl-1.0",
        exclus=[ligne.apprenant.pk for ligne in v.bloques],
    )
    schema = etree.XMLSchema(etree.parse("lslpro/schemas/import-lsl-v1.0.xsd"))
    racine = etree.fromstring(data)
    assert schema.validate(racine), schema.error_log
    assert export.nb_apprenants == len(v.exportables) > 0
    assert {e.get("code-matiere") for e in racine.iter("evaluation")} == {code.code}
    effectifs = {e.find("structure").get("effectif") for e in racine.iter("evaluation")}
    attendus = {
        str(d.apprenants.filter(statut=Statut.SCOLAIRE, date_sortie__isnull=True).count())
        for d in divisions
    }
    assert effectifs <= attendus
