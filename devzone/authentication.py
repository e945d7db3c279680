"""How API requests authenticate (DRF's DEFAULT_AUTHENTICATION_CLASSES).

A module of its own: DRF imports these classes while ``rest_framework.views`` loads, so they
must not live in a module that imports the views (``devzone.api``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from devzone import twofactor


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing a user who must use two factors and has none.

    Tokens are issued to such users only after the second factor (``ObtainTokenView``); this
    catches the tokens issued before: to a user since given a provincial role or made an
    administrator, or before production switched two-factor sign-in on. Turning two factors on
    revokes the user's earlier tokens (``twofactor.confirm_setup``), so the refusal is not lifted
    for a token issued on the password alone."""

    def authenticate_credentials(self, key: str):
        user, token = super().authenticate_credentials(key)
        if twofactor.must_use(user) and not twofactor.is_enabled(user):
            raise exceptions.AuthenticationFailed(
                _("您的角色必须使用双因素认证：请先在网页上开启双因素认证，再重新获取令牌。")
            )
        return user, token
