"""Validators with Chinese messages that name what is wrong."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check digit.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(ch) * w
        for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """统一社会信用代码: length, alphabet, administrative-division digits and the check digit."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。"), code="length", params={"n": len(code)}
        )
    bad = [ch for ch in code if ch not in CREDIT_CODE_ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不得使用 I、O、Z、S、V）。"),
            code="alphabet",
            params={"chars": "".join(sorted(set(bad)))},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第3至8位应为行政区划代码（6位数字）。"), code="division"
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第18位应为“%(expected)s”，实际为“%(actual)s”。"),
            code="check_digit",
            params={"expected": expected, "actual": code[17]},
        )


def validate_not_future(value) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天。"), code="future")


def validate_year_not_future(value: int) -> None:
    if value is not None and value > timezone.localdate().year:
        raise ValidationError(_("年份 %(year)s 晚于今年。"), code="future", params={"year": value})


ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def build_credit_code(
    division: str, serial: int, *, authority: str = "9", category: str = "1"
) -> str:
    """A well-formed credit code (with both check digits) for demo and test data.

    ``division`` is the six-digit administrative-division code; ``serial`` numbers the
    organisation within it (its 8-digit body of the GB 11714 organisation code).
    """
    body = f"{serial % 10**8:08d}"
    org_check = 11 - sum(int(d) * w for d, w in zip(body, ORG_CODE_WEIGHTS, strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(org_check, str(org_check))
    first17 = f"{authority}{category}{division}{org}"
    return first17 + credit_code_check_char(first17)
