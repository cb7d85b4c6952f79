"""Issue 15: one bilan intermédiaire per learner and date — refused by the service (creation
and change of date) with a French message naming the existing bilan, linked from the page;
the database constraint backs it, and its migration refuses to run over existing duplicates."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from bilans import services_bilans
from bilans.models import BilanIntermediaire
from tests.bilans import bilans_factories as bf

D = bf.DATE
AUTRE = datetime.date(2026, 2, 10)


def url(personas, name, **kwargs):
    return reverse(name, kwargs={"etab": personas.a.etablissement.slug, **kwargs})


@pytest.fixture
def ref(personas):
    return bf.referentiel(personas.a)


@pytest.mark.django_db
def test_creer_un_second_bilan_a_la_meme_date_est_refuse(personas, ref):
    a = personas.a
    eleve = a.apprenant.apprenant
    premier = services_bilans.creer_bilan(eleve, par=a.enseignant.user, date=D)
    with pytest.raises(ValidationError) as exc:
        services_bilans.creer_bilan(eleve, par=a.enseignant2.user, date=D)
    (erreur,) = exc.value.error_dict["date"]
    assert erreur.code == "doublon" and erreur.params["bilan"] == premier.pk
    message = exc.value.messages[0]
    assert message.startswith(f"Un bilan du 15/01/2026 existe déjà pour {eleve} (brouillon")
    assert "un seul bilan par apprenant et par date" in message
    assert BilanIntermediaire.objects.count() == 1
    # Another date, or another learner at the same date: allowed.
    services_bilans.creer_bilan(eleve, par=a.enseignant.user, date=AUTRE)
    services_bilans.creer_bilan(a.apprenti.apprenant, par=a.enseignant.user, date=D)
    assert BilanIntermediaire.objects.count() == 3


@pytest.mark.django_db
def test_changer_la_date_vers_un_bilan_existant_est_refuse(personas, ref):
    a = personas.a
    eleve = a.apprenant.apprenant
    valide = bf.bilan_valide(a, date=D)
    brouillon = services_bilans.creer_bilan(eleve, par=a.enseignant.user, date=AUTRE)
    with pytest.raises(ValidationError) as exc:
        services_bilans.modifier_bilan(
            brouillon,
            par=a.enseignant.user,
            date=D,
            constats="",
            conseils="",
            note=None,
            niveaux={},
        )
    (erreur,) = exc.value.error_dict["date"]
    assert erreur.params == {"bilan": valide.pk, "apprenant": eleve.pk, "valide": True}
    assert "(validé, rédigé par" in exc.value.messages[0]
    brouillon.refresh_from_db()
    assert brouillon.date == AUTRE
    # Saving the same draft at its own date stays possible.
    services_bilans.modifier_bilan(
        brouillon,
        par=a.enseignant.user,
        date=AUTRE,
        constats="ok",
        conseils="",
        note=None,
        niveaux={},
    )


@pytest.mark.django_db
def test_la_page_de_creation_dit_lequel_et_donne_le_lien(client, personas, as_persona, ref):
    a = personas.a
    eleve = a.apprenant.apprenant
    premier = services_bilans.creer_bilan(eleve, par=a.enseignant.user, date=D)
    as_persona("enseignant2")
    r = client.post(
        url(personas, "bilans:bilan_creer"), {"apprenant": eleve.pk, "date": "15/01/2026"}
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "Un bilan du 15/01/2026 existe déjà pour" in html
    lien = url(personas, "bilans:bilan_modifier", pk=premier.pk)
    assert f'href="{lien}"' in html and "ouvrir le bilan existant (brouillon)" in html
    assert BilanIntermediaire.objects.count() == 1


@pytest.mark.django_db
def test_la_base_refuse_aussi_le_doublon(personas, ref):
    bf.bilan(personas.a, date=D)
    with pytest.raises(IntegrityError), transaction.atomic():
        bf.bilan(personas.a, date=D)


def _migrer(cible):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(cible)


@pytest.mark.django_db(transaction=True)
def test_la_migration_refuse_les_doublons_existants(personas):
    a = personas.a
    _migrer([("bilans", "0001_initial")])
    try:
        premier = bf.bilan(a, date=D)
        second = bf.bilan(a, date=D)
        with pytest.raises(RuntimeError) as exc:
            _migrer([("bilans", "0002_bilan_unique_apprenant_date")])
        message = str(exc.value)
        assert "plusieurs bilans intermédiaires existent pour un même apprenant" in message
        assert f"bilans n° {premier.pk}, {second.pk}" in message
        assert "15/01/2026" in message
        second.delete()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # every app back to its latest
    with pytest.raises(IntegrityError), transaction.atomic():
        bf.bilan(a, date=D)
