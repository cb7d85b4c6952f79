"""URLs of the livrets module (under /<etab>/livrets/)."""

from django.urls import path

from livrets import views

app_name = "livrets"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("mon-livret/", views.mon_livret, name="mon_livret"),
    path("mes-apprentis/", views.tuteur, name="tuteur"),
    path("<int:annee>/<int:pk>/", views.livret, name="livret"),
    path("<int:annee>/<int:pk>/pdf/", views.exporter, name="exporter"),
    path("periodes/<int:pk>/observation/", views.observation, name="observation"),
    path("periodes/<int:pk>/visites/", views.visite, name="visite"),
    path("periodes/<int:pk>/pris-connaissance/", views.pris_connaissance, name="pris_connaissance"),
    path("periodes/<int:pk>/lien/", views.lien_creer, name="lien_creer"),
    # A maître d'apprentissage without an account: pfmp's tutor-link token, then that période.
    path("acces/<str:token>/", views.acces_tuteur, name="acces_tuteur"),
    path("lien/<int:pk>/", views.lien, name="lien"),
]
