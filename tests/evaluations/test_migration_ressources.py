"""evaluations 0003: RessourceEvaluation gets the creation date and the file-xor-link constraint
of scenarios.Ressource; existing rows are dated and the rows the constraint refuses are
repaired or, when they point at nothing, deleted with an audit entry (never silently)."""

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from cpro.models import AuditLog
from evaluations.models import RessourceEvaluation
from tests.evaluations.factories import evaluation_de

AVANT = [("evaluations", "0002_resultat_index_couvrant")]
APRES = [("evaluations", "0004_ressource_contrainte")]


def _migrer(cible):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(cible)
    return executor.loader.project_state(cible).apps


@pytest.mark.django_db(transaction=True)
def test_migration_date_et_repare_sans_perte_silencieuse(personas):
    ev = evaluation_de(personas.a)
    anciennes = _migrer(AVANT)
    try:
        Ancienne = anciennes.get_model("evaluations", "RessourceEvaluation")
        ok = Ancienne.objects.create(
            evaluation_id=ev.pk, type="LIEN", titre="ok", url="https://a.fr"
        )
        fichier_sans_fichier = Ancienne.objects.create(
            evaluation_id=ev.pk, type="FICHIER", titre="devenu lien", url="https://b.fr"
        )
        lien_sans_adresse = Ancienne.objects.create(
            evaluation_id=ev.pk, type="LIEN", titre="devenu fichier", fichier="evaluations/x.pdf"
        )
        vide = Ancienne.objects.create(
            evaluation_id=ev.pk, type="FICHIER", titre="vide", nom_fichier="perdu.pdf"
        )
    finally:
        _migrer(APRES)
        # Back to the latest state of every app (going back to AVANT also unapplied the later
        # migrations, e.g. evaluations 0005, which APRES does not reach).
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    restantes = {r.pk: r for r in RessourceEvaluation.objects.all()}
    assert set(restantes) == {ok.pk, fichier_sans_fichier.pk, lien_sans_adresse.pk}
    assert all(r.cree_le == ev.cree_le for r in restantes.values())
    assert restantes[fichier_sans_fichier.pk].type == "LIEN"
    assert restantes[lien_sans_adresse.pk].type == "FICHIER"
    entree = AuditLog.objects.get(action="evaluation.ressource_invalide_supprimee")
    assert entree.objet_id == str(ev.pk) and entree.etablissement_id == ev.etablissement_id
    assert entree.avant["ressource"] == vide.pk
    assert entree.avant["titre"] == "vide" and entree.avant["nom_fichier"] == "perdu.pdf"


@pytest.mark.django_db
def test_contrainte_fichier_ou_lien(personas):
    ev = evaluation_de(personas.a)
    r = RessourceEvaluation.objects.create(
        evaluation=ev, type="LIEN", titre="a", url="https://a.fr"
    )
    assert r.cree_le is not None
    with pytest.raises(IntegrityError):
        RessourceEvaluation.objects.create(evaluation=ev, type="FICHIER", titre="sans fichier")
