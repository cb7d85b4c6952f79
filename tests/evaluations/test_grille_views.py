"""Views of the positioning grid: reading, cell autosave (HTMX), row/column fill, the no-JS
form, comments — per persona, with the database state."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpro.models import AuditLog
from evaluations import agregats
from evaluations.models import Participant, Resultat
from tests.evaluations import grille_factories as gf
from tests.personas import login

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, ev=None, etab="lp-a", **kw):
    if ev is not None:
        kw["pk"] = ev.pk
    return reverse(f"evaluations:{name}", kwargs={"etab": etab, **kw})


def _resultat(**champs) -> Resultat:
    """A résultat written directly (the state another page left), the stored suggestion
    aggregates kept exact (tests/conftest.py checks them after each test)."""
    resultat = Resultat.objects.create(**champs)
    agregats.recalculer([resultat.apprenant_id])
    return resultat


@pytest.fixture
def ev(personas):
    return gf.evaluation(personas.a)


@pytest.fixture
def auteur(client, personas):
    return login(client, personas.a.enseignant, personas.a.diplome)


def _cellule(personas, ev, niveau, *, apprenant=None, critere=None):
    apprenant = apprenant or personas.a.apprenant.apprenant
    critere = critere or ev.criteres.order_by("pk").first()
    return {"apprenant": apprenant.pk, "critere": critere.pk, "niveau": niveau}


# --- the grid page --------------------------------------------------------------------------


def test_author_sees_an_editable_grid(auteur, personas, ev):
    apprentie = personas.a.apprenti.apprenant
    apprentie.sexe = "F"
    apprentie.save(update_fields=["sexe"])
    critere = ev.criteres.order_by("pk").first()
    _resultat(evaluation=ev, apprenant=personas.a.apprenti.apprenant, critere=critere, niveau="4")
    html = auteur.get(url("grille", ev)).content.decode()
    assert "Grille de positionnement" in html
    assert critere.code in html and critere.competence.code in html
    assert "Indicateur 1 du critère" in html  # shown as help, not as a column
    # One button per cell, no <select> but the three of "Remplir une ligne ou une colonne".
    assert html.count('<button type="button" class="saisie"') == 2 * ev.criteres.count()
    assert html.count("<select") == 3 and 'name="o-' not in html
    assert "apprentie</span>" in html  # agreed with the sex read from SIECLE
    # The stored level: on the button and in its accessible name, cell coloured.
    apprentie = personas.a.apprenti.apprenant
    cle = f"{apprentie.pk}-{critere.pk}"
    assert f'id="cel-{cle}"' in html and "cellule lvl-4" in html
    nom = str(apprentie.membership.user).replace("'", "&#x27;")
    assert (
        f'id="s-{cle}" value="4" tabindex="-1" aria-haspopup="listbox" '
        f'aria-label="{nom} – {critere.code} : acquis et transférable">4 ++</button>'
    ) in html
    # One menu of levels for the whole grid; without JavaScript, the form page.
    assert html.count('role="listbox"') == 1 and html.count('role="option"') == 6
    assert f"{url('grille', ev)}?formulaire=1" in html.split("<noscript>")[1]
    assert "grille.js" in html and "<script>" not in html


def test_no_js_page_is_the_form_of_selects(auteur, personas, ev):
    """ "Saisie sans JavaScript" (?formulaire=1): a <select> per cell with its original value
    (o-…) for the conflict detection of enregistrer_grille, one "Enregistrer" button."""
    apprenti = personas.a.apprenti.apprenant
    critere = ev.criteres.order_by("pk").first()
    _resultat(evaluation=ev, apprenant=apprenti, critere=critere, niveau="4")
    html = auteur.get(url("grille", ev), {"formulaire": "1"}).content.decode()
    cle = f"{apprenti.pk}-{critere.pk}"
    assert html.count('<select id="s-') == 2 * ev.criteres.count()
    assert f'<select id="s-{cle}" name="c-{cle}" class="saisie"' in html
    assert 'value="4" selected' in html
    assert f'<input type="hidden" name="o-{cle}" value="4">' in html
    assert f'action="{url("enregistrer", ev)}"' in html and ">Enregistrer</button>" in html
    assert 'class="saisie" id="s-' not in html and 'role="listbox"' not in html
    assert "grille-saisie" not in html  # grille.js leaves this form alone
    assert '<input type="hidden" name="formulaire" value="1">' in html  # fill comes back here


def test_fill_form_offers_every_level(auteur, personas, ev):
    """ "Remplir une ligne ou une colonne": the Niveau list holds the five levels (it was empty
    when the view stopped passing them, and "Remplir" only answered "Ce champ est
    obligatoire."), on the page and after a fill (HTMX partial)."""
    attendu = [("NE", "NE"), ("1", "1 −−"), ("2", "2 −"), ("3", "3 +"), ("4", "4 ++")]

    def niveaux(html):
        select = re.search(r'<select id="remplir-niveau" name="niveau">(.*?)</select>', html)
        return re.findall(r'<option value="([^"]*)">([^<]*)</option>', select[1])

    assert niveaux(auteur.get(url("grille", ev)).content.decode()) == attendu
    eleve = personas.a.apprenant.apprenant
    html = auteur.post(
        url("remplir", ev), {"apprenant": eleve.pk, "niveau": "3"}, **HTMX
    ).content.decode()
    assert niveaux(html) == attendu


def test_learners_sorted_by_name(auteur, personas, ev):
    eleve = personas.a.apprenant.apprenant.membership.user
    apprenti = personas.a.apprenti.apprenant.membership.user
    eleve.last_name, apprenti.last_name = "Zola", "Abadie"
    eleve.save()
    apprenti.save()
    html = auteur.get(url("grille", ev)).content.decode()
    assert html.index("ABADIE") < html.index("ZOLA")


@pytest.mark.parametrize("persona", ["chef", "enseignant2"])
def test_other_staff_read_only(client, personas, ev, persona):
    _resultat(
        evaluation=ev,
        apprenant=personas.a.apprenti.apprenant,
        critere=ev.criteres.first(),
        niveau="NE",
    )
    login(client, personas.a.membership(persona), personas.a.diplome)
    html = client.get(url("grille", ev)).content.decode()
    assert "<select" not in html and "Enregistrer" not in html
    assert 'class="saisie"' not in html and 'role="listbox"' not in html
    assert '<span class="lvl lvl-ne" title="Non évalué">NE</span>' in html
    assert "Consultation seule" in html


def test_locked_grid_is_read_only(auteur, ev):
    ev.verrouillee = True
    ev.save()
    html = auteur.get(url("grille", ev)).content.decode()
    assert "Évaluation verrouillée : prise en compte dans un bilan intermédiaire validé" in html
    assert "<select" not in html and "<textarea" not in html
    assert 'class="saisie"' not in html and 'role="listbox"' not in html
    html = auteur.get(url("grille", ev), {"formulaire": "1"}).content.decode()
    assert "<select" not in html and "Enregistrer" not in html


def test_grid_of_other_establishment_is_404(auteur, personas):
    autre = gf.evaluation(personas.b)
    assert auteur.get(url("grille", autre)).status_code == 404
    assert auteur.post(url("saisir", autre), {}).status_code == 404


@pytest.mark.parametrize("persona", ["apprenant", "apprenti", "tuteur"])
def test_grid_forbidden_to_learners_and_tutors(client, personas, ev, persona):
    login(client, personas.a.membership(persona))
    assert client.get(url("grille", ev)).status_code == 403
    assert client.post(url("saisir", ev), _cellule(personas, ev, "2")).status_code == 403
    assert not Resultat.objects.exists()


def test_anonymous_goes_to_login(client, ev):
    response = client.get(url("grille", ev))
    assert response.status_code == 302 and response["Location"].startswith("/lp-a/?next=")


@pytest.mark.parametrize("name", ["saisir", "remplir", "enregistrer", "commenter"])
def test_get_on_post_only_is_405(auteur, ev, name):
    assert auteur.get(url(name, ev)).status_code == 405


def test_empty_states(auteur, personas):
    sans_apprenant = gf.evaluation(personas.a, participants=[])
    assert "Aucun apprenant" in auteur.get(url("grille", sans_apprenant)).content.decode()
    sans_critere = gf.evaluation(personas.a, criteres=[])
    assert "Aucun critère" in auteur.get(url("grille", sans_critere)).content.decode()


def _grille_queries(client, ev) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url("grille", ev)).status_code == 200
    return len(ctx.captured_queries)


def test_grid_query_count_is_constant(auteur, personas, django_assert_num_queries):
    petite = gf.evaluation(personas.a, criteres=gf.referentiel(personas.a.diplome))
    eleves = gf.apprenants(personas.a, 35)
    criteres = gf.referentiel(personas.a.diplome, competences=5, criteres=4, indicateurs=2)
    grande = gf.evaluation(personas.a, participants=eleves, criteres=criteres, titre="Grande")
    Resultat.objects.bulk_create(
        Resultat(evaluation=grande, apprenant=a, critere=c, niveau=str(1 + (i % 4)))
        for i, (a, c) in enumerate((a, c) for a in eleves for c in criteres)
    )
    agregats.recalculer(eleves)
    auteur.get(url("grille", petite))  # session, caches
    n = _grille_queries(auteur, petite)
    with django_assert_num_queries(n):
        response = auteur.get(url("grille", grande))
    assert response.content.decode().count('class="saisie"') == 35 * 20
    # Pinned: session, user, membership, diplômes (tenancy) + évaluation, writer check,
    # participants, criteria, indicators, résultats.
    assert n == 10


# --- one cell (HTMX autosave) ---------------------------------------------------------------


def test_saisir_htmx_returns_the_saved_cell(auteur, personas, ev):
    data = _cellule(personas, ev, "3")
    response = auteur.post(url("saisir", ev), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<td") and "enregistré" in html and "cellule lvl-3" in html
    assert 'value="3"' in html and ": partiellement acquis" in html and "<select" not in html
    assert Resultat.objects.get().niveau == "3"
    response = auteur.post(url("saisir", ev), {**data, "niveau": ""}, **HTMX)
    assert "cellule-vide" in response.content.decode()
    assert not Resultat.objects.exists()
    assert AuditLog.objects.filter(action="resultat.modifier").count() == 2


def test_saisir_query_count_is_pinned(auteur, personas, ev, django_assert_num_queries):
    data = _cellule(personas, ev, "3")
    auteur.post(url("saisir", ev), data, **HTMX)  # session, caches
    # Tenancy (establishment, session, user, membership, diplôme: 5) + one read (évaluation
    # of the establishment and diplôme, lock, writer, learner, participant, criterion, stored
    # level: queries_grille.cible_saisie; was 4 queries), compare-and-set write, suggestion
    # aggregates' upsert, audit entry: 9 (was 12). The saved cell is not read back.
    with django_assert_num_queries(9):
        response = auteur.post(url("saisir", ev), {**data, "niveau": "4"}, **HTMX)
    assert response.status_code == 200 and "cellule lvl-4" in response.content.decode()
    with django_assert_num_queries(9):
        response = auteur.post(url("saisir", ev), {**data, "niveau": ""}, **HTMX)
    assert response.status_code == 200 and "cellule-vide" in response.content.decode()
    # "Non évalué" does not count in the suggestion: no aggregate to move.
    with django_assert_num_queries(8):
        response = auteur.post(url("saisir", ev), {**data, "niveau": "NE"}, **HTMX)
    assert response.status_code == 200 and "cellule lvl-ne" in response.content.decode()
    # Refused (locked): the read only, and the cell shows what is stored.
    type(ev).objects.filter(pk=ev.pk).update(verrouillee=True)
    with django_assert_num_queries(6):
        response = auteur.post(url("saisir", ev), {**data, "niveau": "1"}, **HTMX)
    assert response.status_code == 422 and "cellule lvl-ne" in response.content.decode()


def test_saisir_bad_level_is_a_french_error_cell(auteur, personas, ev):
    response = auteur.post(url("saisir", ev), _cellule(personas, ev, "7"), **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Niveau inconnu" in html and "cellule-erreur" in html
    assert not Resultat.objects.exists()


def test_saisir_error_shows_the_stored_level(auteur, personas, ev):
    """A refused save answers the cell as stored (read with the checks, not read again)."""
    data = _cellule(personas, ev, "2")
    auteur.post(url("saisir", ev), data, **HTMX)
    response = auteur.post(url("saisir", ev), {**data, "niveau": "9"}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "cellule lvl-2 cellule-erreur" in html and 'value="2"' in html
    assert 'role="alert">Niveau inconnu' in html


def test_saisir_locked_is_refused(auteur, personas, ev):
    ev.verrouillee = True
    ev.save()
    response = auteur.post(url("saisir", ev), _cellule(personas, ev, "2"), **HTMX)
    assert response.status_code == 422
    assert "prise en compte dans un bilan intermédiaire validé" in response.content.decode()
    assert not Resultat.objects.exists()


def test_saisir_non_participant_and_foreign_objects(auteur, personas, ev):
    Participant.objects.filter(apprenant=personas.a.apprenant.apprenant).delete()
    response = auteur.post(url("saisir", ev), _cellule(personas, ev, "2"), **HTMX)
    assert response.status_code == 422 and "ne participe pas" in response.content.decode()
    autre_eleve = personas.b.apprenant.apprenant
    data = _cellule(personas, ev, "2", apprenant=autre_eleve)
    assert auteur.post(url("saisir", ev), data, **HTMX).status_code == 404
    assert auteur.post(url("saisir", ev), {"niveau": "2"}, **HTMX).status_code == 400
    # A criterion of another diplôme's référentiel: 404, as the learner of another school.
    autre_critere = gf.referentiel(personas.a.diplome2)[0]
    data = _cellule(personas, ev, "2", critere=autre_critere)
    assert auteur.post(url("saisir", ev), data, **HTMX).status_code == 404
    # A criterion of the référentiel the évaluation does not grade: the service's message.
    data = _cellule(
        personas,
        ev,
        "2",
        apprenant=personas.a.apprenti.apprenant,
        critere=gf.referentiel(personas.a.diplome)[0],
    )
    response = auteur.post(url("saisir", ev), data, **HTMX)
    assert response.status_code == 422 and "pas évalué" in response.content.decode()
    assert not Resultat.objects.exists()


def test_saisir_by_non_writer_teacher_is_403(client, personas, ev):
    login(client, personas.a.enseignant2, personas.a.diplome)
    response = client.post(url("saisir", ev), _cellule(personas, ev, "2"), **HTMX)
    assert response.status_code == 403
    assert not Resultat.objects.exists()


def test_saisir_without_htmx_redirects(auteur, personas, ev):
    response = auteur.post(url("saisir", ev), _cellule(personas, ev, "NE"))
    assert response.status_code == 302 and response["Location"] == url("grille", ev)
    assert Resultat.objects.get().niveau == "NE"


def test_ddfpt_writes(client, personas, ev):
    login(client, personas.a.ddfpt, personas.a.diplome)
    assert client.post(url("saisir", ev), _cellule(personas, ev, "1"), **HTMX).status_code == 200
    assert Resultat.objects.get().modifie_par == personas.a.ddfpt.user


# --- row / column fill ----------------------------------------------------------------------


def test_remplir_row_htmx(auteur, personas, ev):
    eleve = personas.a.apprenant.apprenant
    first = ev.criteres.order_by("pk").first()
    _resultat(evaluation=ev, apprenant=eleve, critere=first, niveau="1")
    response = auteur.post(url("remplir", ev), {"apprenant": eleve.pk, "niveau": "4"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="grille-zone"' in html and "3 case(s) remplie(s)." in html
    niveaux = dict(Resultat.objects.filter(apprenant=eleve).values_list("critere_id", "niveau"))
    assert niveaux[first.pk] == "1" and sorted(niveaux.values()) == ["1", "4", "4", "4"]


def test_remplir_column_all(auteur, personas, ev):
    critere = ev.criteres.order_by("pk").last()
    eleve = personas.a.apprenant.apprenant
    _resultat(evaluation=ev, apprenant=eleve, critere=critere, niveau="1")
    data = {"critere": critere.pk, "niveau": "NE", "mode": "tous"}
    response = auteur.post(url("remplir", ev), data)
    assert response.status_code == 302
    assert list(Resultat.objects.values_list("niveau", flat=True)) == ["NE", "NE"]


def test_remplir_needs_one_target(auteur, personas, ev):
    response = auteur.post(url("remplir", ev), {"niveau": "4"}, **HTMX)
    assert response.status_code == 422
    assert "soit un apprenant" in response.content.decode()
    assert not Resultat.objects.exists()


# --- the no-JS form -------------------------------------------------------------------------


def test_fallback_form_writes_only_changed_cells(client, auteur, personas, ev):
    """Two teachers on the same grid: each submit writes only what that teacher changed."""
    eleve, apprenti = personas.a.apprenant.apprenant, personas.a.apprenti.apprenant
    c1, c2 = ev.criteres.order_by("pk")[:2]
    # The page the author loaded: every cell empty.
    page = {
        f"{p}-{a.pk}-{c.pk}": "" for p in ("c", "o") for a in (eleve, apprenti) for c in (c1, c2)
    }
    page.update({f"m-{a.pk}": "" for a in (eleve, apprenti)})
    page.update({f"om-{a.pk}": "" for a in (eleve, apprenti)})
    # Meanwhile the DDFPT enters a cell.
    _resultat(evaluation=ev, apprenant=apprenti, critere=c2, niveau="2")
    # The author changes another cell and a comment, then submits the whole form.
    page[f"c-{eleve.pk}-{c1.pk}"] = "3"
    page[f"m-{eleve.pk}"] = "Progrès nets."
    response = auteur.post(url("enregistrer", ev), page)
    assert response.status_code == 302
    assert response["Location"] == f"{url('grille', ev)}?formulaire=1"  # back to the form
    assert gf.niveau(ev, eleve, c1) == "3"
    assert gf.niveau(ev, apprenti, c2) == "2"  # not overwritten by the stale empty value
    assert Participant.objects.get(evaluation=ev, apprenant=eleve).commentaire == "Progrès nets."
    assert AuditLog.objects.filter(action="resultat.modifier").count() == 1
    follow = auteur.get(response["Location"]).content.decode()
    assert "2 modification(s) enregistrée(s)." in follow


def test_fallback_form_error_writes_nothing(auteur, personas, ev):
    eleve = personas.a.apprenant.apprenant
    c1, c2 = ev.criteres.order_by("pk")[:2]
    data = {f"c-{eleve.pk}-{c1.pk}": "3", f"c-{eleve.pk}-{c2.pk}": "X"}
    response = auteur.post(url("enregistrer", ev), data, follow=True)
    assert "Niveau inconnu" in response.content.decode()
    assert not Resultat.objects.exists()


# --- comments -------------------------------------------------------------------------------


def test_commenter_htmx(auteur, personas, ev):
    eleve = personas.a.apprenant.apprenant
    data = {"apprenant": eleve.pk, "commentaire": "Bonne posture professionnelle."}
    response = auteur.post(url("commenter", ev), data, **HTMX)
    assert response.status_code == 200
    assert "enregistré" in response.content.decode()
    assert (
        Participant.objects.get(evaluation=ev, apprenant=eleve).commentaire == data["commentaire"]
    )
    trop = {"apprenant": eleve.pk, "commentaire": "x" * 1001}
    response = auteur.post(url("commenter", ev), trop, **HTMX)
    assert response.status_code == 422 and "dépasse 1000" in response.content.decode()


# --- learners -------------------------------------------------------------------------------


def test_mes_grilles_lists_only_shown_participations(client, personas, ev):
    cachee = gf.evaluation(personas.a, titre="Évaluation masquée", afficher_tableau_de_bord=False)
    sans_moi = gf.evaluation(
        personas.a, titre="Sans moi", participants=[personas.a.apprenti.apprenant]
    )
    login(client, personas.a.apprenant)
    html = client.get(url("mes_grilles")).content.decode()
    assert ev.titre.replace("'", "&#x27;") in html
    assert cachee.titre not in html and sans_moi.titre not in html
    assert "Exporter pour l" not in html  # scolaire: no export button


def test_ma_grille_shows_own_row_only(client, personas, ev):
    eleve, apprenti = personas.a.apprenant.apprenant, personas.a.apprenti.apprenant
    c1 = ev.criteres.order_by("pk").first()
    _resultat(evaluation=ev, apprenant=eleve, critere=c1, niveau="3")
    _resultat(evaluation=ev, apprenant=apprenti, critere=c1, niveau="1")
    Participant.objects.filter(apprenant=eleve).update(commentaire="Continue ainsi.")
    login(client, personas.a.apprenant)
    response = client.get(url("ma_grille", ev))
    html = response.content.decode()
    assert response.status_code == 200
    assert str(eleve.membership.user) in html and str(apprenti.membership.user) not in html
    assert '<span class="lvl lvl-3" title="Partiellement acquis / maîtrisé">+</span>' in html
    assert "lvl-1" not in html.split("<table", 1)[1].split("</table>")[0]
    assert "Continue ainsi." in html
    assert "<select" not in html


def test_ma_grille_of_others_or_hidden_is_404(client, personas, ev):
    sans_moi = gf.evaluation(personas.a, participants=[personas.a.apprenti.apprenant])
    cachee = gf.evaluation(personas.a, afficher_tableau_de_bord=False)
    autre_etab = gf.evaluation(personas.b)
    login(client, personas.a.apprenant)
    assert client.get(url("ma_grille", sans_moi)).status_code == 404
    assert client.get(url("ma_grille", cachee)).status_code == 404
    assert client.get(url("ma_grille", autre_etab)).status_code == 404
    assert client.get(url("ma_grille", ev)).status_code == 200


def test_tutor_sees_none_of_it(client, personas, ev):
    login(client, personas.a.tuteur)
    assert client.get(url("mes_grilles")).status_code == 403
    assert client.get(url("ma_grille", ev)).status_code == 403
    assert client.post(url("exporter_apprenti")).status_code == 403


def test_apprentice_has_the_export_button(client, personas, ev):
    login(client, personas.a.apprenti)
    for page in (url("mes_grilles"), url("ma_grille", ev)):
        html = client.get(page).content.decode()
        assert "Exporter pour l&#x27;apprenti" in html or "Exporter pour l'apprenti" in html
        assert url("exporter_apprenti") in html


def test_scolaire_cannot_export(client, personas):
    login(client, personas.a.apprenant)
    assert client.post(url("exporter_apprenti")).status_code == 403
