"""Journal des actions: French labels of every action code, before → after in French, filters,
pagination that keeps them, query count constant in the number of entries."""

import ast
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cpro import journal
from cpro.audit import LIBELLES_ACTIONS, declarer_libelles, journaliser, libelle_action
from cpro.models import AuditLog
from tests.personas import login

RACINE = Path(settings.BASE_DIR)
NB_REQUETES = 12  # the journal page, whatever the number of entries (see the test below)


def _url(etab="lp-a"):
    return reverse("etab:journal", kwargs={"etab": etab})


# --- every action code has a French label ----------------------------------------------------


def _chaines(noeud) -> list[str]:
    """The string constants an expression may evaluate to (a constant, a conditional)."""
    if isinstance(noeud, ast.Constant) and isinstance(noeud.value, str):
        return [noeud.value]
    if isinstance(noeud, ast.IfExp):
        return _chaines(noeud.body) + _chaines(noeud.orelse)
    return []


def _affectations(arbres) -> dict[str, list[str]]:
    """name → the strings assigned to it anywhere (module constants, local variables)."""
    noms: dict[str, list[str]] = {}
    alias: dict[str, str] = {}
    for arbre in arbres:
        for n in ast.walk(arbre):
            if isinstance(n, ast.Assign):
                for cible in n.targets:
                    if isinstance(cible, ast.Name):
                        noms.setdefault(cible.id, []).extend(_chaines(n.value))
            elif isinstance(n, ast.ImportFrom):  # `from x import ACTION as ACTION_RESULTAT`
                alias.update({a.asname: a.name for a in n.names if a.asname})
    for nouveau, ancien in alias.items():
        noms.setdefault(nouveau, []).extend(noms.get(ancien, []))
    return noms


def _sources():
    """The Python files of the project's packages (not the virtualenv, tests, migrations)."""
    for paquet in sorted(RACINE.iterdir()):
        if not (paquet / "__init__.py").exists() or paquet.name == "tests":
            continue
        for chemin in paquet.rglob("*.py"):
            if "migrations" not in chemin.relative_to(RACINE).parts:
                yield chemin


def codes_du_code_source() -> dict[str, str]:
    """Every action code written to the audit log: first argument of `journaliser(…)` and
    `action=` of `AuditLog(…)`, resolved through the names it is assigned to."""
    arbres = {chemin: ast.parse(chemin.read_text(encoding="utf-8")) for chemin in _sources()}
    noms = _affectations(arbres.values())
    codes: dict[str, str] = {}
    for chemin, arbre in arbres.items():
        for n in ast.walk(arbre):
            if not isinstance(n, ast.Call):
                continue
            f = n.func
            nom = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
            expressions = []
            if nom == "journaliser" and n.args:
                expressions.append(n.args[0])
            if nom in ("journaliser", "AuditLog"):
                expressions += [k.value for k in n.keywords if k.arg == "action"]
            for expr in expressions:
                valeurs = _chaines(expr)
                if isinstance(expr, ast.Name):
                    valeurs = noms.get(expr.id, [])
                    if not valeurs and chemin.name != "audit.py":
                        # A parameter passed through (`def f(action)`): not resolvable here.
                        valeurs = [f"<{expr.id}>"]
                where = f"{chemin.relative_to(RACINE)}:{n.lineno}"
                for code in valeurs:
                    codes.setdefault(code, where)
    return codes


def test_every_action_code_of_the_code_base_has_a_french_label():
    codes = codes_du_code_source()
    # The scan finds the codes the issue quotes, and the ones written through names.
    assert {"lsl.livret.enregistrer", "resultat.modifier", "apprenant.effacer"} <= set(codes)
    assert {"evaluation.verrouillage", "scenario.prive", "scenario.partage"} <= set(codes)
    manquants = {code: where for code, where in codes.items() if code not in LIBELLES_ACTIONS}
    assert manquants == {}, "Déclarez ces codes dans cpro.audit.LIBELLES_ACTIONS"


def test_labels_are_french_sentences_not_codes():
    for code, libelle in LIBELLES_ACTIONS.items():
        texte = str(libelle)
        assert texte[0].isupper() and "." not in texte and "_" not in texte, code
    assert libelle_action("lsl.livret.enregistrer") == "Enregistrement d'un livret scolaire (LSL)"
    assert libelle_action("code.inconnu") == "code.inconnu"


def test_an_app_may_declare_its_labels():
    declarer_libelles({"essai.action_test": "Action d'essai"}, {"cle_test": "Clé d'essai"})
    try:
        assert libelle_action("essai.action_test") == "Action d'essai"
        assert journal.libelle_champ("cle_test") == "Clé d'essai"
    finally:
        LIBELLES_ACTIONS.pop("essai.action_test")
        journal.LIBELLES_CHAMPS.pop("cle_test")


# --- formatting ------------------------------------------------------------------------------


def _entree(personas, action="apprenant.modifier", objet=None, avant=None, apres=None, par=None):
    a = personas.a
    return journaliser(
        action,
        par=par or a.ddfpt.user,
        etablissement=a.etablissement,
        objet=objet if objet is not None else a.apprenti.apprenant,
        avant=avant or {},
        apres=apres or {},
    )


def test_before_after_in_french(personas):
    apprenant = personas.a.apprenti.apprenant
    e = _entree(
        personas,
        avant={"statut": "SCOLAIRE", "sexe": "", "date_naissance": "2008-03-14", "nom": "X"},
        apres={"statut": "APPRENTI", "sexe": "F", "date_naissance": "2008-03-15", "nom": "X"},
    )
    (ligne,) = journal.lignes([e], personas.a.etablissement)
    assert ligne.action == "Modification d'un apprenant"
    vus = {c.libelle: (c.avant, c.apres, c.modifie) for c in ligne.changements}
    assert vus == {
        "Statut": ("Scolaire", "Apprenti", True),  # choices of the model field
        "Sexe": ("—", "Féminin", True),
        "Date de naissance": ("14/03/2008", "15/03/2008", True),  # verbose_name
    }
    # Unchanged values are context, shown once.
    assert [(c.libelle, c.apres) for c in ligne.contexte] == [("Nom", "X")]
    assert ligne.entree.objet_id == str(apprenant.pk)


def test_levels_booleans_numbers_and_learner_ids(personas):
    a = personas.a
    apprenant = a.apprenti.apprenant
    cible = {"apprenant": apprenant.pk, "ine": "", "critere": "C1.1"}
    e1 = _entree(
        personas,
        action="resultat.modifier",
        objet=a.division,
        avant={**cible, "niveau": "2"},
        apres={**cible, "niveau": "4"},
    )
    e2 = _entree(
        personas,
        action="evaluation.verrouillage",
        objet=a.division,
        avant={"verrouillee": False, "note": 12.5},
        apres={"verrouillee": True, "note": 13.0, "apprenants": [apprenant.pk, 999999]},
    )
    l1, l2 = journal.lignes([e1, e2], a.etablissement)
    vus = {c.libelle: (c.avant, c.apres) for c in l1.changements}
    assert vus == {"Niveau": ("En cours d'acquisition", "Acquis et transférable")}
    # Context: the learner by name, the criterion; the empty INE is left out.
    contexte = [(c.libelle, c.apres) for c in l1.contexte]
    assert contexte == [("Apprenant", str(apprenant.membership.user)), ("Critère", "C1.1")]
    vus = {c.libelle: (c.avant, c.apres) for c in l2.changements}
    assert vus["Verrouillée"] == ("Non", "Oui")
    assert vus["Note"] == ("12,5", "13")
    # An id that is not a learner of this establishment stays a number.
    assert vus["Apprenants"] == (None, f"{apprenant.membership.user}, n°999999")


def test_a_key_named_like_a_reverse_relation_is_a_plain_value(personas):
    """`Etablissement.divisions` is a reverse relation, not a field: `{"divisions": 2}` is a
    count recorded by the service (a crash found by the sauvegarde tests)."""
    a = personas.a
    e = _entree(personas, action="etablissement.modifier", objet=a.etablissement)
    AuditLog.objects.filter(pk=e.pk).update(avant={"divisions": 1}, apres={"divisions": 2})
    e.refresh_from_db()
    (ligne,) = journal.lignes([e], a.etablissement)
    assert [(c.libelle, c.avant, c.apres) for c in ligne.changements] == [("Divisions", "1", "2")]


def test_learner_of_another_establishment_is_not_named(personas):
    autre = personas.b.apprenti.apprenant
    e = _entree(personas, action="resultat.modifier", apres={"apprenant": autre.pk})
    (ligne,) = journal.lignes([e], personas.a.etablissement)
    assert ligne.changements[0].apres == f"n°{autre.pk}"


def test_page_shows_labels_not_codes_nor_dicts(client, personas):
    _entree(personas, avant={"statut": "SCOLAIRE"}, apres={"statut": "APPRENTI"})
    login(client, personas.a.ddfpt, personas.a.diplome)
    html = client.get(_url()).text
    assert "Modification d&#x27;un apprenant" in html
    assert 'data-libelle="Action">apprenant.modifier' not in html and "{&#x27;statut" not in html
    assert "<del>Scolaire</del>" in html and "<ins>Apprenti</ins>" in html


# --- filters and pagination ------------------------------------------------------------------


def _dater(entree, jour):
    AuditLog.objects.filter(pk=entree.pk).update(
        cree_le=timezone.make_aware(datetime.datetime.combine(jour, datetime.time(10, 30)))
    )


def _actions(response):
    return [ligne.entree.pk for ligne in response.context["lignes"]]


def test_filters_dates_person_action_learner(client, personas):
    a = personas.a
    e_vieux = _entree(personas, apres={"statut": "APPRENTI"})
    _dater(e_vieux, datetime.date(2025, 9, 1))
    e_chef = _entree(personas, action="division.modifier", objet=a.division, par=a.chef.user)
    _dater(e_chef, datetime.date(2025, 10, 15))
    e_autre = _entree(personas, objet=a.apprenant.apprenant, apres={"statut": "SCOLAIRE"})
    _dater(e_autre, datetime.date(2025, 10, 16))
    e_resultat = _entree(
        personas,
        action="resultat.modifier",
        objet=a.division,
        apres={"apprenant": a.apprenti.apprenant.pk, "niveau": "3"},
    )
    _dater(e_resultat, datetime.date(2025, 10, 20))
    login(client, a.ddfpt, a.diplome)

    r = client.get(_url(), {"du": "01/10/2025", "au": "16/10/2025"})
    assert _actions(r) == [e_autre.pk, e_chef.pk]
    r = client.get(_url(), {"du": "2025-10-16"})  # the ISO form of a date input is accepted
    assert _actions(r) == [e_resultat.pk, e_autre.pk]
    r = client.get(_url(), {"personne": a.chef.user.pk})
    assert _actions(r) == [e_chef.pk]
    r = client.get(_url(), {"action": "division.modifier"})
    assert _actions(r) == [e_chef.pk]
    # The learner: the entries about their profile and the entries naming them by id.
    r = client.get(_url(), {"apprenant": a.apprenti.apprenant.pk})
    assert _actions(r) == [e_resultat.pk, e_vieux.pk]
    html = r.text
    assert "correspondant aux filtres" in html and "Effacer les filtres" in html


def test_filter_choices_list_only_this_establishment(client, personas):
    a, b = personas.a, personas.b
    _entree(personas)
    journaliser("division.modifier", par=b.chef.user, etablissement=b.etablissement)
    login(client, a.ddfpt, a.diplome)
    form = client.get(_url()).context["form"]
    assert list(form.fields["personne"].queryset) == [a.ddfpt.user]
    assert [c for c, _l in form.fields["action"].choices] == ["", "apprenant.modifier"]
    assert b.apprenti.apprenant not in form.fields["apprenant"].queryset
    # Another establishment's learner is not a valid choice: nothing is filtered, error shown.
    r = client.get(_url(), {"apprenant": b.apprenti.apprenant.pk})
    assert r.status_code == 200 and "apprenant" in r.context["form"].errors


def test_inverted_dates_are_refused_with_a_french_message(client, personas):
    _entree(personas)
    login(client, personas.a.ddfpt, personas.a.diplome)
    r = client.get(_url(), {"du": "20/10/2025", "au": "01/10/2025"})
    assert "La date de début (du) doit précéder la date de fin (au)." in r.text
    r = client.get(_url(), {"du": "31/02/2025"})
    assert r.context["form"].errors["du"]


def test_empty_result_says_what_to_do(client, personas):
    _entree(personas)
    login(client, personas.a.ddfpt, personas.a.diplome)
    html = client.get(_url(), {"au": "01/01/2020"}).text
    assert "Aucune action ne correspond à ces filtres" in html


def test_pagination_keeps_the_filters(client, personas):
    a = personas.a
    for i in range(journal.PAR_PAGE + 5):
        _entree(personas, apres={"numero_candidat": str(i)})
    _entree(personas, action="division.modifier", objet=a.division)
    login(client, a.ddfpt, a.diplome)
    r = client.get(_url(), {"action": "apprenant.modifier"})
    assert len(r.context["lignes"]) == journal.PAR_PAGE
    assert "?action=apprenant.modifier&amp;page=2" in r.text
    r = client.get(_url(), {"action": "apprenant.modifier", "page": 2})
    assert len(r.context["lignes"]) == 5
    assert "Page 2 sur 2" in r.text
    assert "?action=apprenant.modifier&amp;page=1" in r.text


# --- query count -----------------------------------------------------------------------------


def _remplir(personas, n):
    a = personas.a
    for i in range(n):
        _entree(
            personas,
            action="resultat.modifier",
            objet=a.division,
            avant={"apprenant": a.apprenti.apprenant.pk, "niveau": None},
            apres={"apprenant": a.apprenant.apprenant.pk, "niveau": "3", "rang": i},
        )
        _entree(personas, apres={"enseignants": [a.enseignant.user.pk]})


@pytest.mark.parametrize("n", [1, 20])
def test_query_count_is_constant_in_the_number_of_entries(
    client, personas, django_assert_num_queries, n
):
    """Session, user, établissement, membership, diplôme (5), then: the filter lists (actions,
    people, learners: 3), count, page of entries, names of learners (1), of people (1)."""
    _remplir(personas, n)
    login(client, personas.a.ddfpt, personas.a.diplome)
    client.get(_url())  # warm the per-process caches
    with django_assert_num_queries(NB_REQUETES):
        r = client.get(_url())
    assert len(r.context["lignes"]) == min(2 * n, journal.PAR_PAGE)


@pytest.mark.parametrize("n", [1, 20])
def test_query_count_with_filters_is_constant(client, personas, django_assert_num_queries, n):
    _remplir(personas, n)
    login(client, personas.a.ddfpt, personas.a.diplome)
    params = {"du": "01/01/2020", "action": "resultat.modifier"}
    client.get(_url(), params)
    # No person recorded by id in the résultat entries: no query for their names.
    with django_assert_num_queries(NB_REQUETES - 1):
        r = client.get(_url(), params)
    assert len(r.context["lignes"]) == n
