"""The LSL pre-flight and the file's national codes (issue « Documents officiels fiables »):

- `structure` figures over the whole division, identical for a partial and a full export;
- every scolaire learner in the pre-flight, a learner without livret included (« Livret
  absent »), apprentices and learners who left excluded; the same counts as the Complétude page;
- the code matière: set per establishment × diplôme, never a placeholder (profile raises,
  service refuses, page blocks with a French message and a link);
- the modalité d'élection from the learner's SIECLE options, « S » by default.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import etree

from cpro.models import ExportJob, Statut
from lslpro import nomenclature, profils, queries
from lslpro import services_export as services
from lslpro.models import ExportLSL, Livret
from lslpro.nomenclature import CodeMatiereInvalide
from tests.lslpro import export_factories as ef

pytestmark = pytest.mark.django_db

LSL10 = profils.profil("lsl-1.0")
XSD = "lslpro/schemas/import-lsl-v1.0.xsd"


def _schema():
    return etree.XMLSchema(etree.parse(XSD))


def _verifier(side, demo, **kwargs):
    return services.verifier(
        side.etablissement, annee=demo["annee"], divisions=demo["divisions"], **kwargs
    )


def _structures(data: bytes) -> dict:
    racine = etree.fromstring(data)
    return {
        e.get("id"): dict(e.find("scolarites/scolarite/evaluation/structure").attrib)
        for e in racine.iter("eleve")
    }


def _produire(side, demo, exclus=()):
    return services.produire_export(
        side.etablissement,
        par=side.ddfpt.user,
        annee=demo["annee"].debut,
        divisions=[d.pk for d in demo["divisions"]],
        profil="lsl-1.0",
        exclus=exclus,
    )


def _sans_livret(side, demo, nom="Zola"):
    """A scolaire learner of the Première without any livret."""
    return ef.apprenant(side, division_obj=demo["divisions"][0], eleve_id="1234510", nom=nom)


# --- structure ---------------------------------------------------------------------------------


def test_structure_sur_toute_la_division_identique_export_partiel_et_complet(personas):
    a = personas.a
    demo = ef.demo(a)
    absent = _sans_livret(a, demo)
    # A complete export first: the learner without livret must be excluded explicitly.
    with pytest.raises(Exception, match="incomplet"):
        _produire(a, demo)
    _nom, complet, _ = _produire(a, demo, exclus=[absent.pk])
    # Then Dubois (7.5 / 9) becomes incomplete and is left out: a partial export.
    Livret.objects.filter(apprenant=demo["apprenants"][1]).update(appreciation="")
    _nom, partiel, _ = _produire(a, demo, exclus=[absent.pk, demo["apprenants"][1].pk])
    avant, apres = _structures(complet), _structures(partiel)
    assert "1234502" in avant and "1234502" not in apres
    # Première: 4 scolaire learners (3 livrets + 1 without livret); averages 14.63, 8.25, 11
    # (the learner without a note counts in effectif only).
    attendu = {
        "effectif": "4",
        "moyenne": "11.29",
        "repar-moins-huit": "0.00",
        "repar-huit-douze": "66.67",
        "repar-plus-douze": "33.33",
    }
    assert avant["1234501"] == apres["1234501"] == apres["1234503"] == attendu
    assert (
        avant["1234504"]
        == apres["1234504"]
        == {
            "effectif": "1",
            "moyenne": "16.75",
            "repar-moins-huit": "0.00",
            "repar-huit-douze": "0.00",
            "repar-plus-douze": "100.00",
        }
    )
    assert _schema().validate(etree.fromstring(partiel))


def test_structure_exclut_apprentis_et_sortis(personas):
    a = personas.a
    demo = ef.demo(a)
    sorti = _sans_livret(a, demo, nom="Sorti")
    sorti.date_sortie = datetime.date(demo["annee"].debut, 12, 1)
    sorti.save()
    structures = _verifier(a, demo).structures
    # The apprentice of the Première (1234599) and the learner who left are not counted.
    assert structures[demo["divisions"][0].pk]["effectif"] == "3"


def test_structure_sans_aucune_note():
    assert profils.structures([(1, None), (1, None)]) == {1: {"effectif": "2"}}
    assert profils.structures([(1, Decimal("7.99")), (1, Decimal("12")), (1, None)]) == {
        1: {
            "effectif": "3",
            "moyenne": "10.00",
            "repar-moins-huit": "50.00",
            "repar-huit-douze": "0.00",
            "repar-plus-douze": "50.00",
        }
    }


def test_profil_sans_structures_fournies_les_calcule_sur_la_division(personas):
    """Called directly (no pre-flight), the profile reads the division's population itself."""
    a = personas.a
    demo = ef.demo(a)
    _sans_livret(a, demo)
    livret = queries.livrets_annee(a.etablissement, demo["annee"], demo["divisions"][:1]).get(
        apprenant=demo["apprenants"][0]
    )
    data = LSL10.construire([livret], etablissement=a.etablissement, annee=demo["annee"])
    assert _structures(data)["1234501"]["effectif"] == "4"


# --- every scolaire learner in the pre-flight, the same counts as Complétude -------------------


def test_preflight_liste_l_eleve_sans_livret(personas):
    a = personas.a
    demo = ef.demo(a)
    absent = _sans_livret(a, demo)
    v = _verifier(a, demo)
    lignes = {ligne.apprenant.pk: ligne for ligne in v.lignes}
    assert absent.pk in lignes
    ligne = lignes[absent.pk]
    assert ligne.livret_absent and ligne.bloque
    assert ligne.manques == [services.LIVRET_ABSENT]
    assert [x.apprenant.pk for x in v.absents] == [absent.pk]
    assert len(v.lignes) == 5 and len(v.exportables) == 4
    # Apprentices are never listed.
    assert all(x.apprenant.statut == Statut.SCOLAIRE for x in v.lignes)


def test_preflight_exclut_les_sortis(personas):
    a = personas.a
    demo = ef.demo(a)
    sortie = demo["apprenants"][2]
    sortie.date_sortie = datetime.date(demo["annee"].debut, 11, 15)
    sortie.save()
    ids = [ligne.eleve_id for ligne in _verifier(a, demo).lignes]
    assert "1234503" not in ids and len(ids) == 3


def test_compteurs_preflight_egaux_a_ceux_de_la_completude(personas):
    a = personas.a
    demo = ef.demo(a)
    _sans_livret(a, demo)
    Livret.objects.filter(apprenant=demo["apprenants"][1]).update(appreciation="")
    for division in demo["divisions"]:
        v = services.verifier(a.etablissement, annee=demo["annee"], divisions=[division])
        page = queries.completude_division(division, demo["annee"])
        assert [ligne.apprenant.pk for ligne in v.lignes] == [x.apprenant.pk for x in page]
        assert v.complets == sum(1 for x in page if x.completude.complet)
        assert len(v.absents) == sum(1 for x in page if x.livret_absent)


def test_pages_preflight_et_completude_meme_phrase(as_persona, personas):
    """The same sentence, with the same figures, on both pages (current year)."""
    a = personas.a
    demo = ef.demo(a, debut=queries.annee_courante().debut)
    _sans_livret(a, demo)
    premiere = demo["divisions"][0]
    client = as_persona("ddfpt")
    slug = a.etablissement.slug
    completude = client.get(
        reverse("lslpro:completude", kwargs={"etab": slug}), {"division": premiere.pk}
    ).content.decode()
    export = client.get(
        reverse("lslpro:export", kwargs={"etab": slug}),
        {"verifier": "1", "annee": demo["annee"].debut, "divisions": [premiere.pk]},
    ).content.decode()
    phrase = "3 livrets complets sur 4 élèves sous statut scolaire, dont 1 sans livret."
    assert phrase in completude and phrase in export
    assert "Livret absent" in export and "ZOLA" in export
    assert "Livret absent" in completude


def test_exclusion_explicite_d_un_eleve_sans_livret(
    as_persona, personas, django_capture_on_commit_callbacks
):
    a = personas.a
    demo = ef.demo(a)
    absent = _sans_livret(a, demo)
    client = as_persona("ddfpt")
    url = reverse("lslpro:export_lancer", kwargs={"etab": a.etablissement.slug})
    donnees = {
        "annee": demo["annee"].debut,
        "divisions": [d.pk for d in demo["divisions"]],
        "profil": "lsl-1.0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        refus = client.post(url, donnees)
    assert refus.status_code == 200
    assert "1 apprenant(s) incomplet(s) ou sans livret" in refus.content.decode()
    assert not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**donnees, "exclure_incomplets": "on"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.TERMINE, job.error
    assert job.params["exclus"] == [absent.pk]


# --- code matière ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "factice"),
    [
        ("200000", True),
        ("000000", True),
        ("777777", True),
        ("123456", True),
        ("12345", True),
        ("12a456", True),
        ("", True),
        (None, True),
        ("046500", False),
        ("030201", False),
    ],
)
def test_codes_factices(code, factice):
    assert nomenclature.est_factice(code) is factice


@pytest.mark.parametrize("code", [None, "200000", "000000"])
def test_le_profil_refuse_un_code_absent_ou_factice(personas, code):
    a = personas.a
    demo = ef.demo(a)
    if code is None:
        from lslpro.models import CodeMatiereLSL

        CodeMatiereLSL.objects.all().delete()
    else:
        ef.code_matiere(a, code)
    livrets = list(queries.livrets_annee(a.etablissement, demo["annee"], demo["divisions"]))
    with pytest.raises(CodeMatiereInvalide, match="Paramètres LSL"):
        LSL10.construire(livrets, etablissement=a.etablissement, annee=demo["annee"])
    # The worker refuses too, and nothing is recorded.
    with pytest.raises(CodeMatiereInvalide):
        _produire(a, demo)
    assert not ExportLSL.objects.exists()
    # The pre-flight blocks the whole export, and the launch is refused.
    v = _verifier(a, demo)
    assert v.codes_manquants and v.bloque_globalement
    with pytest.raises(ValidationError) as exc:
        services.demander_export(
            a.etablissement, par=a.ddfpt.user, annee=demo["annee"], divisions=demo["divisions"]
        )
    assert "Paramètres LSL" in " ".join(exc.value.messages)


def test_la_page_bloque_et_indique_ou_saisir_le_code(as_persona, personas):
    a = personas.a
    demo = ef.demo(a)
    ef.code_matiere(a, "200000")
    response = as_persona("chef").get(
        reverse("lslpro:export", kwargs={"etab": a.etablissement.slug}),
        {
            "verifier": "1",
            "annee": demo["annee"].debut,
            "divisions": [d.pk for d in demo["divisions"]],
        },
    )
    html = response.content.decode()
    assert "Export bloqué" in html
    assert "Le code matière « 200000 » de" in html and "est un code de remplissage" in html
    assert reverse("lslpro:parametres", kwargs={"etab": a.etablissement.slug}) in html
    assert "Lancer l&#x27;export" not in html


def test_note_sur_les_codes_de_competences_propres_au_projet(as_persona, personas):
    html = (
        as_persona("chef")
        .get(reverse("lslpro:export", kwargs={"etab": personas.a.etablissement.slug}))
        .content.decode()
    )
    assert "dérivés par Cpro" in html and "propres au projet" in html


# --- modalité d'élection -----------------------------------------------------------------------


def test_modalite_depuis_les_options_siecle(personas):
    a = personas.a
    demo = ef.demo(a)
    lea, nolan, ines = demo["apprenants"][:3]
    lea.options = [
        {"code_matiere": "030201", "modalite": "F", "rang": 1},
        {"code_matiere": ef.CODE_MATIERE, "modalite": "O", "rang": 2},
    ]
    lea.save()
    nolan.options = [{"code_matiere": "030201", "modalite": "O", "rang": 1}]  # not the spécialité
    nolan.save()
    data, _ = LSL10.produire(
        [x.livret for x in _verifier(a, demo).exportables],
        etablissement=a.etablissement,
        annee=demo["annee"],
    )
    modalites = {
        e.get("id"): e.find("scolarites/scolarite/evaluation").get("modalite-election")
        for e in etree.fromstring(data).iter("eleve")
    }
    assert modalites == {"1234501": "O", "1234502": "S", "1234503": "S", "1234504": "S"}
    assert ines.options == []


def test_modalite_par_defaut_et_invalide():
    assert nomenclature.modalite_election([], "046500") == "S"
    assert nomenclature.modalite_election(None, "046500") == "S"
    assert nomenclature.modalite_election("n'importe quoi", "046500") == "S"
    assert nomenclature.modalite_election([{"code_matiere": "046500"}], "046500") == "S"
    assert (
        nomenclature.modalite_election([{"code_matiere": "046500", "modalite": "f"}], "046500")
        == "F"
    )


def test_modalite_hors_schema_bloque_l_eleve(personas):
    a = personas.a
    demo = ef.demo(a)
    lea = demo["apprenants"][0]
    lea.options = [{"code_matiere": ef.CODE_MATIERE, "modalite": "X"}]
    lea.save()
    ligne = next(x for x in _verifier(a, demo).lignes if x.eleve_id == "1234501")
    assert ligne.bloque
    assert any("Modalité d'élection « X »" in m for m in ligne.manques)
