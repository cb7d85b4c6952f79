"""The .scpro exchange of a scénario's links to transversal criteria (format version 2): export by
natural key (competence code, criterion code, labels), import onto the importing
establishment's own transversal criteria of the same codes, the others listed in the preview and
skipped — never created; version 1 files still import; hostile values refused."""

import json
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpro.models import AuditLog
from referentiels.models import Competence, Critere, Diplome, NatureReferentiel
from referentiels.services_transversal import changer_activite
from sauvegarde import journal
from scenarios import echange
from scenarios.echange import ScproInvalide, analyser_scpro, construire_scpro, importer_scpro
from scenarios.models import Scenario
from tests.referentiels import transversal as tr
from tests.scenarios.echange_factories import manifeste, scenario_complet, scpro

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("referentiels_charges")]

# B's transversal référentiel: « AUT » as in A (same codes, its own labels), no « EQU », and a
# « PON » that A does not have.
COMPETENCES_B = (
    ("AUT", "Autonomie au travail", ("Planifie ses tâches", "Demande de l'aide")),
    ("PON", "Ponctualité", ("Arrive à l'heure",)),
)


def _source(personas):
    """A's complete scénario, also linked to A's transversal criteria AUT.1, AUT.2, EQU.1."""
    tr.referentiel(personas.a)
    scenario = scenario_complet(personas.a)
    scenario.criteres.add(
        *Critere.objects.filter(
            competence__diplome=tr.referentiel(personas.a), code__in=["AUT.1", "AUT.2", "EQU.1"]
        )
    )
    return scenario


def _manifeste(data: bytes) -> dict:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return json.loads(archive.read("manifest.json"))


def _transversaux_b():
    return Critere.objects.filter(competence__diplome__nature=NatureReferentiel.TRANSVERSAL)


def test_export_par_cle_naturelle(personas):
    m = _manifeste(construire_scpro(_source(personas)))
    assert m["version"] == echange.VERSION == 2
    assert m["criteres_transversaux"] == [
        {
            "competence": "AUT",
            "competence_intitule": "Autonomie",
            "code": "AUT.1",
            "intitule": "Organise son travail",
        },
        {
            "competence": "AUT",
            "competence_intitule": "Autonomie",
            "code": "AUT.2",
            "intitule": "Sollicite de l'aide à bon escient",
        },
        {
            "competence": "EQU",
            "competence_intitule": "Travail en équipe",
            "code": "EQU.1",
            "intitule": "Coopère avec l'équipe",
        },
    ]
    # The diplôme's criteria no longer carry the transversal ones (no database id anywhere).
    assert all(c["competence"] not in ("AUT", "EQU") for c in m["criteres"])
    assert all(
        set(c) == {"competence", "competence_intitule", "code", "intitule"}
        for c in m["criteres_transversaux"]
    )


def test_aller_retour_avec_et_sans_equivalent(personas):
    a, b = personas.a, personas.b
    source = _source(personas)
    tr.referentiel(b, COMPETENCES_B)
    avant = _transversaux_b().count()
    data = construire_scpro(source)

    apercu = analyser_scpro(data, etablissement=b.etablissement)
    assert apercu.valide, apercu.erreurs
    # Matched on B's own criteria by code, whatever their labels.
    assert {(c.competence.diplome.etablissement_id, c.code) for c in apercu.transversaux} == {
        (b.etablissement.pk, "AUT.1"),
        (b.etablissement.pk, "AUT.2"),
    }
    assert apercu.transversaux_sans_equivalent == [
        "EQU / EQU.1 – Travail en équipe : Coopère avec l'équipe"
    ]
    assert "1 critère(s) transversal(aux) sans équivalent" in apercu.resume()

    copie = importer_scpro(data, etablissement=b.etablissement, par=b.enseignant.user)
    liens = copie.criteres.filter(competence__diplome__nature=NatureReferentiel.TRANSVERSAL)
    assert sorted(liens.values_list("competence__diplome__etablissement", "code")) == [
        (b.etablissement.pk, "AUT.1"),
        (b.etablissement.pk, "AUT.2"),
    ]
    # The diplôme's criteria came along as before; nothing was created in B's référentiel.
    assert (
        copie.criteres.exclude(pk__in=liens).count()
        == source.criteres.exclude(
            competence__diplome__nature=NatureReferentiel.TRANSVERSAL
        ).count()
    )
    assert _transversaux_b().count() == avant
    assert not Competence.objects.filter(diplome__etablissement=b.etablissement, code="EQU")
    log = AuditLog.objects.get(action="scenario.import")
    assert log.apres["criteres_transversaux"] == 2
    assert log.apres["transversaux_ignores"] == apercu.transversaux_sans_equivalent
    # Its integer keys are declared for the move of an establishment (sauvegarde.journal).
    assert not journal.cles_entieres_non_declarees({"avant": log.avant, "apres": log.apres})
    # A's scénario is untouched and still points to A's criteria.
    assert set(
        source.criteres.filter(
            competence__diplome__nature=NatureReferentiel.TRANSVERSAL
        ).values_list("competence__diplome__etablissement", flat=True)
    ) == {a.etablissement.pk}


def test_import_sans_referentiel_transversal(personas):
    b = personas.b
    data = construire_scpro(_source(personas))
    apercu = analyser_scpro(data, etablissement=b.etablissement)
    assert apercu.valide and apercu.transversaux == []
    assert len(apercu.transversaux_sans_equivalent) == 3
    copie = importer_scpro(data, etablissement=b.etablissement, par=b.enseignant.user)
    assert not copie.criteres.filter(competence__diplome__nature=NatureReferentiel.TRANSVERSAL)
    # No transversal référentiel is created behind the importer's back.
    assert not Diplome.objects.filter(
        etablissement=b.etablissement, nature=NatureReferentiel.TRANSVERSAL
    ).exists()


def test_equivalent_desactive_ignore(personas):
    b = personas.b
    data = construire_scpro(_source(personas))
    tr.referentiel(b, COMPETENCES_B)
    changer_activite(
        Critere.objects.get(competence__diplome=tr.referentiel(b, COMPETENCES_B), code="AUT.2"),
        actif=False,
        par=b.ddfpt.user,
    )
    apercu = analyser_scpro(data, etablissement=b.etablissement)
    assert [c.code for c in apercu.transversaux] == ["AUT.1"]
    assert [x.split(" – ")[0] for x in apercu.transversaux_sans_equivalent] == [
        "AUT / AUT.2",
        "EQU / EQU.1",
    ]


def test_meme_etablissement_retrouve_ses_criteres(personas):
    a = personas.a
    source = _source(personas)
    copie = importer_scpro(
        construire_scpro(source), etablissement=a.etablissement, par=a.enseignant.user
    )
    assert set(copie.criteres.all()) == set(source.criteres.all())


def test_ancien_fichier_version_1_sans_liens(personas):
    b = personas.b
    tr.referentiel(b, COMPETENCES_B)
    data = scpro(version=1)
    assert "criteres_transversaux" not in manifeste()
    apercu = analyser_scpro(data, etablissement=b.etablissement)
    assert apercu.valide, apercu.erreurs
    assert apercu.transversaux == [] and apercu.transversaux_sans_equivalent == []
    copie = importer_scpro(data, etablissement=b.etablissement, par=b.enseignant.user)
    assert copie.titre == "Accueil du client"


HOSTILES = {
    "pas_une_liste": ({"competence": "AUT", "code": "AUT.1"}, "liste attendue"),
    "pas_un_objet": (["AUT.1"], "objet {competence, code} attendu"),
    "code_absent": ([{"competence": "AUT"}], "Critère transversal n° 1 : code"),
    "code_trop_long": (
        [{"competence": "AUT", "code": "X" * 41}],
        "41 caractères, 40 au maximum",
    ),
    "script": (
        [{"competence": "AUT", "code": "AUT.1", "intitule": "<script>alert(1)</script>"}],
        "contenu actif interdit",
    ),
    "controle": (
        [{"competence": "AUT\x00", "code": "AUT.1"}],
        "caractères de contrôle interdits",
    ),
    "trop_nombreux": (
        [{"competence": "AUT", "code": f"AUT.{i}"} for i in range(echange.CRITERES_MAX + 1)],
        "liste attendue (1000 au maximum)",
    ),
    "intitule_trop_long": (
        [{"competence": "AUT", "code": "AUT.1", "intitule": "x" * 1001}],
        "1001 caractères, 1000 au maximum",
    ),
}


@pytest.mark.parametrize("cas", HOSTILES)
def test_fichier_hostile_refuse_sans_rien_ecrire(personas, cas):
    b = personas.b
    tr.referentiel(b, COMPETENCES_B)
    valeur, message = HOSTILES[cas]
    data = scpro(version=2, criteres_transversaux=valeur)
    apercu = analyser_scpro(data, etablissement=b.etablissement)
    assert not apercu.valide
    assert any(message in e for e in apercu.erreurs), apercu.erreurs
    with pytest.raises(ScproInvalide):
        importer_scpro(data, etablissement=b.etablissement, par=b.enseignant.user)
    assert not Scenario.objects.exists()


def test_codes_d_un_autre_etablissement_jamais_rattaches(personas):
    """A hand-written file naming B's codes links B's criteria only when B imports; A importing
    it gets A's own criteria of those codes or nothing — never another establishment's."""
    a, b = personas.a, personas.b
    tr.referentiel(b, COMPETENCES_B)
    tr.referentiel(a)
    data = scpro(
        version=2,
        criteres_transversaux=[
            {"competence": "PON", "code": "PON.1"},
            {"competence": "AUT", "code": "AUT.1"},
        ],
    )
    apercu = analyser_scpro(data, etablissement=a.etablissement)
    assert [c.competence.diplome.etablissement_id for c in apercu.transversaux] == [
        a.etablissement.pk
    ]
    assert apercu.transversaux_sans_equivalent == ["PON / PON.1"]


# --- The preview page ---------------------------------------------------------------------

# The request's own queries, the diplôme and référentiel look-ups, and one for the
# transversal links whatever their number.
REQUETES_APERCU = 14


@pytest.mark.parametrize("nb", [1, 3])
def test_page_apercu_liste_les_liens(as_persona, personas, django_assert_num_queries, nb):
    b = personas.b
    tr.referentiel(b, COMPETENCES_B)
    liens = [
        {"competence": "AUT", "code": "AUT.1", "intitule": "Organise son travail"},
        {"competence": "EQU", "code": "EQU.1", "competence_intitule": "Travail en équipe"},
        {"competence": "AUT", "code": "AUT.2"},
    ][:nb]
    client = as_persona("enseignant", etab="b")
    fichier = SimpleUploadedFile("accueil.scpro", scpro(version=2, criteres_transversaux=liens))
    adresse = reverse("scenarios:importer", kwargs={"etab": b.etablissement.slug})
    with django_assert_num_queries(REQUETES_APERCU):
        response = client.post(adresse, {"fichier": fichier})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Critères transversaux de votre établissement" in html
    assert "AUT – Autonomie au travail : Planifie ses tâches" in html
    if nb > 1:
        assert "sans équivalent dans votre établissement : ils seront ignorés (1)" in html
        assert "EQU / EQU.1 – Travail en équipe" in html
