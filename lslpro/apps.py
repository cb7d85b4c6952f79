from django.apps import AppConfig


class LslproConfig(AppConfig):
    name = "lslpro"
    verbose_name = "Livret scolaire du lycée professionnel"
