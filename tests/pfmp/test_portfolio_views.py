"""Portfolio pages: what each persona sees and may do, success paths with DB state, and query
pins (constant with few or many weeks / fiches / learners)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from pfmp import services_portfolio as services
from pfmp.models import BilanEntreprise, FicheActivite
from tests.pfmp import portfolio_factories as pf


@pytest.fixture
def aff(personas):
    return pf.de_persona(personas)


def _url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


# --- visibility -------------------------------------------------------------------------------


def test_journal_page_shows_entreprise_objectives_weeks(client, personas, aff, as_persona):
    as_persona("apprenant")
    page = client.get(_url(personas, "pfmp:portfolio", pk=aff.pk)).content.decode()
    e = aff.entreprise
    assert e.nom in page and e.secteur in page and e.telephone in page
    assert (
        "https://www.openstreetmap.org/?mlat=45.764043&amp;mlon=4.835659#map=16/45.764043/4.835659"
        in page
    )
    assert aff.periode.objectifs in page
    assert aff.periode.taches.first().intitule in page
    assert "Semaine 2" in page and "03/11/2025" in page
    assert "Présenter mon entreprise" in page
    assert "Ma présentation de l'entreprise" in page and "Mon bilan personnel" in page


def test_no_map_link_without_coordinates(client, personas, as_persona):
    a = pf.affectation(
        pf.periode(personas.a),
        personas.a.apprenant.apprenant,
        entreprise=pf.entreprise(personas.a, latitude=None, longitude=None),
    )
    as_persona("enseignant")
    page = client.get(_url(personas, "pfmp:portfolio", pk=a.pk)).content.decode()
    assert "openstreetmap" not in page


def test_teacher_and_tutor_read_without_edit_links(client, personas, aff, as_persona):
    for qui in ("enseignant", "tuteur", "chef"):
        as_persona(qui)
        page = client.get(_url(personas, "pfmp:portfolio", pk=aff.pk))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Présenter mon entreprise" not in html
        # Headings speak of the learner, not in his voice.
        assert "Présentation de l&#x27;entreprise par l&#x27;apprenant" in html or (
            "Présentation de l'entreprise par l'apprenant" in html
        )
        assert "Ma présentation" not in html and "Mon bilan personnel" not in html
        url = _url(personas, "pfmp:portfolio_presentation", pk=aff.pk)
        assert client.post(url, {"texte": "x"}).status_code == 403


def test_a_tutor_cannot_open_another_tutors_learner(client, personas, as_persona):
    from cpro.models import Role
    from tests.factories import MembershipFactory

    autre_tuteur = MembershipFactory(etablissement=personas.a.etablissement, role=Role.TUTEUR)
    autre = pf.affectation(
        pf.periode(personas.a), personas.a.apprenti.apprenant, tuteur=autre_tuteur
    )
    as_persona("tuteur")
    for name in ("pfmp:portfolio", "pfmp:portfolio_fiches", "pfmp:bilan_entreprise"):
        assert client.get(_url(personas, name, pk=autre.pk)).status_code == 404
    assert client.get(_url(personas, "pfmp:fiche", pk=pf.fiche(autre).pk)).status_code == 404


def test_learner_cannot_open_another_learners_portfolio(client, personas, aff, as_persona):
    as_persona("apprenti")
    for name in ("pfmp:portfolio", "pfmp:portfolio_fiches", "pfmp:bilan_entreprise"):
        assert client.get(_url(personas, name, pk=aff.pk)).status_code == 404
    assert client.get(_url(personas, "pfmp:fiche", pk=pf.fiche(aff).pk)).status_code == 404


def test_other_establishment_gets_404(client, personas, aff):
    from tests.personas import login

    b_aff = pf.affectation(pf.periode(personas.b), personas.b.apprenant.apprenant)
    login(client, personas.a.ddfpt, personas.a.diplome)
    # An object of B through A's URL.
    assert client.get(_url(personas, "pfmp:portfolio", pk=b_aff.pk)).status_code == 404
    assert client.get(_url(personas, "pfmp:fiche", pk=pf.fiche(b_aff).pk)).status_code == 404


def test_archived_is_read_only_for_staff_and_hidden_from_the_learner(client, personas, as_persona):
    a = pf.affectation(pf.periode(personas.a), personas.a.apprenant.apprenant, archivee=True)
    as_persona("enseignant")
    page = client.get(_url(personas, "pfmp:portfolio", pk=a.pk)).content.decode()
    assert "archivé" in page and "Créer le lien" not in page
    assert client.post(_url(personas, "pfmp:bilan_ouvrir", pk=a.pk)).status_code == 403
    as_persona("apprenant")
    assert client.get(_url(personas, "pfmp:portfolio", pk=a.pk)).status_code == 404
    page = client.get(_url(personas, "pfmp:mes_portfolios")).content.decode()
    assert a.periode.titre not in page


def test_lists(client, personas, aff, as_persona):
    as_persona("apprenant")
    page = client.get(_url(personas, "pfmp:mes_portfolios")).content.decode()
    assert aff.periode.titre in page
    as_persona("tuteur")
    page = client.get(_url(personas, "pfmp:tuteur_apprenants")).content.decode()
    assert aff.periode.titre in page
    assert _url(personas, "pfmp:portfolio", pk=aff.pk) in page
    # Not their learner: not listed.
    pf.affectation(pf.periode(personas.a, titre="PFMP étrangère"), personas.a.apprenti.apprenant)
    page = client.get(_url(personas, "pfmp:tuteur_apprenants")).content.decode()
    assert "PFMP étrangère" not in page


# --- the learner writes -----------------------------------------------------------------------


def test_learner_writes_journal(client, personas, aff, as_persona):
    as_persona("apprenant")
    tache = aff.periode.taches.first()
    r = client.post(_url(personas, "pfmp:portfolio_presentation", pk=aff.pk), {"texte": "Boutique"})
    assert r.status_code == 302
    r = client.post(
        _url(personas, "pfmp:semaine", pk=aff.pk, numero=2),
        {"activites": "Caisse", "taches": [str(tache.pk)]},
    )
    assert r.status_code == 302 and r["Location"].endswith("#semaine-2")
    r = client.post(_url(personas, "pfmp:portfolio_bilan_personnel", pk=aff.pk), {"texte": "Riche"})
    assert r.status_code == 302
    aff.portfolio.refresh_from_db()
    semaine = aff.portfolio.semaines.get(numero=2)
    assert aff.portfolio.presentation_entreprise == "Boutique"
    assert aff.portfolio.bilan_personnel == "Riche"
    assert semaine.activites == "Caisse" and list(semaine.taches.all()) == [tache]


def test_too_long_text_shows_a_french_error(client, personas, aff, as_persona):
    as_persona("apprenant")
    r = client.post(_url(personas, "pfmp:portfolio_presentation", pk=aff.pk), {"texte": "x" * 5001})
    assert r.status_code == 200
    assert "dépasse 5000 caractères" in r.content.decode()


def test_fiche_through_the_views(client, personas, aff, as_persona):
    fiche = pf.fiche(aff)
    url = _url(personas, "pfmp:fiche", pk=fiche.pk)
    as_persona("apprenant")
    r = client.post(url, {"titre": "", "realisation": "", "action": "soumettre"})
    assert r.status_code == 200 and "avant de soumettre" in r.content.decode()
    r = client.post(url, {"titre": "Vente", "realisation": "J'ai vendu.", "action": "soumettre"})
    assert r.status_code == 302
    fiche.refresh_from_db()
    assert fiche.statut == FicheActivite.Statut.SOUMISE
    # Submitted: read-only for the learner.
    assert "<textarea" not in client.get(url).content.decode()
    client.post(url, {"titre": "Autre", "realisation": "x"})
    fiche.refresh_from_db()
    assert fiche.titre == "Vente"
    # The tutor reads, cannot comment.
    as_persona("tuteur")
    assert client.get(url).status_code == 200
    assert client.post(url, {"titre": "x"}).status_code == 403
    comment = _url(personas, "pfmp:fiche_commenter", pk=fiche.pk)
    assert client.post(comment, {"decision": "valider"}).status_code == 403
    # The référent sends it back.
    as_persona("enseignant")
    assert "Répondre à l'apprenant" in client.get(url).content.decode()
    client.post(comment, {"decision": "a_revoir", "commentaire": "Détaille."})
    fiche.refresh_from_db()
    assert fiche.statut == FicheActivite.Statut.A_REVOIR and fiche.commentaire == "Détaille."
    as_persona("apprenant")
    page = client.get(url).content.decode()
    assert "Détaille." in page and "<textarea" in page


# --- bilan entreprise -------------------------------------------------------------------------


def test_bilan_through_the_views(client, personas, aff, as_persona):
    as_persona("enseignant")
    url = _url(personas, "pfmp:bilan_entreprise", pk=aff.pk)
    assert "Ouvrir le bilan entreprise" in client.get(url).content.decode()
    assert client.post(_url(personas, "pfmp:bilan_ouvrir", pk=aff.pk)).status_code == 302
    bilan = BilanEntreprise.objects.get(affectation=aff)
    c1 = bilan.evaluation.criteres.order_by("code").first()
    # The learner does not see it while EN_COURS.
    as_persona("apprenant")
    page = client.get(url).content.decode()
    assert "en cours" in page and escape(c1.intitule) not in page
    assert client.post(url, {f"c{c1.pk}": "4"}).status_code == 403
    # The tutor (account) enters.
    as_persona("tuteur")
    r = client.post(url, {f"c{c1.pk}": "2", f"o{c1.pk}": "", "tuteur_nom": "M. Petit"})
    assert r.status_code == 302
    assert bilan.evaluation.resultats.get().niveau == "2"
    # The teacher validates.
    as_persona("enseignant")
    r = client.post(_url(personas, "pfmp:bilan_valider", pk=aff.pk))
    bilan.refresh_from_db()
    assert bilan.statut == BilanEntreprise.Statut.VALIDE
    # Read-only for the tutor; the learner now sees it.
    as_persona("tuteur")
    assert "<select" not in client.get(url).content.decode()
    as_persona("apprenant")
    page = client.get(url).content.decode()
    assert escape(c1.intitule) in page and "M. Petit" in page
    # The chef cannot reopen.
    as_persona("chef")
    assert client.post(_url(personas, "pfmp:bilan_rouvrir", pk=aff.pk)).status_code == 403
    as_persona("enseignant2")
    client.post(_url(personas, "pfmp:bilan_rouvrir", pk=aff.pk))
    bilan.refresh_from_db()
    assert bilan.statut == BilanEntreprise.Statut.EN_COURS


def test_bilan_validation_error_is_a_message(client, personas, aff, as_persona):
    services.ouvrir_bilan_entreprise(aff, par=personas.a.enseignant.user)
    as_persona("enseignant")
    r = client.post(_url(personas, "pfmp:bilan_valider", pk=aff.pk), follow=True)
    assert "au moins un critère" in r.content.decode()


def test_concurrent_entry_only_writes_changed_cells(client, personas, aff, as_persona):
    bilan = services.ouvrir_bilan_entreprise(aff, par=personas.a.enseignant.user)
    c1, c2 = bilan.evaluation.criteres.order_by("code")[:2]
    # The tutor set c2 after the teacher opened the page (original "" for both).
    services.saisir_bilan(bilan, {c2.pk: "4"}, par=personas.a.tuteur.user)
    as_persona("enseignant")
    client.post(
        _url(personas, "pfmp:bilan_entreprise", pk=aff.pk),
        {f"c{c1.pk}": "3", f"o{c1.pk}": "", f"c{c2.pk}": "", f"o{c2.pk}": ""},
    )
    niveaux = dict(bilan.evaluation.resultats.values_list("critere_id", "niveau"))
    assert niveaux == {c1.pk: "3", c2.pk: "4"}


# --- query pins -------------------------------------------------------------------------------


def _compter(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _portfolio_rempli(personas, n):
    a = pf.affectation(
        pf.periode(personas.a),
        personas.a.apprenant.apprenant,
        tuteur=personas.a.tuteur,
        referent=personas.a.enseignant.user,
        entreprise=pf.entreprise(personas.a),
        semaines=n,
        fiches=n,
    )
    taches = list(a.periode.taches.all())
    for s in a.portfolio.semaines.all():
        s.activites = "Vente"
        s.save()
        s.taches.set(taches[:2])
    for f in a.portfolio.fiches.all():
        pf.remplir_fiche(f, statut=FicheActivite.Statut.SOUMISE).taches.set(taches[:1])
    bilan = services.ouvrir_bilan_entreprise(a, par=personas.a.enseignant.user)
    services.saisir_bilan(
        bilan,
        {c.pk: "3" for c in bilan.evaluation.criteres.all()},
        par=personas.a.enseignant.user,
    )
    services.creer_lien_tuteur(a, par=personas.a.enseignant.user)
    return a


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("enseignant", "pfmp:portfolio"),
        ("apprenant", "pfmp:portfolio"),
        ("tuteur", "pfmp:portfolio"),
        ("enseignant", "pfmp:portfolio_fiches"),
        ("enseignant", "pfmp:bilan_entreprise"),
        ("tuteur", "pfmp:bilan_entreprise"),
    ],
)
def test_portfolio_pages_run_a_constant_number_of_queries(
    client, personas, as_persona, persona, name
):
    petit = _portfolio_rempli(personas, 2)
    grand = _portfolio_rempli(personas, 10)
    as_persona(persona)
    client.get(_url(personas, name, pk=petit.pk))  # the first request settles the session
    n_petit = _compter(client, _url(personas, name, pk=petit.pk))
    n_grand = _compter(client, _url(personas, name, pk=grand.pk))
    assert n_petit == n_grand
    print(f"{name} as {persona}: {n_petit} queries")


def test_lists_run_a_constant_number_of_queries(client, personas, as_persona):
    _portfolio_rempli(personas, 2)
    as_persona("apprenant")
    client.get(_url(personas, "pfmp:mes_portfolios"))
    n1 = _compter(client, _url(personas, "pfmp:mes_portfolios"))
    as_persona("tuteur")
    client.get(_url(personas, "pfmp:tuteur_apprenants"))
    t1 = _compter(client, _url(personas, "pfmp:tuteur_apprenants"))
    for _ in range(4):
        _portfolio_rempli(personas, 3)
    as_persona("apprenant")
    client.get(_url(personas, "pfmp:mes_portfolios"))
    assert _compter(client, _url(personas, "pfmp:mes_portfolios")) == n1
    as_persona("tuteur")
    client.get(_url(personas, "pfmp:tuteur_apprenants"))
    assert _compter(client, _url(personas, "pfmp:tuteur_apprenants")) == t1
    print(f"mes_portfolios: {n1} queries, tuteur_apprenants: {t1} queries")


def test_link_pages_run_a_constant_number_of_queries(client, personas):
    counts = []
    for n in (2, 10):
        a = _portfolio_rempli(personas, n)
        url = services.creer_lien_tuteur(a, par=personas.a.enseignant.user)
        client.get(url)
        counts.append(
            (
                _compter(client, _url(personas, "pfmp:tuteur_portfolio", pk=a.pk)),
                _compter(client, _url(personas, "pfmp:tuteur_bilan", pk=a.pk)),
            )
        )
    assert counts[0] == counts[1]
