"""The livret's status rule (livrets.etat.etat_livret): one function, a truth table."""

import datetime

import pytest

from livrets.etat import PeriodeSuivie, etat_livret

AUJOURD_HUI = datetime.date(2026, 3, 20)


def _periode(fin_il_y_a: int, duree: int = 14, **kwargs) -> PeriodeSuivie:
    fin = AUJOURD_HUI - datetime.timedelta(days=fin_il_y_a)
    return PeriodeSuivie(
        titre=kwargs.pop("titre", "PFMP 1"),
        debut=fin - datetime.timedelta(days=duree),
        fin=fin,
        observation_maitre=kwargs.pop("maitre", False),
        observation_enseignant=kwargs.pop("enseignant", False),
        dates_visites=kwargs.pop("visites", ()),
    )


def _etat(*periodes, **kwargs):
    return etat_livret(
        list(periodes), aujourd_hui=AUJOURD_HUI, delai_jours=15, semaines_visite=6, **kwargs
    )


def test_sans_periode_le_livret_est_a_jour():
    etat = _etat()
    assert not etat.en_retard and etat.libelle == "À jour" and etat.code == "a-jour"


@pytest.mark.parametrize(
    ("fin_il_y_a", "maitre", "enseignant", "raisons"),
    [
        (15, False, False, 0),  # exactly 15 days: still within the delay
        (16, False, False, 2),
        (16, True, False, 1),
        (16, False, True, 1),
        (16, True, True, 0),
        (-5, False, False, 0),  # période still running
    ],
)
def test_observations_apres_le_delai(fin_il_y_a, maitre, enseignant, raisons):
    etat = _etat(_periode(fin_il_y_a, maitre=maitre, enseignant=enseignant))
    assert len(etat.raisons) == raisons
    assert etat.en_retard is bool(raisons)


def test_raisons_nomment_la_periode_et_le_cote_manquant():
    etat = _etat(_periode(20, titre="PFMP d'hiver", enseignant=True))
    assert etat.libelle == "En retard" and etat.code == "en-retard"
    assert etat.raisons == (
        "« PFMP d'hiver » terminée depuis plus de 15 jours sans observation du maître "
        "d'apprentissage",
    )


def test_longue_periode_sans_visite():
    # 10 weeks, ended yesterday, observations not yet late: only the visit is missing.
    longue = _periode(1, duree=70, maitre=True, enseignant=True)
    assert _etat(longue).raisons == ("« PFMP 1 » : aucune visite ni entretien depuis 6 semaines",)
    dans = longue.debut + datetime.timedelta(days=10)
    avec = _periode(1, duree=70, maitre=True, enseignant=True, visites=(dans,))
    assert not _etat(avec).en_retard
    hors = longue.debut - datetime.timedelta(days=1)
    assert _etat(_periode(1, duree=70, maitre=True, enseignant=True, visites=(hors,))).en_retard


def test_longue_periode_commencee_depuis_moins_de_six_semaines():
    fin = AUJOURD_HUI + datetime.timedelta(days=40)
    p = PeriodeSuivie("En cours", AUJOURD_HUI - datetime.timedelta(days=20), fin, False, False)
    assert not _etat(p).en_retard


def test_reglages(settings):
    settings.LIVRET_DELAI_OBSERVATION_JOURS = 30
    p = _periode(20)
    assert not etat_livret([p], aujourd_hui=AUJOURD_HUI, semaines_visite=6).en_retard
    settings.LIVRET_DELAI_OBSERVATION_JOURS = 10
    assert etat_livret([p], aujourd_hui=AUJOURD_HUI, semaines_visite=6).en_retard
