import datetime

import pytest
from django.core.exceptions import ValidationError

from cpro.models import AnneeScolaire, Etablissement


@pytest.mark.parametrize("uai", ["0691234S", "0750654D"])
def test_valid_uai(db, uai):
    Etablissement(uai=uai, nom="LP", slug="lp").full_clean()


@pytest.mark.parametrize("uai", ["691234A", "0691234a", "06912345", "ABCDEFGH", "0691234AB"])
def test_invalid_uai_has_a_french_message(db, uai):
    with pytest.raises(ValidationError) as exc:
        Etablissement(uai=uai, nom="LP", slug="lp").full_clean()
    assert "7 chiffres suivis d'une lettre" in str(exc.value)


@pytest.mark.parametrize(("uai", "attendue"), [("0691234A", "S"), ("0750654E", "D")])
def test_uai_check_letter_is_verified(db, uai, attendue):
    """The 8th character is computed from the 7 digits (modulo 23, alphabet without I, O, Q)."""
    with pytest.raises(ValidationError) as exc:
        Etablissement(uai=uai, nom="LP", slug="lp").full_clean()
    assert f"la lettre clé est {attendue}" in str(exc.value)


def test_check_letter_alphabet_skips_i_o_q():
    from cpro.models import lettre_cle_uai

    lettres = {lettre_cle_uai(f"{n:07d}") for n in range(23)}
    assert len(lettres) == 23 and not lettres & {"I", "O", "Q"}


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
