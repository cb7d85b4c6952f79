"""The status of a livret: « à jour » or « en retard », with the reasons, decided in one
function (`etat_livret`) from plain data, so that the list, the livret page, the PDF and the
tests share one rule.

Rule (settings, with their defaults):
- a période ended more than LIVRET_DELAI_OBSERVATION_JOURS (15) days ago without the maître
  d'apprentissage's observation, or without the teacher's observation → en retard;
- a période longer than LIVRET_VISITE_SEMAINES (6) weeks, begun at least that long ago, without
  any visit, entretien or appel dated inside it → en retard.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings

DELAI_OBSERVATION_JOURS = 15
VISITE_SEMAINES = 6


def delai_observation() -> int:
    return int(getattr(settings, "LIVRET_DELAI_OBSERVATION_JOURS", DELAI_OBSERVATION_JOURS))


def visite_semaines() -> int:
    return int(getattr(settings, "LIVRET_VISITE_SEMAINES", VISITE_SEMAINES))


@dataclass(frozen=True)
class PeriodeSuivie:
    """What the rule needs about one période of the livret."""

    titre: str
    debut: datetime.date
    fin: datetime.date
    observation_maitre: bool
    observation_enseignant: bool
    dates_visites: tuple[datetime.date, ...] = ()


@dataclass(frozen=True)
class EtatLivret:
    raisons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def en_retard(self) -> bool:
        return bool(self.raisons)

    @property
    def libelle(self) -> str:
        return "En retard" if self.raisons else "À jour"

    @property
    def code(self) -> str:
        return "en-retard" if self.raisons else "a-jour"


def etat_livret(
    periodes: list[PeriodeSuivie],
    *,
    aujourd_hui: datetime.date,
    delai_jours: int | None = None,
    semaines_visite: int | None = None,
) -> EtatLivret:
    """À jour or en retard (with one French reason per missing item), see the module rule."""
    delai = delai_observation() if delai_jours is None else delai_jours
    semaines = visite_semaines() if semaines_visite is None else semaines_visite
    raisons: list[str] = []
    for p in periodes:
        if (aujourd_hui - p.fin).days > delai:
            if not p.observation_maitre:
                raisons.append(
                    f"« {p.titre} » terminée depuis plus de {delai} jours sans observation "
                    "du maître d'apprentissage"
                )
            if not p.observation_enseignant:
                raisons.append(
                    f"« {p.titre} » terminée depuis plus de {delai} jours sans observation "
                    "du professeur"
                )
        duree = datetime.timedelta(weeks=semaines)
        if (
            p.fin - p.debut >= duree
            and aujourd_hui >= p.debut + duree
            and not any(p.debut <= d <= p.fin for d in p.dates_visites)
        ):
            raisons.append(f"« {p.titre} » : aucune visite ni entretien depuis {semaines} semaines")
    return EtatLivret(tuple(raisons))
