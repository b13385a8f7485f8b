"""Validation of Qatar ID numbers, Qatar mobile numbers and password length.

QID layout (PRODUCT.md section 1): 11 digits; digit 1 is the birth century
(2 = 1900s, 3 = 2000s), digits 2-3 the last two digits of the birth year,
digits 4-6 the ISO 3166 numeric nationality code (634 = Qatar) and digits
7-11 a serial. People type QIDs with Arabic-Indic digits and spaces, so every
entry point normalises first and validates, looks up and counts lockouts on
the normalised value.
"""

import datetime
import functools
import re

import phonenumbers
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

QATAR_NUMERIC_CODE = "634"
CENTURY_DIGITS = {"2": 1900, "3": 2000}

# Arabic-Indic (U+0660..) and Eastern Arabic-Indic / Persian (U+06F0..) digits.
_DIGIT_MAP = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGIT_MAP.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_SEPARATORS = re.compile(r"[\s\-\u200e\u200f]+")

QATAR_MOBILE = re.compile(r"^\+974[3567]\d{7}$")
_LOCAL_MOBILE = re.compile(r"^[3567]\d{7}$")


def to_ascii_digits(value: str) -> str:
    return (value or "").translate(_DIGIT_MAP)


def is_ascii_digits(value: str) -> bool:
    """``str.isdigit()`` is also true for superscripts and other scripts' digits,
    which ``int()`` then refuses; only 0-9 count here."""
    return value.isascii() and value.isdigit()


def normalize_qid(value: str) -> str:
    """Return the QID with ASCII digits and no spaces; never raises."""
    if isinstance(value, str) and is_ascii_digits(value):
        return value  # already normal: the usual case, 100,000 times in a register import
    return _SEPARATORS.sub("", to_ascii_digits(str(value or "")))


def qid_birth_year(qid: str) -> int:
    return CENTURY_DIGITS[qid[0]] + int(qid[1:3])


def qid_nationality_code(qid: str) -> str:
    return qid[3:6]


def qid_is_citizen(qid: str) -> bool:
    return qid_nationality_code(qid) == QATAR_NUMERIC_CODE


def validate_qid(value: str, date_of_birth: datetime.date | None = None) -> str:
    """Validate a QID and return its normalised form.

    Raises ``ValidationError`` with a stable ``code`` for each failed rule.
    """
    qid = normalize_qid(value)
    if not is_ascii_digits(qid):
        raise ValidationError(_("A Qatar ID number has digits only."), code="qid_not_digits")
    if len(qid) != 11:
        raise ValidationError(_("A Qatar ID number has exactly 11 digits."), code="qid_length")
    if qid[0] not in CENTURY_DIGITS:
        raise ValidationError(
            _("This is not a valid Qatar ID number: the first digit must be 2 or 3."),
            code="qid_century",
        )
    if not _is_nationality_code(qid_nationality_code(qid)):
        raise ValidationError(
            _("This is not a valid Qatar ID number: digits 4 to 6 are not a nationality code."),
            code="qid_nationality",
        )
    if date_of_birth is not None and qid_birth_year(qid) != date_of_birth.year:
        raise ValidationError(
            _("The Qatar ID number does not match the year of birth."), code="qid_birth_year"
        )
    return qid


@functools.lru_cache(maxsize=1000)
def _is_nationality_code(code: str) -> bool:
    return countries.alpha2(int(code)) != ""


def qid_validator(value: str) -> None:
    """Field validator (model and form fields): checks the stored form."""
    if normalize_qid(value) != value:
        raise ValidationError(_("A Qatar ID number has digits only."), code="qid_not_digits")
    validate_qid(value)


def normalize_qatar_mobile(value: str) -> str:
    """Return a Qatar mobile in E.164 (``+974XXXXXXXX``) or raise ``ValidationError``.

    Accepts local input such as ``5512 3456``, ``55123456``, ``+97455123456`` and
    ``0097455123456``, with Arabic-Indic digits.
    """
    # The two usual forms, as parsing would return them (a register import
    # checks 100,000 numbers).
    if isinstance(value, str) and value.isascii():
        if QATAR_MOBILE.fullmatch(value):
            return value
        if _LOCAL_MOBILE.fullmatch(value):
            return f"+974{value}"
    raw = to_ascii_digits(str(value or "")).strip()
    if QATAR_MOBILE.match(raw):
        return raw
    if _LOCAL_MOBILE.match(raw):
        return f"+974{raw}"
    message = _("Enter a Qatar mobile number: 8 digits starting with 3, 5, 6 or 7.")
    if not raw:
        raise ValidationError(message, code="mobile_invalid")
    try:
        parsed = phonenumbers.parse(raw, "QA")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(message, code="mobile_invalid") from exc
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if not QATAR_MOBILE.match(e164):
        raise ValidationError(message, code="mobile_invalid")
    return e164


def mobile_validator(value: str) -> None:
    if not QATAR_MOBILE.match(value or ""):
        raise ValidationError(
            _("Enter a Qatar mobile number: 8 digits starting with 3, 5, 6 or 7."),
            code="mobile_invalid",
        )


def mask_mobile(value: str) -> str:
    """``+97455123456`` -> ``+974 •••• 3456``; shown everywhere but the owner's edit form.

    Wrapped in Unicode left-to-right isolates so an Arabic page does not turn
    it into ``3456 •••• 974+``.
    """
    if not value:
        return ""
    return f"\u2066+974 •••• {value[-4:]}\u2069"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule (10 characters here) with a message translated in our catalogue."""

    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


@deconstructible
class MaximumLengthValidator:
    """Passwords are at most 128 characters (PRODUCT.md section 3)."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return ngettext(
            "Your password must contain at most %(max_length)d character.",
            "Your password must contain at most %(max_length)d characters.",
            self.max_length,
        ) % {"max_length": self.max_length}
