"""Password policy as NIST SP 800-63B section 3.1.1.2 asks.

A password is refused when it is commonly used or breached (Django's list of
common passwords and the zxcvbn estimator's dictionaries), or when it is
built from words that belong to this service or this person: the ministry's
and the portal's names, the person's own names, Qatar ID number, year of
birth and mobile number. The reason is given, never a composition rule.

Passwords are compared and stored in Unicode NFKC, so "é" typed as one code
point or as "e" plus a combining accent is the same password.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django_zxcvbn_password_validator import ZxcvbnPasswordValidator

from accounts.validators import to_ascii_digits

# The ministry's and the portal's names, in the forms people use.
SERVICE_TERMS = (
    "Ministry of Interior",
    "Ministry",
    "Interior",
    "MOI",
    "Metrash",
    "Metrash2",
    "e-services",
    "eservices",
    "Qatar",
    "Doha",
    "Hukoomi",
    "portal",
    "وزارة الداخلية",
    "الداخلية",
    "مطراش",
    "قطر",
    "الدوحة",
    "الخدمات الإلكترونية",
)
# Characters people swap for letters: "Q@tar", "M3trash", "P0rtal".
_LOOKALIKES = str.maketrans(
    {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}
)
_NOT_A_LETTER = re.compile(r"[\W\d_]+")
# Short words match only on their own ("MOI-2026"), longer ones anywhere in
# the password ("MyMetrashLogin").
_WHOLE_WORD_BELOW = 4
# zxcvbn refuses longer input; the first 72 characters bound the estimate.
_ZXCVBN_MAX = 72


def normalize_password(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw)


def _letters(text: str) -> str:
    return _NOT_A_LETTER.sub("", normalize_password(text).casefold())


def _words(password: str) -> tuple[set[str], set[str]]:
    """The password's letters run together, and its separate words, as typed
    and with look-alike characters read as the letters they stand for."""
    plain = normalize_password(password).casefold()
    readings = (plain, plain.translate(_LOOKALIKES))
    joined = {_letters(reading) for reading in readings}
    words = {w for reading in readings for w in _NOT_A_LETTER.split(reading) if w}
    return joined, words


def _contains_word(term: str, joined: set[str], words: set[str]) -> bool:
    term = _letters(term)
    if len(term) < 3:
        return False
    if len(term) < _WHOLE_WORD_BELOW:
        return term in words
    return any(term in letters for letters in joined)


def _name_parts(user) -> list[str]:
    names = f"{getattr(user, 'name_en', '') or ''} {getattr(user, 'name_ar', '') or ''}"
    return [part for part in re.split(r"[\s\-]+", names) if len(_letters(part)) >= 3]


def _personal_numbers(user) -> dict[str, str]:
    numbers = {}
    if getattr(user, "qid", ""):
        numbers["qid"] = to_ascii_digits(user.qid)
    if getattr(user, "date_of_birth", None):
        numbers["birth_year"] = f"{user.date_of_birth.year:04d}"
    mobile = to_ascii_digits(getattr(user, "mobile", "") or "")
    if len(mobile) >= 8:
        numbers["mobile"] = mobile[-8:]
    return numbers


def context_words(user) -> list[str]:
    """What an attacker who knows this person and this service tries first."""
    words = list(SERVICE_TERMS)
    if user is not None:
        words += _name_parts(user)
        words += list(_personal_numbers(user).values())
    return words


@deconstructible
class ContextSpecificValidator:
    """Refuses the service's names and the person's own data, with the reason."""

    def validate(self, password, user=None):
        joined, words = _words(password)
        for term in SERVICE_TERMS:
            if _contains_word(term, joined, words):
                raise ValidationError(
                    _(
                        "Your password contains the name of the ministry or of this portal "
                        "(%(term)s). Choose words that have nothing to do with us."
                    ),
                    code="password_service_name",
                    params={"term": term},
                )
        if user is None:
            return
        if any(_contains_word(part, joined, words) for part in _name_parts(user)):
            raise ValidationError(
                _("Your password contains your name. Choose words others cannot guess."),
                code="password_own_name",
            )
        digits = to_ascii_digits(normalize_password(password))
        messages = {
            "qid": _("Your password contains your Qatar ID number."),
            "birth_year": _("Your password contains your year of birth."),
            "mobile": _("Your password contains your mobile number."),
        }
        for kind, number in _personal_numbers(user).items():
            if number in digits:
                raise ValidationError(messages[kind], code=f"password_{kind}")

    def get_help_text(self):
        return _(
            "Your password must not contain the name of the ministry or of this portal, "
            "your name, your Qatar ID number, your year of birth or your mobile number."
        )


class GuessabilityValidator(ZxcvbnPasswordValidator):
    """zxcvbn's offline estimate, told what this person and service are called,
    so "Sara2026!" is weak for Sara."""

    def _get_user_inputs(self, user):
        return context_words(user)

    def validate(self, password, user=None):
        super().validate(normalize_password(password)[:_ZXCVBN_MAX], user)
