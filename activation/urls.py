app_name = "activation"

urlpatterns = []
