from django.urls import path

from cpro import auth, views

app_name = "etab"

urlpatterns = [
    path("", auth.connexion, name="connexion"),
    path("deconnexion/", views.deconnexion, name="deconnexion"),
    path("accueil/", views.accueil, name="accueil"),
    path("diplome/", views.choix_diplome, name="choix_diplome"),
    path("espace-personnel/", views.espace_personnel, name="espace_personnel"),
    path("journal/", views.journal, name="journal"),
    path("journal/exporter/", views.journal_exporter, name="journal_exporter"),
    path("exports/<uuid:job_id>/", views.export_etat, name="export_etat"),
    path("exports/<uuid:job_id>/telecharger/", views.export_telecharger, name="export_telecharger"),
]
