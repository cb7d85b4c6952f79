from django.urls import path

from referentiels import views

app_name = "referentiels"

urlpatterns = [
    path("", views.navigateur, name="navigateur"),
    path("imprimer/", views.imprimer, name="imprimer"),
    path("administration/", views.administration, name="administration"),
    path("administration/confirmer/", views.confirmer_import, name="confirmer_import"),
    path(
        "administration/<int:diplome_id>/tableur/",
        views.exporter_tableur,
        name="exporter_tableur",
    ),
]
