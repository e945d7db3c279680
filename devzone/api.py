"""API base: pagination, the scoped viewset every resource derives from, and small helpers.

Access in the API follows one rule set, shared by every resource:

- every lookup starts from ``for_user(user, "view")``: a row outside the user's scope is a 404,
  whatever the method;
- a write on a row the user can see but may not change or delete is a 403 "只读";
- a create by a user who may add nowhere is a 403 "只读"; a create pointing at a zone the user may
  not add to is a 400 on that field that does not say whether the zone exists;
- writes go through the app's services; their ``ValidationError`` becomes a 400 with field errors
  and their ``PermissionDenied`` a 403.

This module imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth import authenticate
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import exceptions, parsers, permissions, renderers, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from devzone import audit, twofactor
from devzone.access import get_scope
from devzone.models import AuditEvent

T = TypeVar("T")

ACTION_FOR_METHOD = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}

READ_ONLY_MESSAGE = _("只读：您无权修改该记录。")
READ_ONLY_CREATE_MESSAGE = _("只读：您无权新增记录。")


class Pagination(PageNumberPagination):
    """``page`` and ``page_size`` (at most 500); responses carry count, next, previous, results."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class StableOrderingFilter(OrderingFilter):
    """``ordering`` on the view's whitelist, with the primary key as the last tie-breaker.

    Without it, ordering by a non-unique column (a year, a type) lets rows move between pages.
    """

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        ordering = list(ordering)
        if not any(term.lstrip("-") in ("pk", "id") for term in ordering):
            ordering.append("pk")
        return ordering


# --- the error responses in the OpenAPI schema ---------------------------------------------


# The body of every error but a validation error: ``{"detail": "..."}``. (No docstring: the
# schema would show it as the component's description.)
class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(label=_("错误原因"))

    class Meta:
        ref_name = "ErrorDetail"


VALIDATION_ERROR_SCHEMA = {
    "description": _(
        "校验错误：键为字段名（整体错误为 non_field_errors），值为错误信息列表；嵌套字段的错误为"
        "嵌套对象；请求体无法解析时为 detail；搜索词无效时为错误信息列表。"
    ),
    "anyOf": [
        {
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object"},
                    {"type": "string"},
                ]
            },
        },
        {"type": "array", "items": {"type": "string"}},
    ],
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error responses the API really returns.

    - 400 (``ValidationError``): every write (the serializer's and the services' checks, a
      conflicting concurrent write, a record that cannot be deleted), every list with filter
      fields or a search (an invalid filter value, a null character in the search term) and every
      GET declaring its own query parameters (read through a serializer);
    - 403 (``ErrorDetail``): every operation that needs a login (not logged in, a read-only role's
      write, a role the page is closed to);
    - 404 (``ErrorDetail``): every path with an id (absent or outside the user's scope, which
      are the same answer) and every paginated list (a page number out of range);
    - 415 (``ErrorDetail``): every operation that reads a body (a body of a media type no parser
      reads, or none).

    An operation's own ``extend_schema(responses=...)`` for one of these codes wins.
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, schema in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(schema, code, direction=direction)
        return responses

    def _error_responses(self) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        if self.method in WRITE_METHODS or self._validates_query():
            errors["400"] = self._validation_error_ref()
        auth = self.get_auth()
        if auth and {} not in auth:
            errors["403"] = ErrorDetailSerializer
        if "{" in self.path or self._is_paginated_list():
            errors["404"] = ErrorDetailSerializer
        if self.method in BODY_METHODS:
            errors["415"] = ErrorDetailSerializer
        return errors

    def _validates_query(self) -> bool:
        if self.method == "GET" and self.get_override_parameters():
            return True  # an operation's own query parameters are read through a serializer
        for backend in self.get_filter_backends():
            if issubclass(backend, SearchFilter):
                return True  # a search term with a null character
            if issubclass(backend, DjangoFilterBackend) and (
                getattr(self.view, "filterset_class", None) is not None
            ):
                return True
        return False

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _validation_error_ref(self) -> dict:
        component = ResolvedComponent(
            name="ValidationError",
            type=ResolvedComponent.SCHEMA,
            object="ValidationError",
            schema=VALIDATION_ERROR_SCHEMA,
        )
        self.registry.register_on_missing(component)
        return component.ref


class ScopePermission(permissions.IsAuthenticated):
    """Authenticated, and allowed the write the request asks for (see the module docstring).

    Object-level checks run after ``get_object`` found the row in the user's view scope, so a
    403 here never reveals a row the user could not already read.
    """

    message = READ_ONLY_MESSAGE

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if getattr(view, "action", None) == "create":
            self.message = READ_ONLY_CREATE_MESSAGE
            return get_scope(request.user).allows_anywhere("add")
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        action = view.scope_action() if hasattr(view, "scope_action") else "view"
        if action == "view":
            return True
        manager = type(obj)._default_manager
        return manager.all().for_user(request.user, action).filter(pk=obj.pk).exists()


class ScopedViewSet(viewsets.GenericViewSet):
    """Every queryset goes through ``for_user(user, "view")``: another zone's row is a 404.

    Subclasses set ``queryset`` (the base, unscoped rows with their select_related), or override
    ``scoped_queryset`` to start from a selector that applies ``for_user`` itself. Lookups always
    use the view scope; ``ScopePermission`` then refuses writes the user may not make (403). Writes
    go through the app's services, which re-check the scope.
    """

    pagination_class = Pagination
    permission_classes = [ScopePermission]
    schema = ApiAutoSchema()
    # Any id without a slash reaches the view, so ``/x/0.5/`` is the API's JSON 404 like every
    # other missing row, not Django's HTML page (the router's default excludes dots).
    lookup_value_regex = "[^/]+"

    def scope_action(self) -> str:
        """The action the request performs on its rows (add, change, delete or view)."""
        return ACTION_FOR_METHOD.get(self.action or "", "view")

    def scoped_queryset(self, user, action: str):
        return super().get_queryset().for_user(user, action)

    def get_queryset(self):
        return self.scoped_queryset(self.request.user, "view")


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A writable foreign key by id, limited to the rows the requesting user may ``action``.

    A row outside the scope and a row that does not exist get the same message, so the answer
    does not tell whether another zone's row exists.
    """

    def __init__(self, *, scope_action: str, not_found_message, **kwargs: Any) -> None:
        self.scope_action = scope_action
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("does_not_exist", not_found_message)
        kwargs["error_messages"].setdefault("incorrect_type", not_found_message)
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.queryset.all().for_user(user, self.scope_action)


def _drf_detail(error: DjangoValidationError) -> dict[str, list[str]] | list[str]:
    if hasattr(error, "error_dict"):
        detail: dict[str, list[str]] = {}
        for field_name, messages in error.message_dict.items():
            key = (
                api_settings.NON_FIELD_ERRORS_KEY if field_name == NON_FIELD_ERRORS else field_name
            )
            detail[key] = list(messages)
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: list(error.messages)}


def call_service(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a service function and translate its Django errors into DRF's.

    ``ValidationError`` → 400 with the field errors as the service named them;
    ``PermissionDenied`` → 403 with the service's message (the caller looked the row up in the
    user's view scope first, so this never reveals a row the user cannot see);
    ``IntegrityError`` (a concurrent write won a unique constraint) → 400, the transaction rolled
    back inside the service.
    """
    try:
        return func(*args, **kwargs)
    except DjangoValidationError as error:
        raise serializers.ValidationError(_drf_detail(error)) from error
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or READ_ONLY_MESSAGE) from error
    except IntegrityError as error:
        raise serializers.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("数据与已有记录冲突，请刷新后重试。")]}
        ) from error


class NumericDecimalsMixin:
    """Render model DecimalFields as JSON numbers, not strings, for integrations' convenience.

    Values are at most 16 digits with 2 decimals, which a double carries without loss.
    """

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.DecimalField):
            field_kwargs["coerce_to_string"] = False
        return field_class, field_kwargs


# --- token authentication -------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), trim_whitespace=False)
    password = serializers.CharField(
        label=_("密码"), style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )

    otp_code = serializers.CharField(
        label=_("双因素验证码"),
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        write_only=True,
        help_text=_(
            "已开启双因素认证（或角色必须使用）的用户：认证器应用中的 6 位数字或一个恢复码。"
        ),
    )

    default_error_messages = {
        "invalid_login": _("用户名或密码错误，或该账号已停用。"),
        "needs_setup": _("您的角色必须使用双因素认证：请先在网页上开启双因素认证，再获取令牌。"),
        "needs_code": _("该账号已开启双因素认证：请同时提供认证器应用中的验证码（otp_code）。"),
        "wrong_code": _("双因素验证码不正确或已使用。"),
    }

    def validate(self, attrs):
        request = self.context.get("request")
        # django-axes marks a locked-out sign-in on Django's request, not DRF's wrapper.
        request = getattr(request, "_request", request)
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        # ModelBackend already refuses inactive users; check again for other backends.
        if user is None or not user.is_active:
            self._refuse("invalid_login")
        # A token is a standing sign-in: it is issued only after the second factor.
        step = twofactor.second_factor_step(user)
        if step == "setup":
            self._refuse("needs_setup")
        if step == "verify":
            if not attrs.get("otp_code"):
                self._refuse("needs_code")
            if twofactor.check_code(user, attrs["otp_code"]) is None:
                self._refuse("wrong_code")
        attrs["user"] = user
        return attrs

    def _refuse(self, key: str):
        raise serializers.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [self.error_messages[key]]}, code="authorization"
        )


class ObtainTokenView(APIView):
    """``POST username, password`` (form or JSON) → ``{"token": "..."}``.

    Send the token as ``Authorization: Token <token>``. One token per user, reused on later
    calls; an administrator revokes it by deleting it in the admin.
    """

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]
    renderer_classes = [renderers.JSONRenderer]
    serializer_class = TokenRequestSerializer
    schema = ApiAutoSchema()

    @extend_schema(
        operation_id="auth_token_create",
        summary=_("获取 API 令牌"),
        description=_("以用户名和密码换取令牌；之后在请求头中发送 Authorization: Token <令牌>。"),
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                name="TokenResponse", fields={"token": serializers.CharField(label=_("令牌"))}
            ),
        },
        examples=[
            OpenApiExample(
                "token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
            )
        ],
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        audit.log(AuditEvent.Kind.LOGIN, user=user, request=request, summary="API token")
        return Response({"token": token.key})
