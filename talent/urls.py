"""Pages of the talent app, mounted at the site root by devzone/urls.py."""

app_name = "talent"
urlpatterns: list = []
