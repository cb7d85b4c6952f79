app_name = "scenarios"

urlpatterns = []
