app_name = "residency"

urlpatterns = []
