"""Bilans intermédiaires pages: success + DB state for every mutating view, the persona
checklist (other establishment 404, learner/tutor 403, chef read-only, anonymous → login, GET on
POST-only 405), the empty state, the radar and the query pin of the bilans page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bilans.models import BilanIntermediaire
from cpro.models import AuditLog
from cpro.templatetags.francais import de
from tests.bilans import bilans_factories as bf
from tests.personas import login

D = bf.DATE
# Session, user, membership, establishment, diplôme (middleware: 5) + school year, divisions,
# learner, learners of the division, bilans, positionnements, competences.
REQUETES_PAGE = 12


def url(personas, name, etab="a", **kwargs):
    slug = getattr(personas, etab).etablissement.slug
    return reverse(name, kwargs={"etab": slug, **kwargs})


def page(personas, etab="a", **params):
    return url(personas, "bilans:bilans", etab), params


@pytest.fixture
def ref(personas):
    return bf.referentiel(personas.a)


# --- the bilans page -------------------------------------------------------------------------


def test_empty_state(client, personas, as_persona):
    as_persona("chef")
    eleve = personas.a.apprenant.apprenant
    r = client.get(url(personas, "bilans:bilans"), {"apprenant": eleve.pk})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Aucun bilan n'est actuellement disponible pour cet apprenant." in html
    # "de" elided before a vowel: the factory's random name may start with one.
    assert f"Bilan {de(eleve)}" in html
    assert "Créer un bilan intermédiaire" not in html  # the chef reads only


def test_page_shows_bilans_table_and_radar(client, personas, as_persona, ref):
    a = personas.a
    c1, c2 = ref[0].competence, ref[2].competence
    bf.bilan_valide(
        a,
        date=datetime.date(2025, 12, 12),
        niveaux={c1.code: "2", c2.code: "1"},
        constats="Premier trimestre encourageant.",
    )
    dernier = bf.bilan(
        a,
        niveaux={c1.code: "4", c2.code: "3"},
        constats="Des progrès nets à l'oral.",
        conseils="Continuez ainsi.",
        note="13.5",
    )
    as_persona("enseignant")
    r = client.get(url(personas, "bilans:bilans"), {"apprenant": a.apprenant.apprenant.pk})
    html = r.content.decode()
    assert "12/12/2025" in html and "15/01/2026" in html
    assert "Validé" in html and "Brouillon" in html
    # Default: the last bilan.
    assert "Des progrès nets à l&#x27;oral." in html and "Continuez ainsi." in html
    assert "13,50/20" in html
    assert 'class="lvl lvl-4"' in html and "++" in html and "−−" in html
    assert 'role="img"' in html and "Bilan du 12/12/2025" in html
    assert 'class="bilan-documents"' in html
    assert "Créer un bilan intermédiaire" in html
    assert reverse("bilans:bilan_valider", kwargs={"etab": "lp-a", "pk": dernier.pk}) in html
    # Another date chosen in the banner.
    premier = BilanIntermediaire.objects.get(date=datetime.date(2025, 12, 12))
    r = client.get(
        url(personas, "bilans:bilans"),
        {"apprenant": a.apprenant.apprenant.pk, "bilan": premier.pk},
    )
    assert "Premier trimestre encourageant." in r.content.decode()


def test_no_radar_with_one_bilan(client, personas, as_persona, ref):
    bf.bilan(personas.a)
    as_persona("enseignant")
    r = client.get(url(personas, "bilans:bilans"), {"apprenant": personas.a.apprenant.apprenant.pk})
    assert "<svg" not in r.content.decode()


def test_division_then_learner_choice(client, personas, as_persona):
    a = personas.a
    as_persona("enseignant")
    r = client.get(url(personas, "bilans:bilans"))
    html = r.content.decode()
    assert "Choisissez une division puis un apprenant" in html
    assert a.division.nom in html
    r = client.get(url(personas, "bilans:bilans"), {"division": a.division.pk})
    assert r.context["apprenant"] is not None
    eleves = r.context["eleves"]
    assert len(eleves) == 2
    assert r.context["suivant"] == eleves[1].pk and r.context["precedent"] is None


def test_learner_of_another_establishment_is_404(client, personas, as_persona):
    as_persona("enseignant")
    r = client.get(url(personas, "bilans:bilans"), {"apprenant": personas.b.apprenant.apprenant.pk})
    assert r.status_code == 404


def _nb_requetes(client, personas):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(
            url(personas, "bilans:bilans"), {"apprenant": personas.a.apprenant.apprenant.pk}
        )
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_bilans(client, personas, as_persona):
    a = personas.a
    bf.referentiel(a, competences=6, criteres=1)
    as_persona("enseignant")
    bf.bilan_valide(a, date=datetime.date(2025, 10, 1))
    un = _nb_requetes(client, personas)
    for i in range(5):
        bf.bilan(a, date=datetime.date(2025, 11, 1) + datetime.timedelta(days=20 * i))
    six = _nb_requetes(client, personas)
    assert un == six == REQUETES_PAGE, (un, six)


# --- creation and edition --------------------------------------------------------------------


def test_creer_get_then_post(client, personas, as_persona, ref):
    a = personas.a
    eleve = a.apprenant.apprenant
    bf.evaluation(a, {ref[0]: "4", ref[1]: "4"}, date=timezone.localdate())
    as_persona("enseignant2")
    r = client.get(url(personas, "bilans:bilan_creer"), {"apprenant": eleve.pk})
    assert r.status_code == 200
    assert timezone.localdate().isoformat() in r.content.decode()
    r = client.post(
        url(personas, "bilans:bilan_creer"), {"apprenant": eleve.pk, "date": "12/12/2025"}
    )
    bilan = BilanIntermediaire.objects.get()
    assert r.status_code == 302
    assert r["Location"] == url(personas, "bilans:bilan_modifier", pk=bilan.pk)
    assert bilan.date == datetime.date(2025, 12, 12) and bilan.auteur == a.enseignant2.user
    assert bilan.positionnements.count() == 2


def test_creer_invalid_date(client, personas, as_persona):
    as_persona("enseignant")
    r = client.post(
        url(personas, "bilans:bilan_creer"),
        {"apprenant": personas.a.apprenant.apprenant.pk, "date": "32/13/2025"},
    )
    assert r.status_code == 200
    assert "Saisissez une date valide (jj/mm/aaaa)." in r.content.decode()
    assert not BilanIntermediaire.objects.exists()


def test_creer_without_learner_is_404(client, personas, as_persona):
    as_persona("enseignant")
    assert client.get(url(personas, "bilans:bilan_creer")).status_code == 404


def test_modifier_get_shows_suggestion_and_why(client, personas, as_persona, ref):
    a = personas.a
    ev = bf.evaluation(a, {ref[0]: "3"}, titre="Vente conseil d'un smartphone")
    from bilans import services_bilans

    bilan = services_bilans.creer_bilan(a.apprenant.apprenant, par=a.enseignant.user, date=D)
    as_persona("enseignant")
    r = client.get(url(personas, "bilans:bilan_modifier", pk=bilan.pk))
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-compteur="compteur-constats"' in html and 'id="compteur-constats"' in html
    assert "Pourquoi ?" in html and "Voir les observations" in html
    assert ref[0].competence.groupe.intitule in html
    # The observations are loaded when « Pourquoi ? » is opened (bilans:bilan_pourquoi).
    fragment = client.get(
        url(personas, "bilans:bilan_pourquoi", pk=bilan.pk, competence=ref[0].competence_id),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "médiane pondérée" in fragment
    assert ev.titre.replace("'", "&#x27;") in fragment


def test_modifier_post_saves(client, personas, as_persona, ref):
    a = personas.a
    bilan = bf.bilan(a)
    c1, c2 = ref[0].competence, ref[2].competence
    as_persona("enseignant")
    r = client.post(
        url(personas, "bilans:bilan_modifier", pk=bilan.pk),
        {
            "date": "2026-01-20",
            "constats": "Bonne implication.",
            "conseils": "Travailler la conclusion de la vente.",
            "note": "14,25",
            f"niveau_{c1.pk}": "3",
            f"niveau_{c2.pk}": "NE",
        },
    )
    assert r.status_code == 302
    bilan.refresh_from_db()
    assert bilan.date == datetime.date(2026, 1, 20)
    assert str(bilan.note) == "14.25" and bilan.conseils.startswith("Travailler")
    assert bilan.positionnements.get(competence=c1).niveau == "3"
    assert bilan.statut == BilanIntermediaire.Statut.BROUILLON


def test_modifier_post_errors_in_french(client, personas, as_persona, ref):
    a = personas.a
    bilan = bf.bilan(a)
    c1, c2 = ref[0].competence, ref[2].competence
    as_persona("enseignant")
    r = client.post(
        url(personas, "bilans:bilan_modifier", pk=bilan.pk),
        {
            "date": "20/01/2026",
            "constats": "x" * 3001,
            "note": "21",
            f"niveau_{c1.pk}": "3",
            f"niveau_{c2.pk}": "9",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "Les constats ne peuvent pas dépasser 3000 caractères." in html
    assert "La note doit être comprise entre 0 et 20." in html
    assert "Choisissez NE, −−, −, + ou ++." in html
    bilan.refresh_from_db()
    assert bilan.constats == ""


def test_modifier_and_validate(client, personas, as_persona, ref):
    a = personas.a
    ev = bf.evaluation(a, {ref[0]: "3"})
    bilan = bf.bilan(a, evaluations=[ev])
    as_persona("enseignant")
    data = {"date": "15/01/2026", "constats": "Prêt.", "note": "12"}
    data.update({f"niveau_{c.competence_id}": "3" for c in [ref[0], ref[2]]})
    r = client.post(url(personas, "bilans:bilan_modifier", pk=bilan.pk), {**data, "valider": "1"})
    assert r.status_code == 302
    bilan.refresh_from_db()
    ev.refresh_from_db()
    assert bilan.est_valide and ev.verrouillee


def test_validated_bilan_edit_page_refuses(client, personas, as_persona):
    bilan = bf.bilan_valide(personas.a)
    as_persona("enseignant")
    r = client.get(url(personas, "bilans:bilan_modifier", pk=bilan.pk), follow=True)
    assert "Ce bilan est validé : le DDFPT peut le déverrouiller." in r.content.decode()
    r = client.post(url(personas, "bilans:bilan_modifier", pk=bilan.pk), {"constats": "x"})
    assert r.status_code == 302
    bilan.refresh_from_db()
    assert bilan.constats == ""


def test_valider_view_locks(client, personas, as_persona, ref):
    a = personas.a
    ev = bf.evaluation(a, {ref[0]: "2"})
    bilan = bf.bilan(a, evaluations=[ev])
    as_persona("enseignant2")
    r = client.post(url(personas, "bilans:bilan_valider", pk=bilan.pk))
    assert r.status_code == 302
    assert f"bilan={bilan.pk}" in r["Location"]
    bilan.refresh_from_db()
    ev.refresh_from_db()
    assert bilan.est_valide and bilan.valide_par == a.enseignant2.user and ev.verrouillee
    assert AuditLog.objects.filter(action="bilan.validation").count() == 1


def test_deverrouiller_view(client, personas, as_persona, ref):
    a = personas.a
    ev = bf.evaluation(a, {ref[0]: "2"})
    bilan = bf.bilan(a, evaluations=[ev])
    from bilans import services_bilans

    services_bilans.valider_bilan(bilan, par=a.enseignant.user)
    as_persona("enseignant")
    assert client.post(url(personas, "bilans:bilan_deverrouiller", pk=bilan.pk)).status_code == 403
    as_persona("ddfpt")
    r = client.post(url(personas, "bilans:bilan_deverrouiller", pk=bilan.pk))
    assert r.status_code == 302
    bilan.refresh_from_db()
    ev.refresh_from_db()
    assert not bilan.est_valide and not ev.verrouillee
    assert AuditLog.objects.filter(action="bilan.deverrouillage").count() == 1


def test_supprimer_view(client, personas, as_persona):
    bilan = bf.bilan(personas.a)
    as_persona("enseignant2")  # not the author
    assert client.get(url(personas, "bilans:bilan_supprimer", pk=bilan.pk)).status_code == 403
    as_persona("enseignant")
    r = client.get(url(personas, "bilans:bilan_supprimer", pk=bilan.pk))
    assert "Supprimer définitivement" in r.content.decode()
    r = client.post(url(personas, "bilans:bilan_supprimer", pk=bilan.pk))
    assert r.status_code == 302
    assert not BilanIntermediaire.objects.exists()


# --- persona checklist -----------------------------------------------------------------------

ECRITURES = [
    ("bilans:bilan_modifier", "POST", lambda s: {"pk": bf.bilan(s).pk}),
    ("bilans:bilan_valider", "POST", lambda s: {"pk": bf.bilan(s).pk}),
    ("bilans:bilan_deverrouiller", "POST", lambda s: {"pk": bf.bilan_valide(s).pk}),
    ("bilans:bilan_supprimer", "POST", lambda s: {"pk": bf.bilan(s).pk}),
]
IDS = [e[0] for e in ECRITURES]


@pytest.mark.parametrize("name,method,kwargs", ECRITURES, ids=IDS)
def test_object_of_another_establishment_404(client, personas, name, method, kwargs):
    login(client, personas.b.ddfpt, personas.b.diplome)
    r = client.post(url(personas, name, etab="b", **kwargs(personas.a)))
    assert r.status_code == 404
    assert BilanIntermediaire.objects.count() == 1


@pytest.mark.parametrize("persona", ["apprenant", "apprenti", "tuteur", "chef"])
@pytest.mark.parametrize("name,method,kwargs", ECRITURES, ids=IDS)
def test_wrong_role_403(client, personas, persona, name, method, kwargs):
    m = personas.a.membership(persona)
    login(client, m, personas.a.diplome if persona == "chef" else None)
    bilan_kwargs = kwargs(personas.a)
    avant = BilanIntermediaire.objects.get().statut
    r = client.post(url(personas, name, **bilan_kwargs))
    assert r.status_code == 403
    assert BilanIntermediaire.objects.get().statut == avant


def test_creer_wrong_role_403(client, personas):
    for persona in ("chef", "apprenant", "tuteur"):
        m = personas.a.membership(persona)
        login(client, m, personas.a.diplome if persona == "chef" else None)
        r = client.post(
            url(personas, "bilans:bilan_creer"),
            {"apprenant": personas.a.apprenant.apprenant.pk, "date": "12/12/2025"},
        )
        assert r.status_code == 403
    assert not BilanIntermediaire.objects.exists()


@pytest.mark.parametrize("name,method,kwargs", ECRITURES, ids=IDS)
def test_anonymous_goes_to_login(client, personas, name, method, kwargs):
    r = client.post(url(personas, name, **kwargs(personas.a)))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("etab:connexion", kwargs={"etab": "lp-a"}))


@pytest.mark.parametrize("name", ["bilans:bilan_valider", "bilans:bilan_deverrouiller"])
def test_get_on_post_only_is_405(client, personas, name):
    login(client, personas.a.ddfpt, personas.a.diplome)
    bilan = bf.bilan_valide(personas.a)
    assert client.get(url(personas, name, pk=bilan.pk)).status_code == 405
    bilan.refresh_from_db()
    assert bilan.est_valide


def test_edit_page_query_count_does_not_grow(client, personas, as_persona, ref):
    a = personas.a
    bilan = bf.bilan(a)
    as_persona("enseignant")

    def nb():
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url(personas, "bilans:bilan_modifier", pk=bilan.pk))
        assert r.status_code == 200
        return len(ctx.captured_queries)

    ev = bf.evaluation(a, {ref[0]: "3"}, date=D - datetime.timedelta(days=3))
    bilan.evaluations.set([ev])
    un = nb()
    evs = [bf.evaluation(a, {ref[0]: "2", ref[2]: "4"}) for _ in range(5)]
    bilan.evaluations.set([ev, *evs])
    assert nb() == un
