from django.apps import AppConfig


class GestionConfig(AppConfig):
    """The DDFPT's administration: people, divisions, SIECLE/CSV import, RGPD (export and
    erasure of a learner's data, retention). Above every module: it may import them all, none
    imports it (import-linter contract in pyproject.toml)."""

    name = "gestion"
    verbose_name = "Administration de l'établissement"
