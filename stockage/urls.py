"""URLs of the stockage module."""

app_name = "stockage"

urlpatterns: list = []
