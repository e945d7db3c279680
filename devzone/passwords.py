"""How passwords are stored, and the rules beyond Django's own validators.

Django 5.2 reworded the minimum-length message and its Simplified Chinese catalog has no
translation of the new wording yet, so users would read English: the same rule, our words.
"""

from __future__ import annotations

from django.contrib.auth import hashers, password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短：至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Argon2id with OWASP's recommended parameters: 19 MiB of memory, 2 passes, 1 lane.

    Memory-hard, so a stolen hash is costly to attack on GPUs, and about 20 ms of CPU per
    sign-in instead of ~200 ms for PBKDF2 at Django's 1,000,000 iterations (or Django's Argon2
    default of 100 MiB over 8 lanes): 50 people signing in at the start of a working day no
    longer hold every page up for seconds, and a password-spraying client costs the server a
    tenth. Hashes made with other parameters or with PBKDF2 still verify and are rehashed with
    these at the next sign-in (docs/security.md).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
