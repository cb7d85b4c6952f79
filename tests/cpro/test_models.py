import datetime

import pytest
from django.core.exceptions import ValidationError

from cpro.models import AnneeScolaire, Etablissement


@pytest.mark.parametrize("uai", ["0691234S", "0750654D"])
def test_valid_uai(db, uai):
    Etablissement(uai=uai, nom="LP", slug="lp").full_clean()


@pytest.mark.parametrize(
    "uai", ["691234A", "0691234a", "06912345", "ABCDEFGH", "0691234AB", "0691234A"]
)
def test_invalid_uai_has_a_french_message(db, uai):
    with pytest.raises(ValidationError) as exc:
        Etablissement(uai=uai, nom="LP", slug="lp").full_clean()
    assert "7 chiffres suivis d'une lettre" in str(exc.value)


@pytest.mark.parametrize(
    ("date", "debut"),
    [
        (datetime.date(2026, 11, 28), 2026),
        (datetime.date(2027, 8, 31), 2026),
        (datetime.date(2026, 9, 1), 2026),
        (datetime.date(2026, 8, 31), 2025),
    ],
)
def test_annee_scolaire_courante(db, date, debut):
    annee = AnneeScolaire.courante(date)
    assert annee.debut == debut
    assert annee.libelle == f"{debut}-{debut + 1}"
    assert annee.date_debut <= date <= annee.date_fin
