from django.urls import path

from gestion import views, views_rgpd

app_name = "gestion"

urlpatterns = [
    path("personnels/", views.personnels, name="personnels"),
    path("personnels/nouveau/", views.personnel_creer, name="personnel_creer"),
    path("personnels/<int:pk>/", views.personnel_modifier, name="personnel_modifier"),
    path("apprenants/", views.apprenants, name="apprenants"),
    path("apprenants/nouveau/", views.apprenant_creer, name="apprenant_creer"),
    path("apprenants/<int:pk>/", views.apprenant_modifier, name="apprenant_modifier"),
    path("apprenants/<int:pk>/rgpd/exporter/", views_rgpd.rgpd_exporter, name="rgpd_exporter"),
    path("apprenants/<int:pk>/rgpd/effacer/", views_rgpd.rgpd_effacer, name="rgpd_effacer"),
    path("tuteurs/", views.tuteurs, name="tuteurs"),
    path("tuteurs/nouveau/", views.tuteur_creer, name="tuteur_creer"),
    path("tuteurs/<int:pk>/", views.tuteur_modifier, name="tuteur_modifier"),
    path("comptes/<int:pk>/desactiver/", views.compte_desactiver, name="compte_desactiver"),
    path("comptes/<int:pk>/reactiver/", views.compte_reactiver, name="compte_reactiver"),
    path("comptes/<int:pk>/mot-de-passe/", views.compte_mot_de_passe, name="compte_mot_de_passe"),
    path("divisions/", views.divisions, name="divisions"),
    path("divisions/nouvelle/", views.division_creer, name="division_creer"),
    path("divisions/<int:pk>/", views.division_modifier, name="division_modifier"),
    path(
        "divisions/<int:pk>/fiches-connexion/",
        views.fiches_connexion,
        name="fiches_connexion",
    ),
    path("import/", views.import_personnes, name="import"),
    path("import/apercu/", views.import_apercu, name="import_apercu"),
    path("import/confirmer/", views.import_confirmer, name="import_confirmer"),
    path("import/exemple.csv", views.import_exemple, name="import_exemple"),
    path("etablissement/", views.etablissement, name="etablissement"),
]
