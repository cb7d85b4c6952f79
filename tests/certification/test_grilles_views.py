import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.models import GrilleCandidat, MembreCommission, NiveauCritere
from certification.queries import criteres_de_grille, session_par_defaut
from cpro.models import AuditLog
from tests.bilans.tableaux_factories import evaluation
from tests.certification.grilles_factories import (
    candidat,
    completer,
    grille_candidat,
    grille_ccf,
    grille_verrouillee,
    terminale,
)
from tests.factories import ApprenantFactory, MembershipFactory, UserFactory
from tests.personas import login


def texte(response) -> str:
    return unescape(response.content.decode())


def url(side, name, **kwargs):
    return reverse(f"certification:{name}", kwargs={"etab": side.etablissement.slug, **kwargs})


@pytest.fixture
def side(personas):
    return personas.a


@pytest.fixture
def gc(side):
    return grille_candidat(side)


def _post_grille(gc, **kw):
    data = {
        "numero_candidat": "02123456789",
        "dates_situations": "12/03/2026",
        "note_proposee": "13,5",
        "commentaire": "Bonne maîtrise de la vente-conseil.",
    }
    for c in criteres_de_grille(gc.grille):
        data[f"niveau_{c.pk}"] = "3"
    data.update(kw)
    return data


# --- chooser ---------------------------------------------------------------------------------


def test_chooser_lists_candidates_of_the_terminale_division(as_persona, side, gc):
    grille_ccf(side.diplome, "E32")
    response = as_persona("enseignant").get(url(side, "grilles"), {"grille": gc.grille_id})
    assert response.status_code == 200
    html = texte(response)
    assert response.context["session"] == session_par_defaut()
    assert response.context["division"] == terminale(side)
    assert [ligne["grille"] for ligne in response.context["lignes"]] == [gc]
    assert "En cours" in html and "Ouvrir la grille" in html
    assert [e.epreuve for e in response.context["epreuves"]] == ["E31", "E32"]


def test_chooser_without_terminale_says_what_to_do(as_persona, side):
    grille_ccf(side.diplome)
    html = texte(as_persona("chef").get(url(side, "grilles")))
    assert "Aucune division de terminale" in html


def test_chooser_other_session_has_no_division(as_persona, side, gc):
    response = as_persona("enseignant").get(
        url(side, "grilles"), {"session": session_par_defaut() - 1}
    )
    assert response.context["session"] == session_par_defaut() - 1
    assert response.context["divisions"] == []


def test_chef_sees_no_start_link(as_persona, side):
    candidat(side)
    grille_ccf(side.diplome)
    html = texte(as_persona("chef").get(url(side, "grilles")))
    assert "Non commencée" in html and "Commencer la grille" not in html


# --- opening ---------------------------------------------------------------------------------


def test_open_creates_the_grid_then_reuses_it(as_persona, side):
    apprenant = candidat(side)
    grille = grille_ccf(side.diplome)
    ouvrir = url(
        side,
        "grille_ouvrir",
        grille=grille.pk,
        session=session_par_defaut(),
        apprenant=apprenant.pk,
    )
    client = as_persona("enseignant")
    response = client.get(ouvrir)
    gc = GrilleCandidat.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(side, "grille", pk=gc.pk)
    assert client.get(ouvrir)["Location"] == url(side, "grille", pk=gc.pk)
    assert GrilleCandidat.objects.count() == 1


def test_chef_open_does_not_create(as_persona, side):
    apprenant = candidat(side)
    grille = grille_ccf(side.diplome)
    response = as_persona("chef").get(
        url(side, "grille_ouvrir", grille=grille.pk, session=2030, apprenant=apprenant.pk)
    )
    assert response.status_code == 302
    assert not GrilleCandidat.objects.exists()


def test_open_learner_of_other_etab_is_404(as_persona, personas):
    grille = grille_ccf(personas.a.diplome)
    autre = candidat(personas.b)
    response = as_persona("enseignant").get(
        url(personas.a, "grille_ouvrir", grille=grille.pk, session=2030, apprenant=autre.pk)
    )
    assert response.status_code == 404


# --- the grid page ---------------------------------------------------------------------------


def test_grid_page_shows_the_national_grid(as_persona, side, gc):
    gc.apprenant.numero_candidat = "02123456789"
    gc.apprenant.save()
    html = texte(as_persona("enseignant").get(url(side, "grille", pk=gc.pk)))
    etab = side.etablissement
    for attendu in (
        etab.academie,
        str(gc.session),
        etab.uai,
        side.diplome.intitule,
        "E31 – Épreuve de test",
        gc.apprenant.membership.user.last_name.upper(),
        gc.apprenant.division.nom,
        'value="02123456789"',
        "Novice",
        "Expert",
        "Averti sur le critère 1.2",
        "Nombre approximatif de caractères :",
        "[300 caractères maximum]",
        'maxlength="300"',
        'data-compteur="grille-compteur"',
        "Suggestion (calculée, indicative)",
        "la commission propose la note",
        "Verrouiller la grille",
        "Pour verrouiller la grille, il manque",
    ):
        assert attendu in html, attendu
    c = criteres_de_grille(gc.grille)[0]
    assert f'<label for="ccf-n{c.pk}-1">' in html
    assert "style=" not in html and "<script>" not in html


def test_locked_grid_is_read_only_on_page(as_persona, side):
    gc = grille_verrouillee(side)
    html = texte(as_persona("enseignant").get(url(side, "grille", pk=gc.pk)))
    assert "Grille verrouillée le" in html
    assert 'type="radio"' not in html and "Enregistrer la grille" not in html
    assert "Déverrouiller la grille" not in html
    html = texte(as_persona("ddfpt").get(url(side, "grille", pk=gc.pk)))
    assert "Déverrouiller la grille" in html


def test_chef_reads_without_form(as_persona, side, gc):
    html = texte(as_persona("chef").get(url(side, "grille", pk=gc.pk)))
    assert 'type="radio"' not in html and "Verrouiller la grille" not in html


def test_teacher_search(as_persona, side, gc):
    client = as_persona("enseignant")
    nom = side.enseignant2.user.last_name
    response = client.get(url(side, "grille", pk=gc.pk), {"q": nom})
    assert side.enseignant2 in response.context["trouves"]
    assert all(nom.lower() in t.user.last_name.lower() for t in response.context["trouves"])
    response = client.get(url(side, "grille", pk=gc.pk), {"q": "zzzz"})
    assert "Aucun enseignant ne correspond" in texte(response)
    # HTMX: the results partial only.
    response = client.get(url(side, "grille", pk=gc.pk), {"q": nom}, headers={"HX-Request": "true"})
    html = texte(response)
    assert html.lstrip().startswith('<div id="ccf-resultats"') and "<html" not in html


def test_side_panel_shows_dashboard_results(as_persona, side, gc):
    c = criteres_de_grille(gc.grille)[0]
    evaluation(
        side,
        date=datetime.date.today() - datetime.timedelta(days=3),
        resultats={(gc.apprenant, c): "4"},
        niveau="TERMINALE",
    )
    response = as_persona("enseignant").get(url(side, "grille", pk=gc.pk))
    ligne = response.context["page"].lignes[0]
    assert [cel.niveau for cel in ligne.resultats] == ["4"]
    assert "Pas encore évalué" in texte(response)


# --- writes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["enseignant", "enseignant2", "ddfpt"])
def test_save_success(as_persona, side, gc, persona):
    response = as_persona(persona).post(url(side, "grille_enregistrer", pk=gc.pk), _post_grille(gc))
    assert response.status_code == 302
    gc.refresh_from_db()
    assert gc.note_proposee == Decimal("13.5")
    assert gc.dates_situations == "12/03/2026"
    assert gc.apprenant.numero_candidat == "02123456789"
    assert gc.niveaux.count() == len(criteres_de_grille(gc.grille))


def test_save_comment_too_long_shows_french_message(as_persona, side, gc):
    response = as_persona("enseignant").post(
        url(side, "grille_enregistrer", pk=gc.pk), _post_grille(gc, commentaire="é" * 301)
    )
    assert response.status_code == 200
    html = texte(response)
    assert "ne peuvent pas dépasser 300 caractères (301 saisis)" in html
    gc.refresh_from_db()
    assert gc.commentaire == "" and gc.note_proposee is None
    # The submitted level is shown again.
    assert response.context["page"].lignes[0].cases[2].choisie


def test_save_locked_grid_refused(as_persona, side):
    gc = grille_verrouillee(side)
    response = as_persona("enseignant").post(
        url(side, "grille_enregistrer", pk=gc.pk), _post_grille(gc, note_proposee="2"), follow=True
    )
    assert "Grille verrouillée : seul le DDFPT peut la déverrouiller." in texte(response)
    gc.refresh_from_db()
    assert gc.note_proposee == Decimal("14.5")


def test_add_teacher_and_typed_member_then_remove(as_persona, side, gc):
    client = as_persona("enseignant")
    r = client.post(url(side, "grille_membre_ajouter", pk=gc.pk), {"membre": side.enseignant2.pk})
    assert r.status_code == 302
    r = client.post(
        url(side, "grille_membre_ajouter", pk=gc.pk),
        {"nom": "Dumas", "prenom": "Claire", "qualite": "Tutrice"},
    )
    assert r.status_code == 302
    assert [(m.nom, m.user_id) for m in gc.membres.all()] == [
        (side.enseignant2.user.last_name, side.enseignant2.user.pk),
        ("Dumas", None),
    ]
    m = gc.membres.get(nom="Dumas")
    r = client.post(url(side, "grille_membre_retirer", pk=gc.pk, membre=m.pk))
    assert r.status_code == 302 and gc.membres.count() == 1


def test_add_typed_member_without_name_shows_errors(as_persona, side, gc):
    r = as_persona("enseignant").post(url(side, "grille_membre_ajouter", pk=gc.pk), {"nom": ""})
    assert r.status_code == 200
    assert "Indiquez le nom du membre" in texte(r)
    assert not gc.membres.exists()


def test_add_member_of_other_etab_refused(as_persona, personas):
    gc = grille_candidat(personas.a)
    r = as_persona("enseignant").post(
        url(personas.a, "grille_membre_ajouter", pk=gc.pk),
        {"membre": personas.b.enseignant.pk},
        follow=True,
    )
    assert "pas un enseignant de l'établissement" in texte(r)
    assert not gc.membres.exists()


def test_remove_member_of_another_grid_is_404(as_persona, side, gc):
    autre = grille_candidat(side, "E32")
    m = MembreCommission.objects.create(grille_candidat=autre, nom="X", prenom="Y")
    r = as_persona("enseignant").post(url(side, "grille_membre_retirer", pk=gc.pk, membre=m.pk))
    assert r.status_code == 404
    assert MembreCommission.objects.filter(pk=m.pk).exists()


def test_lock_incomplete_lists_missing(as_persona, side, gc):
    r = as_persona("enseignant").post(url(side, "grille_verrouiller", pk=gc.pk), follow=True)
    assert "La grille ne peut pas être verrouillée : il manque le numéro de candidat" in (texte(r))
    gc.refresh_from_db()
    assert not gc.est_verrouillee


def test_full_journey_save_members_lock_unlock(client, side, gc):
    login(client, side.enseignant, side.diplome)
    client.post(url(side, "grille_enregistrer", pk=gc.pk), _post_grille(gc))
    for m in (side.enseignant, side.enseignant2):
        client.post(url(side, "grille_membre_ajouter", pk=gc.pk), {"membre": m.pk})
    r = client.post(url(side, "grille_verrouiller", pk=gc.pk), follow=True)
    assert "La grille est verrouillée" in texte(r)
    gc.refresh_from_db()
    assert gc.est_verrouillee and gc.verrouillee_par == side.enseignant.user
    # The teacher cannot unlock.
    assert client.post(url(side, "grille_deverrouiller", pk=gc.pk)).status_code == 403
    login(client, side.ddfpt, side.diplome)
    r = client.post(url(side, "grille_deverrouiller", pk=gc.pk))
    assert r.status_code == 302
    gc.refresh_from_db()
    assert not gc.est_verrouillee
    assert AuditLog.objects.filter(action="certification.deverrouillage", acteur=side.ddfpt.user)


@pytest.mark.parametrize(
    "name", ["grille_enregistrer", "grille_membre_ajouter", "grille_verrouiller"]
)
def test_chef_writes_are_403(as_persona, side, gc, name):
    completer(gc, side)
    r = as_persona("chef").post(url(side, name, pk=gc.pk), _post_grille(gc, note_proposee="1"))
    assert r.status_code == 403
    gc.refresh_from_db()
    assert not gc.est_verrouillee and gc.note_proposee == Decimal("14.5")


@pytest.mark.parametrize("persona", ["apprenant", "apprenti", "tuteur"])
def test_learners_and_tutors_are_403(as_persona, side, gc, persona):
    client = as_persona(persona)
    assert client.get(url(side, "grille", pk=gc.pk)).status_code == 403
    assert client.get(url(side, "grilles")).status_code == 403
    assert (
        client.post(url(side, "grille_enregistrer", pk=gc.pk), _post_grille(gc)).status_code == 403
    )


def test_other_etab_is_404(client, personas):
    gc = grille_candidat(personas.a)
    # B's DDFPT on A's grid through B's address: not found in B.
    login(client, personas.b.ddfpt, personas.b.diplome)
    for name in ("grille", "grille_enregistrer", "grille_verrouiller", "grille_deverrouiller"):
        r = getattr(client, "get" if name == "grille" else "post")(url(personas.b, name, pk=gc.pk))
        assert r.status_code == 404, name


def test_anonymous_goes_to_login(client, side, gc):
    r = client.get(url(side, "grille", pk=gc.pk))
    assert r.status_code == 302 and "?next=" in r["Location"]
    r = client.post(url(side, "grille_verrouiller", pk=gc.pk))
    assert r.status_code == 302 and "?next=" in r["Location"]
    assert not GrilleCandidat.objects.filter(statut=GrilleCandidat.Statut.VERROUILLEE).exists()


@pytest.mark.parametrize(
    "name",
    [
        "grille_enregistrer",
        "grille_membre_ajouter",
        "grille_verrouiller",
        "grille_deverrouiller",
    ],
)
def test_get_on_post_only_is_405(as_persona, side, gc, name):
    assert as_persona("ddfpt").get(url(side, name, pk=gc.pk)).status_code == 405


def test_get_on_remove_member_is_405(as_persona, side, gc):
    m = MembreCommission.objects.create(grille_candidat=gc, nom="X", prenom="Y")
    r = as_persona("ddfpt").get(url(side, "grille_membre_retirer", pk=gc.pk, membre=m.pk))
    assert r.status_code == 405


def test_previous_next_candidates(as_persona, side, gc):
    division = terminale(side)
    for nom in ("AAAA", "ZZZZ"):
        ApprenantFactory(
            etablissement=side.etablissement,
            division=division,
            membership=MembershipFactory(
                user=UserFactory(last_name=nom), etablissement=side.etablissement, role="APPRENANT"
            ),
        )
    r = as_persona("enseignant").get(url(side, "grille", pk=gc.pk))
    assert r.context["precedent"].membership.user.last_name == "AAAA"
    assert r.context["suivant"].membership.user.last_name == "ZZZZ"


# --- query count -----------------------------------------------------------------------------


def _count(client, adresse) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(adresse).status_code == 200
    return len(ctx.captured_queries)


# 5 (session, user, tenancy) + grid + criteria + levels + members + dashboard (4) + teachers
# of the members search + classmates (previous / next).
GRID_PAGE_QUERIES = 15


def test_grid_page_query_count_is_constant(as_persona, side, gc):
    """1 level, member and évaluation, then many: the same number of queries."""
    client = as_persona("enseignant")
    adresse = url(side, "grille", pk=gc.pk)
    criteres = criteres_de_grille(gc.grille)
    NiveauCritere.objects.create(grille_candidat=gc, critere=criteres[0], niveau=2)
    MembreCommission.objects.create(grille_candidat=gc, nom="N", prenom="P")
    evaluation(
        side,
        date=datetime.date.today() - datetime.timedelta(days=2),
        resultats={(gc.apprenant, criteres[0]): "2"},
        niveau="TERMINALE",
    )
    _count(client, adresse)  # warm the session / school year rows
    peu = _count(client, adresse)
    completer(gc, side)
    for i in range(5):
        MembreCommission.objects.create(grille_candidat=gc, nom=f"N{i}", prenom="P", ordre=10 + i)
    for i in range(6):
        evaluation(
            side,
            date=datetime.date.today() - datetime.timedelta(days=10 + i),
            resultats={(gc.apprenant, c): str(1 + (i % 4)) for c in criteres},
            niveau="TERMINALE",
        )
    beaucoup = _count(client, adresse)
    assert peu == beaucoup == GRID_PAGE_QUERIES


def test_chooser_query_count_is_constant(as_persona, side, gc):
    client = as_persona("enseignant")
    adresse = url(side, "grilles")
    _count(client, adresse)
    peu = _count(client, adresse)
    division = terminale(side)
    for i in range(8):
        a = ApprenantFactory(
            etablissement=side.etablissement,
            division=division,
            membership=MembershipFactory(etablissement=side.etablissement, role="APPRENANT"),
        )
        completer(grille_candidat(side, apprenant=a), side)
    assert _count(client, adresse) == peu


# --- with the committed référentiels ---------------------------------------------------------


def test_real_grids_of_mcv_a(referentiels_charges, as_persona, side):
    """The MCV-A référentiel's E31/E32/E33 grids render with their lines (the attested
    criteria: E31 6, E32 7; E33 11 reconstructed), levels and descriptors; E33's level labels
    are not attested: neutral « Niveau 1 … 4 »."""
    from referentiels.models import GrilleCCF

    attendu = {
        "E31": (6, ["Novice", "Débrouillé", "Averti", "Expert"]),
        "E32": (7, ["Novice", "Débrouillé", "Averti", "Expert"]),
        "E33": (11, ["Niveau 1", "Niveau 2", "Niveau 3", "Niveau 4"]),
    }

    apprenant = candidat(side)
    client = as_persona("enseignant")
    response = client.get(url(side, "grilles"))
    assert [e.epreuve for e in response.context["epreuves"]] == ["E31", "E32", "E33"]
    for grille in GrilleCCF.objects.filter(diplome=side.diplome):
        r = client.get(
            url(
                side,
                "grille_ouvrir",
                grille=grille.pk,
                session=session_par_defaut(),
                apprenant=apprenant.pk,
            ),
            follow=True,
        )
        assert r.status_code == 200
        page = r.context["page"]
        nb_lignes, niveaux = attendu[grille.epreuve]
        assert page.niveaux == niveaux
        assert page.nb_criteres == len(page.lignes) == nb_lignes
        html = texte(r)
        assert grille.titre in html
        assert f"(0 / {nb_lignes} positionnés)" in html
    e31 = GrilleCandidat.objects.get(grille__epreuve="E31")
    page = client.get(url(side, "grille", pk=e31.pk)).context["page"]
    assert [ligne.critere.code for ligne in page.lignes] == [
        "C1.0-1",
        "C1.1-1",
        "C1.2-1",
        "C1.2-2",
        "C1.2-3",
        "C1.3-1",
    ]
    communication = next(ligne for ligne in page.lignes if ligne.critere.code == "C1.0-1")
    assert communication.cases[0].descripteur.startswith("S'exprime avec difficulté")
    assert communication.cases[3].libelle == "Expert"
