from django.apps import AppConfig


class SauvegardeConfig(AppConfig):
    name = "sauvegarde"
    verbose_name = "Sauvegarde et restauration"
