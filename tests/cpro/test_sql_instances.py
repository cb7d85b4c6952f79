"""cpro.sql.colonnes / instance: a row read by raw SQL gives the same instance as the ORM (every
concrete field, dates, booleans and JSON converted as the ORM converts them, on SQLite and on
PostgreSQL), saved (not `adding`), without a query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpro.models import Apprenant, Membership, User
from cpro.sql import colonnes, instance, table
from referentiels.models import Diplome

pytestmark = pytest.mark.django_db


def _lire(modele, pk):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {colonnes(modele, 'x')} FROM {table(modele)} x WHERE x.id = %s", [pk])
        ligne = cur.fetchone()
    with CaptureQueriesContext(connection) as q:
        objet = instance(modele, ligne, "x")
    assert len(q) == 0
    return objet


@pytest.mark.parametrize("modele", [Apprenant, Membership, User, Diplome])
def test_meme_instance_que_l_orm(personas, modele):
    a = personas.a
    Apprenant.objects.filter(pk=a.apprenant.apprenant.pk).update(
        date_naissance=datetime.date(2010, 3, 14)
    )
    pk = {
        Apprenant: a.apprenant.apprenant.pk,
        Membership: a.enseignant.pk,
        User: a.enseignant.user.pk,
        Diplome: a.diplome.pk,
    }[modele]
    brut, orm = _lire(modele, pk), modele.objects.get(pk=pk)
    assert not brut._state.adding
    for f in modele._meta.concrete_fields:
        valeur = getattr(brut, f.attname)
        assert valeur == getattr(orm, f.attname), f.name
        assert type(valeur) is type(getattr(orm, f.attname)), f.name
