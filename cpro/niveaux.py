"""The school levels of a division (seconde, première, terminale).

On the ground floor because divisions (cpro) carry one; référentiels say which levels a
diplôme spans (`Diplome.niveaux`) with the same codes (re-exported by referentiels.models).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Niveau(models.TextChoices):
    SECONDE = "SECONDE", _("Seconde")
    PREMIERE = "PREMIERE", _("Première")
    TERMINALE = "TERMINALE", _("Terminale")
