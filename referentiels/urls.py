app_name = "referentiels"

urlpatterns = []
