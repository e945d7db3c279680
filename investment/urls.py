"""Pages of the investment app, mounted at the site root by devzone/urls.py."""

app_name = "investment"
urlpatterns: list = []
