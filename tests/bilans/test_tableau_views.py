"""The dashboard pages: who sees what, what the teacher and the learner read."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from bilans import views_tableaux
from evaluations.models import Nature
from tests.bilans import tableaux_factories as tf
from tests.evaluations import grille_factories as gf

pytestmark = pytest.mark.django_db


def url(personas, name, side="a"):
    return reverse(f"bilans:{name}", kwargs={"etab": getattr(personas, side).etablissement.slug})


@pytest.fixture
def donnees(personas):
    a = personas.a
    moi, autre = a.apprenant.apprenant, a.apprenti.apprenant
    ref = tf.referentiel(a.diplome)
    u2 = ref["par_unite"]["U2"]
    ecole = tf.evaluation(
        a,
        date=datetime.date(2025, 1, 10),
        titre="Accueil en magasin",
        resultats={(moi, u2[0]): "3", (autre, u2[0]): "1"},
    )
    pfmp = tf.evaluation(
        a,
        date=datetime.date(2025, 5, 20),
        nature=Nature.ENTREPRISE,
        titre="Bilan entreprise PFMP",
        resultats={(moi, u2[0]): "4"},
        enseignants=[a.enseignant.user, a.enseignant2.user],
    )
    cachee = tf.evaluation(
        a,
        date=datetime.date(2025, 3, 1),
        titre="Grille masquée au tableau",
        afficher=False,
        resultats={(moi, u2[1]): "2"},
    )
    seulement_autre = tf.evaluation(
        a,
        date=datetime.date(2025, 2, 1),
        titre="Évaluation de l'apprenti",
        resultats={(autre, u2[1]): "2"},
    )
    return {
        "moi": moi,
        "autre": autre,
        "ref": ref,
        "ecole": ecole,
        "pfmp": pfmp,
        "cachee": cachee,
        "seulement_autre": seulement_autre,
    }


@pytest.mark.parametrize("persona", ["enseignant", "enseignant2", "ddfpt", "chef"])
def test_equipe_lit_le_tableau(as_persona, personas, donnees, persona):
    client = as_persona(persona)
    response = client.get(
        url(personas, "tableau"), {"apprenant": donnees["moi"].pk, "annees": "toutes"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert str(donnees["moi"]) in html
    assert "Accueil en magasin" in html and "Bilan entreprise PFMP" in html
    assert "Grille masquée au tableau" not in html
    assert "Évaluation de l'apprenti" not in html
    assert "Niveau suggéré" in html and "l'enseignant qui décide" in html


def test_cellules_forme_code_niveau_infobulle(as_persona, personas, donnees):
    html = (
        as_persona("enseignant")
        .get(url(personas, "tableau"), {"apprenant": donnees["moi"].pk, "annees": "toutes"})
        .content.decode()
    )
    cellules = re.findall(r'<span class="tb-cel ([^"]+)">(.*?)</span></span>', html)
    assert len(cellules) == 2
    (classes_ecole, contenu_ecole), (classes_e, contenu_e) = cellules
    assert "tb-ecole" in classes_ecole and "lvl-3" in classes_ecole
    assert "tb-entreprise" in classes_e and "lvl-4" in classes_e  # pill
    assert contenu_ecole.startswith("Int ") and contenu_ecole.endswith(" niveau 3")
    assert contenu_e.startswith("E ") and contenu_e.endswith(" niveau 4")
    # each piece of data once: the évaluation is in its column header, not in the cells
    entetes = re.findall(r'<th scope="col" class="tb-col[^"]*">(.*?)</th>', html)
    assert len(entetes) == 2
    assert (
        "10/01/2025 – Accueil en magasin – " in entetes[0] and "Intermédiaire [Int]" in entetes[0]
    )
    assert personas.a.enseignant2.user.last_name in entetes[1]
    # once: « Pourquoi ce niveau ? » is loaded on demand
    assert "title=" not in "".join(entetes) and html.count("Accueil en magasin") == 1
    # the tooltip is built from the column header on hover and on keyboard focus
    js = (settings.BASE_DIR / "static/cpro/js/tableaux.js").read_text()
    assert '"focusin"' in js and '"mouseover"' in js and '"Escape"' in js
    # header: niveau span and nature codes; counts
    assert "Première Bac Pro" in html
    assert re.search(r'<span class="tb-compte">1</span> Intermédiaire \[Int\]', html)
    assert re.search(r'<span class="tb-compte">1</span> Entreprise \[E\]', html)


def test_vue_compacte(as_persona, personas, donnees):
    client = as_persona("enseignant")
    html = client.get(
        url(personas, "tableau"),
        {"apprenant": donnees["moi"].pk, "vue": "compacte", "annees": "toutes"},
    ).content.decode()
    assert "tb-compacte" in html and "tb-complete" not in html
    # a compact cell points to the évaluation's description, said once
    (ref,) = set(re.findall(r'aria-describedby="(tb-e\d+)"', html)) & {f"tb-e{donnees['ecole'].pk}"}
    assert re.search(rf'<li id="{ref}">10/01/2025 – Accueil en magasin – ', html)
    assert "Affichage complet" in html
    assert "Pas encore évalué" in html  # the criterion without résultat, no empty column
    complete = client.get(
        url(personas, "tableau"), {"apprenant": donnees["moi"].pk, "annees": "toutes"}
    ).content.decode()
    assert "tb-complete" in complete and "Compacter" in complete


def test_filtre_unite_dans_la_page(as_persona, personas, donnees):
    html = (
        as_persona("enseignant")
        .get(url(personas, "tableau"), {"apprenant": donnees["moi"].pk, "unite": "U31"})
        .content.decode()
    )
    assert 'value="U31" checked' in html
    assert "Aucune évaluation n'est affichée dans ce tableau de bord pour ce filtre" in html


def test_pourquoi_virgule_et_formule(as_persona, personas, donnees):
    """« Pourquoi ce niveau ? » is an empty <details> that loads the explanation (HTMX, at the
    filter's reference date); without JavaScript its link opens the same URL as a page."""
    client = as_persona("enseignant")
    html = client.get(
        url(personas, "tableau"),
        {"apprenant": donnees["moi"].pk, "date": "2025-06-01", "annees": "toutes"},
    ).content.decode()
    competence = donnees["ref"]["par_unite"]["U2"][0].competence
    adresse = reverse(
        "bilans:tableau_pourquoi",
        kwargs={
            "etab": personas.a.etablissement.slug,
            "apprenant": donnees["moi"].pk,
            "competence": competence.pk,
        },
    )
    attendu = f"{adresse}?date=2025-06-01"
    assert (
        f'<details class="tb-pourquoi" hx-get="{attendu}" hx-trigger="toggle once" '
        'hx-target="find .tb-pourquoi-contenu" hx-swap="innerHTML">' in html
    )
    assert f'<a href="{attendu}">Voir les observations</a>' in html
    assert "tb-contributions" not in html  # nothing of the explanation in the page
    fragment = client.get(attendu, HTTP_HX_REQUEST="true")
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]
    texte = fragment.content.decode()
    assert "<html" not in texte
    assert re.search(r'<td class="tb-poids">\d+,\d\d</td>', texte)
    assert "médiane pondérée" in texte
    assert f"pour {competence.code} au 01/06/2025" in texte
    assert "Accueil en magasin" in texte and "Bilan entreprise PFMP" in texte
    assert "Grille masquée au tableau" not in texte  # hidden from dashboards
    page = client.get(attendu).content.decode()
    assert "<html" in page and "Pourquoi ce niveau ?" in page and "médiane pondérée" in page
    assert (
        f'href="{url(personas, "tableau")}?apprenant={donnees["moi"].pk}&amp;date=2025-06-01"'
        in page
    )


def test_pourquoi_refus(as_persona, personas, donnees):
    """Another establishment's learner, a competence of another diplôme, or a learner whose
    division prepares another diplôme → 404."""
    from referentiels.models import Competence

    client = as_persona("enseignant")
    competence = donnees["ref"]["par_unite"]["U2"][0].competence

    def adresse(apprenant, comp):
        return reverse(
            "bilans:tableau_pourquoi",
            kwargs={
                "etab": personas.a.etablissement.slug,
                "apprenant": apprenant,
                "competence": comp,
            },
        )

    assert client.get(adresse(donnees["moi"].pk, competence.pk)).status_code == 200
    autre_etab = personas.b.apprenant.apprenant.pk
    assert client.get(adresse(autre_etab, competence.pk)).status_code == 404
    ailleurs = tf.referentiel(personas.a.diplome2, unites=("U2",), competences=1, criteres=1)
    comp2 = ailleurs["criteres"][0].competence
    assert client.get(adresse(donnees["moi"].pk, comp2.pk)).status_code == 404
    assert client.get(adresse(donnees["moi"].pk, 999999)).status_code == 404
    assert Competence.objects.filter(pk=comp2.pk).exists()


def test_bouton_bilan_seulement_si_la_page_existe(as_persona, personas, donnees, monkeypatch):
    client = as_persona("enseignant")
    params = {"apprenant": donnees["moi"].pk}

    reel = views_tableaux.etab_reverse

    def absente(request, name, **kwargs):
        if name == "bilans:bilan_creer":
            raise NoReverseMatch(name)
        return reel(request, name, **kwargs)

    def presente(request, name, **kwargs):
        return (
            "/lp-a/bilans/creer/" if name == "bilans:bilan_creer" else reel(request, name, **kwargs)
        )

    monkeypatch.setattr(views_tableaux, "etab_reverse", absente)
    assert (
        "Créer un bilan intermédiaire"
        not in client.get(url(personas, "tableau"), params).content.decode()
    )
    monkeypatch.setattr(views_tableaux, "etab_reverse", presente)
    html = client.get(url(personas, "tableau"), params).content.decode()
    assert f'href="/lp-a/bilans/creer/?apprenant={donnees["moi"].pk}"' in html
    # the chef reads dashboards but does not write bilans
    chef = as_persona("chef").get(url(personas, "tableau"), params).content.decode()
    assert "Créer un bilan intermédiaire" not in chef


def test_precedent_suivant_par_ordre_alphabetique(as_persona, personas):
    a = personas.a
    for m, nom in ((a.apprenant, "Martin"), (a.apprenti, "Bernard")):
        m.user.last_name, m.user.first_name = nom, "Léa"
        m.user.save()
    (troisieme,) = gf.apprenants(a, 1)  # "Nom0001…" sorts last
    client = as_persona("enseignant")
    html = client.get(
        url(personas, "tableau"), {"apprenant": a.apprenant.apprenant.pk}
    ).content.decode()
    assert f"?apprenant={a.apprenti.apprenant.pk}" in html  # previous: Bernard
    assert f"?apprenant={troisieme.pk}" in html  # next
    assert 'rel="prev"' in html and 'rel="next"' in html
    premier = client.get(
        url(personas, "tableau"), {"apprenant": a.apprenti.apprenant.pk}
    ).content.decode()
    assert 'rel="prev"' not in premier and "Premier apprenant de la division" in premier


def test_choix_division_sans_apprenant(as_persona, personas):
    client = as_persona("enseignant")
    html = client.get(url(personas, "tableau")).content.decode()
    assert "Choisissez un apprenant de la division" in html
    assert str(personas.a.apprenant.apprenant) in html  # in the learner select
    # a division changed while a learner was selected: choose again in the new division
    autre = tf_division(personas)
    html = client.get(
        url(personas, "tableau"),
        {"apprenant": personas.a.apprenant.apprenant.pk, "division": autre.pk},
    ).content.decode()
    assert "Choisissez un apprenant" in html or "Aucun apprenant dans la division" in html


def tf_division(personas):
    from tests.factories import DivisionFactory

    a = personas.a
    return DivisionFactory(etablissement=a.etablissement, nom="TMCV", diplome=a.diplome)


def test_apprenant_d_un_autre_etablissement_404(as_persona, personas):
    client = as_persona("enseignant")
    response = client.get(
        url(personas, "tableau"), {"apprenant": personas.b.apprenant.apprenant.pk}
    )
    assert response.status_code == 404
    assert client.get(url(personas, "tableau"), {"apprenant": "abc"}).status_code == 404
    assert (
        client.get(url(personas, "tableau"), {"division": personas.b.division.pk}).status_code
        == 404
    )
    assert (
        client.get(url(personas, "vue_classes"), {"division": personas.b.division.pk}).status_code
        == 404
    )


def test_apprenant_d_un_autre_diplome_404(as_persona, personas):
    client = as_persona("enseignant2")  # manages both diplômes, diplôme 1 chosen
    from tests.factories import DivisionFactory

    a = personas.a
    division2 = DivisionFactory(etablissement=a.etablissement, nom="1MCVB", diplome=a.diplome2)
    (eleve,) = gf.apprenants(a, 1)
    eleve.division = division2
    eleve.save()
    assert client.get(url(personas, "tableau"), {"apprenant": eleve.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["apprenant", "apprenti", "tuteur"])
def test_apprenants_et_tuteur_interdits_sur_les_pages_equipe(as_persona, personas, persona):
    client = as_persona(persona)
    assert client.get(url(personas, "tableau")).status_code == 403
    assert client.get(url(personas, "vue_classes")).status_code == 403


def test_anonyme_vers_la_connexion(client, personas):
    for name in ("tableau", "vue_classes", "mon_tableau"):
        response = client.get(url(personas, name))
        assert response.status_code == 302 and "?next=" in response["Location"]


def test_mon_tableau_seulement_mes_donnees(as_persona, personas, donnees):
    client = as_persona("apprenant")
    response = client.get(url(personas, "mon_tableau"), {"annees": "toutes"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Accueil en magasin" in html and "Bilan entreprise PFMP" in html
    assert "Grille masquée au tableau" not in html
    assert "Évaluation de l'apprenti" not in html
    assert "lvl-1" not in re.sub(
        r'<p class="legende.*?</p>', "", html, flags=re.S
    )  # the apprentice's 1
    assert "Niveau suggéré" not in html and "Créer un bilan" not in html
    compacte = client.get(
        url(personas, "mon_tableau"), {"vue": "compacte", "annees": "toutes"}
    ).content.decode()
    assert "tb-compacte" in compacte
    # by default the current school year: the learner is told and can ask for the others
    courante = client.get(url(personas, "mon_tableau")).content.decode()
    assert "Aucune évaluation n'est encore affichée pour l'année scolaire" in courante
    assert "2024-2025 — 2 évaluations" in courante
    assert 'href="?annees=toutes"' in courante


def test_mon_tableau_autre_apprenant_404(as_persona, personas, donnees):
    client = as_persona("apprenant")
    mon = url(personas, "mon_tableau")
    assert client.get(mon, {"apprenant": donnees["autre"].pk}).status_code == 404
    assert client.get(mon, {"apprenant": personas.b.apprenant.apprenant.pk}).status_code == 404
    assert client.get(mon, {"apprenant": donnees["moi"].pk}).status_code == 200


def test_mon_tableau_interdit_a_l_equipe_et_au_tuteur(as_persona, personas):
    for persona in ("enseignant", "ddfpt", "chef", "tuteur"):
        assert as_persona(persona).get(url(personas, "mon_tableau")).status_code == 403


def test_etats_vides(as_persona, personas):
    html = (
        as_persona("enseignant")
        .get(url(personas, "tableau"), {"apprenant": personas.a.apprenti.apprenant.pk})
        .content.decode()
    )
    assert "Aucun critère d'évaluation ne correspond" in html  # no référentiel loaded
    tf.referentiel(personas.a.diplome)
    html = as_persona("apprenti").get(url(personas, "mon_tableau")).content.decode()
    assert "Aucune évaluation n'est affichée dans ce tableau de bord" in html
