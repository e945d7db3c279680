app_name = "zones"
urlpatterns: list = []
