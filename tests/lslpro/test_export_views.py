"""The LSL export page: pre-flight, launch through the export pipeline (end to end: job → task
→ validated file), refusal of incomplete learners, history and change detection, access."""

import hashlib
import re

import pytest
from django.urls import reverse
from lxml import etree

from cpro.models import AuditLog, ExportJob
from lslpro import services_export as services
from lslpro.models import ExportLSL, Livret
from tests.lslpro import export_factories as ef
from tests.personas import login

pytestmark = pytest.mark.django_db


def url(personas, name, side="a"):
    return reverse(name, kwargs={"etab": getattr(personas, side).etablissement.slug})


def _params(demo, **extra):
    return {"annee": demo["annee"].debut, "divisions": [d.pk for d in demo["divisions"]], **extra}


def verifier(client, personas, demo, **extra):
    return client.get(url(personas, "lslpro:export"), {"verifier": "1", **_params(demo, **extra)})


def lancer(client, personas, demo, callbacks, **extra):
    with callbacks(execute=True):
        return client.post(
            url(personas, "lslpro:export_lancer"), {"profil": "lsl-1.0", **_params(demo, **extra)}
        )


def test_page_sans_verification(as_persona, personas):
    response = as_persona("chef").get(url(personas, "lslpro:export"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Export vers le livret scolaire (LSL)" in html
    assert "Aucun export LSL pour cette année" in html
    assert "lslpro_export.css" in html and "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline JavaScript


def test_verification_liste_les_manques(as_persona, personas):
    demo = ef.demo(personas.a)
    a = demo["apprenants"][1]
    a.eleve_id = ""
    a.save()
    response = verifier(as_persona("ddfpt"), personas, demo)
    assert response.status_code == 200
    html = response.content.decode()
    assert "3</strong> prêts à exporter" in html and "1</strong> incomplet" in html
    assert "ELEVE_ID manquant (import SIECLE)" in html
    assert "DUBOIS Nolan" in html and "ROUX" not in html  # the apprentice is not listed
    assert "Aucun export précédent pour cette année" in html
    assert "Exclure de cet export les apprenants incomplets" in html


def test_export_de_bout_en_bout(as_persona, personas, django_capture_on_commit_callbacks):
    demo = ef.demo(personas.a)
    client = as_persona("chef")
    response = lancer(client, personas, demo, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "etab:export_etat", kwargs={"etab": personas.a.etablissement.slug, "job_id": job.pk}
    )
    assert job.kind == "lsl_xml" and job.status == ExportJob.Status.TERMINE, job.error
    assert job.params == {
        "annee": 2025,
        "divisions": sorted(d.pk for d in demo["divisions"]),
        "profil": "lsl-1.0",
        "exclus": [],
    }
    data = job.file.read()
    schema = etree.XMLSchema(etree.parse("lslpro/schemas/import-lsl-v1.0.xsd"))
    assert schema.validate(etree.fromstring(data))
    export = ExportLSL.objects.get()
    assert export.nb_apprenants == 4 and export.profil == "lsl-1.0"
    assert export.divisions == ["1MCVA-G", "TMCVA-G"]
    assert export.par == personas.a.chef.user
    assert export.hash == hashlib.sha256(data).hexdigest()
    assert set(export.empreintes) == {"1234501", "1234502", "1234503", "1234504"}
    log = AuditLog.objects.get(action="lsl.export")
    assert log.acteur == personas.a.chef.user and log.apres["nb_apprenants"] == 4
    download = client.get(
        reverse(
            "etab:export_telecharger",
            kwargs={"etab": personas.a.etablissement.slug, "job_id": job.pk},
        )
    )
    assert download.status_code == 200 and b"".join(download.streaming_content) == data


def test_export_refuse_si_incomplet_sans_exclusion(
    as_persona, personas, django_capture_on_commit_callbacks
):
    demo = ef.demo(personas.a)
    Livret.objects.filter(apprenant=demo["apprenants"][0]).update(appreciation="x" * 301)
    response = lancer(as_persona("ddfpt"), personas, demo, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "1 apprenant(s) incomplet(s)" in response.content.decode()
    assert not ExportJob.objects.exists() and not ExportLSL.objects.exists()


def test_export_avec_exclusion_explicite(as_persona, personas, django_capture_on_commit_callbacks):
    demo = ef.demo(personas.a)
    bloque = demo["apprenants"][0]
    bloque.eleve_id = ""
    bloque.save()
    response = lancer(
        as_persona("ddfpt"),
        personas,
        demo,
        django_capture_on_commit_callbacks,
        exclure_incomplets="on",
    )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.params["exclus"] == [bloque.pk]
    ids = [e.get("id") for e in etree.fromstring(job.file.read()).iter("eleve")]
    assert ids == ["1234502", "1234503", "1234504"]


def test_worker_refuse_un_apprenant_devenu_incomplet(personas):
    """Between the pre-flight and the worker, a learner lost their appreciation: the job
    fails with the reason and nothing is recorded."""
    from cpro.pipeline_exports import ExportError

    demo = ef.demo(personas.a)
    Livret.objects.filter(apprenant=demo["apprenants"][3]).update(appreciation="")
    with pytest.raises(ExportError, match="incomplet"):
        services.produire_export(
            personas.a.etablissement,
            par=personas.a.ddfpt.user,
            annee=2025,
            divisions=[d.pk for d in demo["divisions"]],
            profil="lsl-1.0",
        )
    assert not ExportLSL.objects.exists()


def test_worker_reverifie_le_tenant_et_le_droit(personas):
    from cpro.pipeline_exports import ExportError

    demo = ef.demo(personas.a)
    autre = ef.division(personas.b, "1B-LSL", annee_obj=demo["annee"])
    with pytest.raises(ExportError, match="n'existe pas dans votre établissement"):
        services.produire_export(
            personas.a.etablissement,
            par=personas.a.ddfpt.user,
            annee=2025,
            divisions=[autre.pk],
            profil="lsl-1.0",
        )
    with pytest.raises(ExportError, match="plus le droit"):
        services.produire_export(
            personas.a.etablissement,
            par=personas.a.enseignant.user,
            annee=2025,
            divisions=[d.pk for d in demo["divisions"]],
            profil="lsl-1.0",
        )


def test_reexport_et_detection_des_changements(
    as_persona, personas, django_capture_on_commit_callbacks
):
    demo = ef.demo(personas.a)
    client = as_persona("ddfpt")
    lancer(client, personas, demo, django_capture_on_commit_callbacks)
    v = services.verifier(
        personas.a.etablissement, annee=demo["annee"], divisions=demo["divisions"]
    )
    assert {ligne.changement for ligne in v.exportables} == {"inchange"}
    # One appreciation changes, one learner becomes blocked (so leaves the file), one is new.
    Livret.objects.filter(apprenant=demo["apprenants"][2]).update(appreciation="Nouvelle.")
    Livret.objects.filter(apprenant=demo["apprenants"][3]).update(appreciation="")
    nouveau = ef.apprenant(personas.a, division_obj=demo["divisions"][1], eleve_id="1234505")
    ef.livret(personas.a, nouveau, annee_obj=demo["annee"], notes={"S1": "10"})
    v = services.verifier(
        personas.a.etablissement, annee=demo["annee"], divisions=demo["divisions"]
    )
    etats = {ligne.eleve_id: ligne.changement for ligne in v.exportables}
    assert etats == {
        "1234501": "inchange",
        "1234502": "inchange",
        "1234503": "modifie",
        "1234505": "nouveau",
    }
    assert v.retires == ["1234504"]
    assert v.compte == {"nouveau": 1, "modifie": 1, "inchange": 2, "retire": 1}
    html = verifier(client, personas, demo).content.decode()
    assert "1 nouveau(x), 1 modifié(s), 2 inchangé(s), 1 retiré(s)" in html
    assert "Retirés depuis le dernier export (ELEVE_ID) : 1234504" in html
    # Re-export is allowed any number of times; the history lists every export.
    response = lancer(
        client, personas, demo, django_capture_on_commit_callbacks, exclure_incomplets="on"
    )
    assert response.status_code == 302
    assert ExportLSL.objects.count() == 2
    dernier = ExportLSL.objects.order_by("-cree_le", "-pk").first()
    assert set(dernier.empreintes) == {"1234501", "1234502", "1234503", "1234505"}
    html = client.get(url(personas, "lslpro:export"), {"annee": 2025}).content.decode()
    assert html.count("1MCVA-G, TMCVA-G") == 2


def test_autre_etablissement_et_divisions_etrangeres(as_persona, personas):
    demo = ef.demo(personas.a)
    autre = ef.division(personas.b, "1B-LSL", annee_obj=demo["annee"])
    client = as_persona("ddfpt")
    response = client.get(
        url(personas, "lslpro:export"),
        {"verifier": "1", "annee": 2025, "divisions": [autre.pk]},
    )
    assert response.status_code == 200
    assert "Choisissez des divisions de l&#x27;année sélectionnée." in response.content.decode()
    assert response.context["verification"] is None
    login(client, personas.b.ddfpt, personas.b.diplome)
    assert client.get(url(personas, "lslpro:export")).status_code == 404


@pytest.mark.parametrize(
    ("persona", "attendu"),
    [
        ("chef", 200),
        ("ddfpt", 200),
        ("enseignant", 403),
        ("enseignant2", 403),
        ("tuteur", 403),
        ("apprenant", 403),
        ("apprenti", 403),
    ],
)
def test_acces_par_role(as_persona, personas, persona, attendu):
    client = as_persona(persona)
    assert client.get(url(personas, "lslpro:export")).status_code == attendu
    response = client.post(url(personas, "lslpro:export_lancer"), {})
    assert response.status_code == attendu
    assert not ExportJob.objects.exists()


def test_lancer_en_get_405(as_persona, personas):
    assert as_persona("chef").get(url(personas, "lslpro:export_lancer")).status_code == 405


def test_profil_lsl_pro_refuse_sur_la_page(as_persona, personas):
    demo = ef.demo(personas.a)
    response = verifier(as_persona("chef"), personas, demo, profil="lsl-pro-projet")
    html = response.content.decode()
    assert "Le schéma officiel LSL Pro n&#x27;est pas encore disponible" in html
    assert "Lancer l&#x27;export" not in html


# Middleware (établissement, membership, session…) + form (years, divisions) + verification
# (population: learners, livrets + 3 prefetches, LSL competences, bilans; périodicités, codes
# matière, last export) + history: the same for 1 or 60 learners.
@pytest.mark.parametrize("nombre", [1, 60])
def test_page_verification_requetes_constantes(
    as_persona, personas, nombre, django_assert_num_queries
):
    annee = ef.annee(2025)
    division = ef.division(personas.a, "1VOL", annee_obj=annee)
    ef.periodicite(personas.a, annee_obj=annee, type_="T")
    competences = ef.competences_lsl(personas.a.diplome)
    ef.code_matiere(personas.a)
    ef.masse(personas.a, nombre, division_obj=division, annee_obj=annee, competences=competences)
    client = as_persona("chef")
    with django_assert_num_queries(REQUETES_PAGE):
        response = client.get(
            url(personas, "lslpro:export"),
            {"verifier": "1", "annee": 2025, "divisions": [division.pk]},
        )
    assert response.status_code == 200, response.context["form"].errors
    assert response.context["form"].errors == {}
    assert len(response.context["verification"].exportables) == nombre


REQUETES_PAGE = 22
