"""Évaluations URLs: the évaluation pages (urls_evaluations) and the grid (urls_grille)."""

from evaluations import urls_evaluations, urls_grille

app_name = "evaluations"

urlpatterns = [*urls_evaluations.urlpatterns, *urls_grille.urlpatterns]
