"""Portfolio URLs (names under the `pfmp` namespace of pfmp/urls.py)."""

from django.urls import path

from pfmp import views_portfolio as views

urlpatterns = [
    path("mes-portfolios/", views.mes_portfolios, name="mes_portfolios"),
    path("tuteur/apprenants/", views.tuteur_apprenants, name="tuteur_apprenants"),
    path("portfolios/<int:pk>/", views.portfolio, name="portfolio"),
    path("portfolios/<int:pk>/presentation/", views.presentation, name="portfolio_presentation"),
    path(
        "portfolios/<int:pk>/bilan-personnel/",
        views.bilan_personnel,
        name="portfolio_bilan_personnel",
    ),
    path("portfolios/<int:pk>/semaines/<int:numero>/", views.semaine, name="semaine"),
    path("portfolios/<int:pk>/fiches/", views.portfolio_fiches, name="portfolio_fiches"),
    path("fiches/<int:pk>/", views.fiche, name="fiche"),
    path("fiches/<int:pk>/commenter/", views.fiche_commenter, name="fiche_commenter"),
    path("portfolios/<int:pk>/bilan-entreprise/", views.bilan_entreprise, name="bilan_entreprise"),
    path("portfolios/<int:pk>/bilan-entreprise/ouvrir/", views.bilan_ouvrir, name="bilan_ouvrir"),
    path(
        "portfolios/<int:pk>/bilan-entreprise/valider/", views.bilan_valider, name="bilan_valider"
    ),
    path(
        "portfolios/<int:pk>/bilan-entreprise/rouvrir/", views.bilan_rouvrir, name="bilan_rouvrir"
    ),
    path("portfolios/<int:pk>/liens-tuteur/", views.lien_creer, name="lien_creer"),
    path("liens-tuteur/<int:pk>/revoquer/", views.lien_revoquer, name="lien_revoquer"),
    # A tutor without an account: the signed link, then only that portfolio and that bilan.
    path("acces-tuteur/<str:token>/", views.acces_tuteur, name="acces_tuteur"),
    path("acces-tuteur/portfolio/<int:pk>/", views.tuteur_portfolio, name="tuteur_portfolio"),
    path("acces-tuteur/bilan/<int:pk>/", views.tuteur_bilan, name="tuteur_bilan"),
]
