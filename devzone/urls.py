from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from devzone import account_views
from devzone.api import ObtainTokenView
from devzone.health import healthz
from zones.urls import account_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/", include("zones.api.urls")),
    path("api/v1/", include("investment.api.urls")),
    path("api/v1/", include("talent.api.urls")),
    path("api/v1/", include("platforms.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password-change"),
    path("accounts/two-factor/", account_views.two_factor, name="two-factor"),
    path("accounts/two-factor/setup/", account_views.two_factor_setup, name="two-factor-setup"),
    path("accounts/two-factor/verify/", account_views.two_factor_verify, name="two-factor-verify"),
    path("", include(account_urlpatterns)),
    path("", include("zones.urls")),
    path("", include("investment.urls")),
    path("", include("talent.urls")),
    path("", include("platforms.urls")),
]

handler500 = "devzone.errors.server_error"
