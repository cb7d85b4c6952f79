"""« Vue récapitulative » of the commission: statuses, notes, members and totals per épreuve,
constant queries, CSV of the notes, access."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification import queries_documents as queries
from cpro.models import AnneeScolaire
from referentiels.models import GrilleCCF
from tests.certification import documents_factories as df
from tests.factories import DivisionFactory

pytestmark = pytest.mark.django_db


def url(personas, name, **kw):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kw})


@pytest.fixture
def promo(referentiels_charges, personas):
    """TMCVA (this year's Terminale): Dupont (E31 locked 14,5 – E32 in progress 12 – no E33),
    Arnaud (nothing). Noise: a grid of another session, last year's Terminale, a Première."""
    a = personas.a
    division = df.division_terminale(a, "TMCVA")
    e31, e32, e33 = (df.grille_ccf(a.diplome, e) for e in ("E31", "E32", "E33"))
    session = df.session_courante()
    dupont = df.candidat(a, division, nom="Dupont", prenom="Léa", numero="0212345678")
    arnaud = df.candidat(a, division, nom="Arnaud", prenom="Hugo", numero="")
    df.grille_candidat(a, dupont, e31, session=session, note="14.5")
    df.grille_candidat(
        a,
        dupont,
        e32,
        session=session,
        note="12",
        verrouillee=False,
        membres=(("Petit", "Anne", "Professeure"),),
    )
    df.grille_candidat(a, arnaud, e31, session=session - 1, note="8")  # other session
    ancienne = DivisionFactory(
        etablissement=a.etablissement,
        nom="TMCVA-old",
        diplome=a.diplome,
        niveau="TERMINALE",
        annee=AnneeScolaire.objects.get_or_create(debut=AnneeScolaire.courante().debut - 1)[0],
    )
    df.candidat(a, ancienne, nom="Ancien", prenom="Élève")
    return {
        "division": division,
        "epreuves": (e31, e32, e33),
        "session": session,
        "dupont": dupont,
        "arnaud": arnaud,
    }


def test_recapitulatif_statuts_notes_membres_totaux(personas, promo):
    a = personas.a
    recap = queries.recapitulatif(
        a.etablissement,
        epreuves=queries.epreuves(a.diplome),
        divisions=queries.divisions_terminales(
            a.etablissement, a.diplome, AnneeScolaire.courante()
        ),
        session=promo["session"],
    )
    assert [e.epreuve for e in recap.epreuves] == ["E31", "E32", "E33"]
    assert [d.division.nom for d in recap.divisions] == ["TMCVA"]
    arnaud, dupont = recap.divisions[0].lignes  # by name
    assert (arnaud.nom, arnaud.prenom, arnaud.numero) == ("ARNAUD", "Hugo", "")
    assert [c.statut for c in arnaud.cellules] == ["manquante"] * 3
    assert [c.note for c in arnaud.cellules] == ["", "", ""]
    assert (dupont.nom, dupont.prenom, dupont.numero) == ("DUPONT", "Léa", "0212345678")
    assert [c.statut for c in dupont.cellules] == ["verrouillee", "en_cours", "manquante"]
    assert [c.libelle for c in dupont.cellules] == ["Verrouillée", "En cours", "Manquante"]
    assert [c.note for c in dupont.cellules] == ["14,5", "12", ""]
    assert dupont.cellules[0].membres == "MARTIN Sophie, BERNARD Luc"
    assert dupont.cellules[1].membres == "PETIT Anne"
    assert dupont.cellules[0].grille_pk is not None and dupont.cellules[2].grille_pk is None
    totaux = [(t.grille.epreuve, t.verrouillees, t.candidats) for t in recap.totaux]
    assert totaux == [("E31", 1, 2), ("E32", 0, 2), ("E33", 0, 2)]
    assert [(t.verrouillees, t.candidats) for t in recap.divisions[0].totaux] == [
        (1, 2),
        (0, 2),
        (0, 2),
    ]


def test_recapitulatif_page(personas, promo, as_persona):
    response = as_persona("chef").get(url(personas, "certification:recapitulatif"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Vue récapitulative – session {promo['session']}" in html
    assert "Division TMCVA" in html and "TMCVA-old" not in html
    assert "DUPONT Léa" in html and "ARNAUD Hugo" in html and "Ancien" not in html
    assert "Verrouillée" in html and "En cours" in html and "Manquante" in html
    assert "14,5" in html and "14.5" not in html
    assert "MARTIN Sophie, BERNARD Luc" in html
    assert "1 / 2" in html and "0 / 2" in html
    # A PDF button per existing grid, a ZIP form per épreuve, the CSV link.
    e31 = promo["epreuves"][0]
    assert html.count(url(personas, "certification:grilles_zip")) == 3
    assert f'name="epreuve" value="{e31.pk}"' in html
    assert html.count("/pdf/") == 2
    assert url(personas, "certification:recapitulatif_csv") in html
    # No inline style or script (strict CSP).
    assert "style=" not in html and "<script>" not in html


def test_recapitulatif_filtre_session_et_division(personas, promo, as_persona):
    autre = df.division_terminale(personas.a, "TMCVB")
    df.candidat(personas.a, autre, nom="Zidane", prenom="Yanis")
    client = as_persona("enseignant")
    response = client.get(
        url(personas, "certification:recapitulatif"),
        {"session": promo["session"] - 1, "division": promo["division"].pk},
    )
    html = response.content.decode()
    assert f"session {promo['session'] - 1}" in html
    assert "ZIDANE" not in html and "Division TMCVB" not in html
    assert '<td class="note">8</td>' in html  # Arnaud's E31 of the previous session
    assert "1 / 2" in html
    # An invalid filter falls back to every division and this year's session.
    response = client.get(url(personas, "certification:recapitulatif"), {"session": "abc"})
    assert response.status_code == 200
    assert f"Vue récapitulative – session {promo['session']}" in response.content.decode()
    assert "ZIDANE" in response.content.decode()


def test_recapitulatif_etats_vides(personas, as_persona):
    client = as_persona("ddfpt")
    html = client.get(url(personas, "certification:recapitulatif")).content.decode()
    assert "Aucune grille CCF n'est définie" in html
    df.grille_ccf(personas.a.diplome, "E31")
    html = client.get(url(personas, "certification:recapitulatif")).content.decode()
    assert "Aucune division de terminale" in html


def _nb_requetes(client, personas) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(personas, "certification:recapitulatif"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_recapitulatif_nombre_de_requetes_constant(referentiels_charges, personas, as_persona):
    a = personas.a
    division = df.division_terminale(a, "TMCVA")
    epreuves = [df.grille_ccf(a.diplome, e) for e in ("E31", "E32", "E33")]
    assert len(epreuves) == 3 and all(isinstance(e, GrilleCCF) for e in epreuves)
    session = df.session_courante()
    for apprenant in df.candidats(a, division, 2):
        for e in epreuves:
            df.grille_candidat(a, apprenant, e, session=session)
    client = as_persona("enseignant")
    _nb_requetes(client, personas)  # warm the session / school year rows
    petit = _nb_requetes(client, personas)

    for i, apprenant in enumerate(df.candidats(a, division, 33)):
        for e in epreuves:
            if (i + e.pk) % 4:  # a mix of missing, in progress and locked grids
                df.grille_candidat(a, apprenant, e, session=session, verrouillee=bool(i % 2))
    grand = _nb_requetes(client, personas)
    html = client.get(url(personas, "certification:recapitulatif")).content.decode()
    assert html.count('<th scope="row">CANDIDAT') == 35
    assert grand == petit
    assert petit == 12, petit


# ---------------------------------------------------------------------------------------------
# CSV


def _csv(response) -> list[list[str]]:
    contenu = response.content
    assert contenu.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))


def test_recapitulatif_csv(personas, promo, as_persona):
    response = as_persona("enseignant").get(url(personas, "certification:recapitulatif_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    session = promo["session"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="notes-ccf_Bac-Pro-MCV-A_{session}.csv"'
    )
    lignes = _csv(response)
    assert lignes[0] == [
        "Division",
        "Nom",
        "Prénom",
        "Numéro de candidat",
        "E31 – note /20",
        "E31 – statut",
        "E32 – note /20",
        "E32 – statut",
        "E33 – note /20",
        "E33 – statut",
    ]
    assert lignes[1:] == [
        ["TMCVA", "ARNAUD", "Hugo", "", "", "Manquante", "", "Manquante", "", "Manquante"],
        [
            "TMCVA",
            "DUPONT",
            "Léa",
            "0212345678",
            "14,5",
            "Verrouillée",
            "12",
            "En cours",
            "",
            "Manquante",
        ],
    ]


def test_recapitulatif_csv_filtre(personas, promo, as_persona):
    response = as_persona("chef").get(
        url(personas, "certification:recapitulatif_csv"),
        {"division": promo["division"].pk, "session": promo["session"] - 1},
    )
    assert f"TMCVA_{promo['session'] - 1}.csv" in response["Content-Disposition"]
    lignes = _csv(response)
    assert lignes[1][:6] == ["TMCVA", "ARNAUD", "Hugo", "", "8", "Verrouillée"]


# ---------------------------------------------------------------------------------------------
# Access (the access matrix covers every persona; these pin the rules of these pages)


@pytest.mark.parametrize("name", ["certification:recapitulatif", "certification:recapitulatif_csv"])
def test_recapitulatif_acces(personas, as_persona, client, name):
    cible = url(personas, name)
    anonyme = client.get(cible)
    assert anonyme.status_code == 302 and "?next=" in anonyme["Location"]
    for persona in ("apprenant", "apprenti", "tuteur"):
        assert as_persona(persona).get(cible).status_code == 403
    assert as_persona("ddfpt", etab="b").get(cible).status_code == 404
    for persona in ("ddfpt", "chef", "enseignant", "enseignant2"):
        assert as_persona(persona).get(cible).status_code == 200
    assert as_persona("chef").post(cible).status_code == 405


def test_recapitulatif_csv_neutralise_les_formules(personas, as_persona):
    """A hostile learner name, first name, numéro or division cannot become a spreadsheet
    formula: each such cell is prefixed with « ' »; the notes (numbers) are not."""
    a = personas.a
    division = df.division_terminale(a, "@SUM(A1)")
    grille = df.grille_ccf(a.diplome, "E31")
    hostiles = [
        ('=HYPERLINK("http://x","y")', "+1", "-2"),
        ("\tTabulation", "@SUM(A1)", "=1+1"),
    ]
    for i, (nom, prenom, numero) in enumerate(hostiles):
        apprenant = df.candidat(a, division, nom=nom, prenom=prenom, numero=numero)
        df.grille_candidat(a, apprenant, grille, note=("14.5", "8")[i])
    response = as_persona("enseignant").get(
        url(personas, "certification:recapitulatif_csv"), {"division": division.pk}
    )
    lignes = _csv(response)
    assert sorted(lignes[1:]) == sorted(
        [
            [
                "'@SUM(A1)",
                '\'=HYPERLINK("HTTP://X","Y")',  # the last name is printed in capitals
                "'+1",
                "'-2",
                "14,5",
                "Verrouillée",
            ],
            ["'@SUM(A1)", "'\tTABULATION", "'@SUM(A1)", "'=1+1", "8", "Verrouillée"],
        ]
    )
