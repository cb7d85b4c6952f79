import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from referentiels.models import Diplome, Tache
from tests.referentiels.documents import document_minimal

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "referentiels"
SOURCE = Path(settings.BASE_DIR).parent / "shared" / "referentiels"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("charger_referentiels", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_charge_toutes_les_fixtures_puis_rien_ne_change():
    out, _ = run()
    assert set(Diplome.objects.values_list("code", flat=True)) == {"MCV-A", "MCV-B", "MA", "2MRC"}
    assert "mcv-a.json — MCV-A version 2019 (créé)" in out
    assert "4 référentiel(s) chargé(s)." in out
    nb = Tache.objects.count()
    out, _ = run()
    assert "(inchangé) : 0 créé(s), 0 modifié(s)" in out
    assert "créé(s), 0 modifié(s)" in out and " 1 créé" not in out
    assert Tache.objects.count() == nb


def test_fichier_explicite(tmp_path):
    fichier = tmp_path / "tiny.json"
    fichier.write_text(json.dumps(document_minimal()), encoding="utf-8")
    out, _ = run(str(fichier))
    assert "tiny.json — TINY version 2019 (créé) : 11 créé(s)" in out
    assert Diplome.objects.get().code == "TINY"


def test_fichier_invalide_rien_n_est_charge(tmp_path):
    bon = tmp_path / "bon.json"
    bon.write_text(json.dumps(document_minimal(code="BON")), encoding="utf-8")
    doc = document_minimal(code="MAUVAIS")
    doc["groupes"][0]["competences"].append(dict(doc["groupes"][0]["competences"][0]))
    mauvais = tmp_path / "mauvais.json"
    mauvais.write_text(json.dumps(doc), encoding="utf-8")
    illisible = tmp_path / "illisible.json"
    illisible.write_text("{", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="aucun référentiel n'a été chargé"):
        call_command(
            "charger_referentiels",
            str(bon),
            str(mauvais),
            str(illisible),
            str(tmp_path / "absent.json"),
            stdout=io.StringIO(),
            stderr=err,
        )
    messages = err.getvalue()
    assert "code de compétence « C1.1 » en double" in messages
    assert "illisible.json : Le fichier n'est pas un JSON valide" in messages
    assert "absent.json : lecture impossible" in messages
    assert not Diplome.objects.exists()


@pytest.mark.skipif(not SOURCE.exists(), reason="données de recherche absentes")
def test_les_fixtures_versionnees_sont_a_jour(tmp_path):
    """fixtures/referentiels/*.json is exactly what build_referentiels.py produces."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_referentiels", Path(settings.BASE_DIR) / "fixtures" / "build_referentiels.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, doc in module.build(SOURCE).items():
        committed = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        assert committed == doc, (
            f"{name} n'est pas à jour : relancez fixtures/build_referentiels.py"
        )


def test_chaque_element_des_fixtures_a_code_source_et_confiance():
    for fichier in FIXTURES.glob("*.json"):
        doc = json.loads(fichier.read_text(encoding="utf-8"))
        items = [
            doc["diplome"],
            *doc["unites"],
            *doc["matrice"],
            *doc["grilles_ccf"],
            *doc["competences_lsl"],
        ]
        for a in doc["activites"]:
            items += [a, *a["taches"]]
        for g in doc["groupes"]:
            items.append(g)
            for c in g["competences"]:
                items.append(c)
                items += c["criteres"]
        for item in items:
            assert item["confiance"] in {"high", "medium", "low"}, (fichier.name, item)
            assert "source" in item
