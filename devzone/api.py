"""API base: pagination and the scoped viewset every resource derives from."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination

ACTION_FOR_METHOD = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class Pagination(PageNumberPagination):
    """``page`` and ``page_size`` (at most 500); responses carry count, next, previous, results."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedViewSet(viewsets.GenericViewSet):
    """Every queryset goes through ``for_user(user, action)``: another zone's row is a 404.

    Subclasses set ``queryset`` (the base, unscoped rows with their select_related); the scope is
    applied here, once. Writes go through the app's services, which re-check the scope.
    """

    pagination_class = Pagination

    def scope_action(self) -> str:
        return ACTION_FOR_METHOD.get(self.action or "", "view")

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, self.scope_action())
