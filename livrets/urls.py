"""URLs of the livrets module."""

app_name = "livrets"

urlpatterns: list = []
