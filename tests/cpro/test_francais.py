"""French agreement helpers (cpro/templatetags/francais.py) and the wording they fix."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from cpro.templatetags.francais import accord, de, de_texte, elide, pluriel
from pfmp.forms_periodes import EntrepriseForm
from tests.personas import login


@pytest.mark.parametrize(
    ("n", "attendu"),
    [(0, ""), (1, ""), (1.5, ""), (2, "s"), (-3, "s"), ("4", "s"), ([], ""), ([1, 2], "s")],
)
def test_pluriel_from_two_on(n, attendu):
    assert pluriel(n) == attendu


def test_pluriel_with_two_forms_and_unknown_values():
    assert pluriel(1, "a,ont") == "a" and pluriel(3, "a,ont") == "ont"
    assert pluriel(5, "x") == "x"
    assert pluriel(None) == "" and pluriel("abc") == ""


@pytest.mark.parametrize(
    ("n", "mot", "attendu"),
    [
        (0, "validée", "0 validée"),
        (1, "brouillon", "1 brouillon"),
        (2, "validée", "2 validées"),
        (4, "brouillon", "4 brouillons"),
        (3, "à revoir,à revoir", "3 à revoir"),
        (2, "prix", "2 prix"),
        (2, "journal,journaux", "2 journaux"),
        ([1, 2], "fiche", "2 fiches"),
    ],
)
def test_accord(n, mot, attendu):
    assert accord(n, mot) == attendu


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [
        ("ANDRÉ Léa", "d'ANDRÉ Léa"),
        ("Émile", "d'Émile"),
        ("HENRY Léa", "de HENRY Léa"),  # an h may be aspirated: never elided
        ("HAMEL Isabelle", "de HAMEL Isabelle"),
        ("Yves", "d'Yves"),
        ("Yann", "de Yann"),
        ("BERNARD Tom", "de BERNARD Tom"),
        ("", "de "),
    ],
)
def test_de_elides_before_a_vowel_sound(nom, attendu):
    assert de_texte(nom) == attendu
    assert elide(nom) == attendu.startswith("d'")


def test_de_filter_escapes_the_name():
    assert de("<b>OBRIEN</b>") == "de &lt;b&gt;OBRIEN&lt;/b&gt;"
    gabarit = Template(
        "Bilan {{ nom|de }} · {{ n }} fiche{{ n|pluriel }} · {{ v|accord:'validée' }}"
    )
    rendu = gabarit.render(Context({"nom": "ANDRÉ Léa & co", "n": 0, "v": 2}))
    assert rendu == "Bilan d'ANDRÉ Léa &amp; co · 0 fiche · 2 validées"


def test_no_template_uses_the_english_plural_rule():
    """`pluralize` says "0 validées": every template uses `pluriel` (French rule)."""
    from pathlib import Path

    racine = Path(__file__).resolve().parents[2] / "templates"
    anglais = [
        str(p.relative_to(racine))
        for p in racine.rglob("*.html")
        if "|pluralize" in p.read_text(encoding="utf-8")
    ]
    assert sorted(anglais) == []


def test_coordinates_examples_are_of_their_own_kind():
    form = EntrepriseForm()
    assert "45,7640" in form.fields["latitude"].help_text
    assert "4,8357" in form.fields["longitude"].help_text
    assert "45,7640" not in form.fields["longitude"].help_text
    erreurs = EntrepriseForm({"nom": "X", "latitude": "abc", "longitude": "abc"}).errors
    assert "45,7640" in erreurs["latitude"][0] and "4,8357" in erreurs["longitude"][0]


def test_login_error_speaks_of_the_identifier_not_a_pseudo(client, personas):
    for identifiant in ("a-enseignant", "inconnu", "a-enseignant@exemple.fr"):
        html = client.post(
            f"/{personas.a.etablissement.slug}/", {"login": identifiant, "password": "faux"}
        ).content.decode()
        assert "Identifiant ou mot de passe incorrect pour cet établissement." in html
        assert "pseudo" not in html.lower()


# --- gender agreement from the learner's sex (SIECLE CODE_SEXE) --------------------------------


@pytest.mark.parametrize(
    ("sexe", "statut", "attendu"),
    [
        ("F", "APPRENTI", "apprentie"),
        ("M", "APPRENTI", "apprenti"),
        ("", "APPRENTI", "apprenti(e)"),
        ("F", "SCOLAIRE", "scolaire"),
        ("", "SCOLAIRE", "scolaire"),
    ],
)
def test_libelle_statut_agrees_with_the_sex(sexe, statut, attendu):
    from cpro.models import Apprenant

    assert Apprenant(sexe=sexe, statut=statut).libelle_statut == attendu


@pytest.mark.parametrize(
    ("sexe", "arg", "attendu"),
    [
        ("F", "inscrit,inscrite", "inscrite"),
        ("M", "inscrit,inscrite", "inscrit"),
        ("", "inscrit,inscrite", "inscrit(e)"),
        ("", "un apprenant,une apprenante", "un apprenant / une apprenante"),
        ("F", "élève", "élève"),
    ],
)
def test_genre_filter(sexe, arg, attendu):
    from cpro.models import Apprenant
    from cpro.templatetags.francais import genre

    assert genre(Apprenant(sexe=sexe), arg) == attendu
    assert genre(sexe, arg) == attendu


def test_genre_in_a_template_and_the_badge_of_a_girl(client, personas):
    """The reported wording: "HENRY Léa apprenti" for a girl."""
    from cpro.models import Apprenant

    html = Template('{{ a|genre:"inscrit,inscrite" }} {{ a|statut_accorde }}').render(
        Context({"a": Apprenant(sexe="F", statut="APPRENTI")})
    )
    assert html == "inscrite apprentie"
    apprentie = personas.a.apprenti.apprenant
    apprentie.sexe = "F"
    apprentie.save(update_fields=["sexe"])
    login(client, personas.a.ddfpt, personas.a.diplome)
    html = client.get(reverse("gestion:apprenants", kwargs={"etab": "lp-a"})).text
    assert "<td>Apprentie</td>" in html and "<td>Apprenti</td>" not in html
