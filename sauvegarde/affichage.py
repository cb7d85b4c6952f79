"""French formatting shared by the backup and restore commands."""

import datetime

from django.utils import timezone


def taille(octets: int) -> str:
    return f"{octets / (1024 * 1024):.1f}".replace(".", ",") + " Mo"


def date_heure(iso: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%d/%m/%Y à %H:%M:%S}"


def liste(noms: list[str], maximum: int = 10) -> str:
    texte = ", ".join(noms[:maximum])
    if len(noms) > maximum:
        texte += f"… (+{len(noms) - maximum})"
    return texte
