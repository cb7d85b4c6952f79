"""The livret tests build the apprentice's périodes backwards from "today" inside the current
school year (tests/livrets/factories.py: ended 30 days ago, then earlier ones). So that they do
not depend on the day they run (in September no période of the year has ended yet), their
clock is moved to the same moment of a fixed day in the middle of a school year."""

import datetime

import pytest
from django.utils import timezone

JOUR_DES_TESTS = datetime.date(2027, 3, 15)


@pytest.fixture(autouse=True)
def _horloge_au_milieu_de_l_annee(monkeypatch):
    decalage = JOUR_DES_TESTS - timezone.localdate()
    vrai_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: vrai_now() + decalage)
