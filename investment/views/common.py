"""Helpers shared by the investment pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from devzone.pages import apply_validation_error


def run_service(form, func, *args, **kwargs):
    """Call a service; its ValidationError lands on the form (None returned), a PermissionDenied
    becomes a 404 (the row was looked up in scope, so this only happens on a lost race)."""
    try:
        return func(*args, **kwargs)
    except ValidationError as error:
        apply_validation_error(form, error)
    except PermissionDenied as error:
        raise Http404 from error
    return None
