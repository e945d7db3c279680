"""Pages of the platforms app, mounted at the site root by devzone/urls.py."""

app_name = "platforms"
urlpatterns: list = []
