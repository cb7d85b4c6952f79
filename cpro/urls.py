from django.contrib import admin
from django.urls import include, path

from cpro import views

etab_patterns = [
    path("", include("cpro.urls_etab")),
    path("gestion/", include("gestion.urls")),
    path("referentiel/", include("referentiels.urls")),
    path("scenarios/", include("scenarios.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("pfmp/", include("pfmp.urls")),
    path("bilans/", include("bilans.urls")),
    path("projets/", include("projets.urls")),
    path("livrets/", include("livrets.urls")),
    path("stockage/", include("stockage.urls")),
    path("certification/", include("certification.urls")),
    path("lsl/", include("lslpro.urls")),
]

urlpatterns = [
    path("", views.accueil_plateforme, name="accueil_plateforme"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("comptes/", include("allauth.urls")),
    path("<slug:etab>/", include(etab_patterns)),
]
