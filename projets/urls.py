"""URLs of the projets module."""

app_name = "projets"

urlpatterns: list = []
