"""Typed environment helpers that fail loudly.

Every setting that comes from the environment goes through one of these helpers, so that a typo
in a deployment (``DEBUG=ture``, ``WORKERS=four``) stops the process at start-up with a message
naming the variable, instead of silently falling back to a default. ``NAME_FILE`` variants read
secrets from files (Docker/Kubernetes secrets), as Healthchecks does.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


class EnvError(ValueError):
    """A variable in the environment has a value the project cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    """Return NAME, or the contents of the file named by NAME_FILE, or None."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name is not None:
        raise EnvError(f"{name} and {name}_FILE are both set; set only one")
    if file_name is not None:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return value


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        if required:
            raise EnvError(f"{name} is required (set {name} or {name}_FILE)")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(
        f"{name}={value!r} is not a boolean (use one of 1/0, true/false, yes/no, on/off)"
    )


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError as exc:
        raise EnvError(f"{name}={value!r} is not an integer") from exc
    if minimum is not None and number < minimum:
        raise EnvError(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise EnvError(f"{name}={number} is above the maximum {maximum}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = _raw(name)
    if value is None or value == "":
        return default
    if value not in choices:
        raise EnvError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def env_url(name: str, schemes: tuple[str, ...]) -> str | None:
    """Return a URL from the environment after checking its scheme, or None when unset."""
    value = _raw(name)
    if value is None or value.strip() == "":
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        raise EnvError(f"{name} must start with one of {', '.join(s + '://' for s in schemes)}")
    return value


def parse_email_url(name: str, url: str) -> dict[str, object]:
    """Turn ``smtp://user:pass@host:port/?tls=1`` (or ``smtps://``) into Django email settings."""
    parsed = urlparse(url)
    if parsed.scheme not in ("smtp", "smtps"):
        raise EnvError(f"{name} must start with smtp:// or smtps://")
    if not parsed.hostname:
        raise EnvError(f"{name} has no host")
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    use_ssl = parsed.scheme == "smtps"
    use_tls = query.get("tls", "").lower() in _TRUE
    if use_ssl and use_tls:
        raise EnvError(f"{name}: smtps:// and ?tls=1 cannot be combined")
    try:
        port = parsed.port or (465 if use_ssl else 25)
    except ValueError as exc:
        raise EnvError(f"{name} has an invalid port") from exc
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_USE_TLS": use_tls,
    }
