"""Who may apply for a permanent residency card, and on which basis.

The one place for these rules: pages, services and admin call it. Each rule
that fails comes back with a stable ``code`` (for tests, logs and admin) and
a translated ``reason`` that says how to put it right.

- Only non-Qatari residents holding a valid residence permit apply; one open
  application at a time (PRODUCT.md section 6.1).
- Law No. 10 of 2018, art. 2: 20 years of legal residence for those born
  abroad, 10 for those born in Qatar, checked against the population register
  (``Person.resident_since``), and no more than 60 days outside Qatar in any
  year, declared by the applicant for each year of the period.
- Law No. 10 of 2018, art. 3: spouses of Qatari citizens, children of Qatari
  mothers, and people of distinguished service or special competence apply on
  that ground; their proof is a document the reviewer checks.
"""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.constants import CardKind, CardStatus
from accounts.durations import full_years_between
from accounts.models import Person
from accounts.rules import Failure
from residency.constants import (
    MAX_DAYS_ABROAD_PER_YEAR,
    REQUIRED_RESIDENCE_YEARS,
)
from residency.models import Application


def _valid_card_kinds(person: Person, today: datetime.date) -> set[str]:
    """Which of the two cards that decide who may apply the person holds valid (one query)."""
    return set(
        person.cards.filter(
            kind__in=(CardKind.PERMANENT_RESIDENCY, CardKind.RESIDENCE_PERMIT),
            status=CardStatus.VALID,
            expires_on__gte=today,
        ).values_list("kind", flat=True)
    )


def declaration_years(*, basis: str, today: datetime.date) -> list[int]:
    """The completed calendar years the applicant declares days abroad for (newest first)."""
    required = REQUIRED_RESIDENCE_YEARS.get(basis, 0)
    return list(range(today.year - 1, today.year - 1 - required, -1))


def eligibility_to_apply(
    *, person: Person, today: datetime.date, ignoring_application_id: int | None = None
) -> list[Failure]:
    """The rules that stop ``person`` from applying at all (empty when they may apply)."""
    if person.is_citizen:
        return [
            Failure(
                "citizen",
                _("Qatari citizens do not need a permanent residency card."),
            )
        ]
    failures = []
    valid_cards = _valid_card_kinds(person, today)
    if CardKind.PERMANENT_RESIDENCY in valid_cards:
        failures.append(
            Failure(
                "already_permanent_resident",
                _("You already hold a valid permanent residency card."),
            )
        )
    elif CardKind.RESIDENCE_PERMIT not in valid_cards:
        failures.append(
            Failure(
                "no_valid_residence_permit",
                _(
                    "You need a valid residence permit to apply. Renew your residence "
                    "permit first, then apply."
                ),
            )
        )
    open_application = (
        Application.objects.filter(person=person)
        .open()
        .exclude(pk=ignoring_application_id)
        .only("reference")
        .first()
    )
    if open_application is not None:
        failures.append(
            Failure(
                "open_application",
                _(
                    "You already have an open application (%(reference)s). Follow it on "
                    "its status page, or withdraw it before applying again."
                )
                % {"reference": open_application.reference},
            )
        )
    return failures


def eligibility_basis(
    *, person: Person, basis: str, days_abroad: dict, today: datetime.date
) -> list[Failure]:
    """The rules of ``basis`` that the register data and the declared years do not meet.

    ``days_abroad`` maps a year (``"2025"`` or ``2025``) to the days spent
    outside Qatar that year; a year missing from it is reported as missing.
    """
    required = REQUIRED_RESIDENCE_YEARS.get(basis)
    if required is None:
        return []
    failures = []
    if person.resident_since is None:
        failures.append(
            Failure(
                "residence_start_unknown",
                _(
                    "The population register has no start date for your legal residence, "
                    "so the years cannot be checked. Ask a service centre to update your record."
                ),
            )
        )
    else:
        years = full_years_between(person.resident_since, today)
        if years < required:
            failures.append(
                Failure(
                    "residence_too_short",
                    " ".join(
                        (
                            ngettext(
                                "This basis needs %(count)d year of legal residence.",
                                "This basis needs %(count)d years of legal residence.",
                                required,
                            )
                            % {"count": required},
                            ngettext(
                                "The register shows %(count)d year (since %(since)s).",
                                "The register shows %(count)d years (since %(since)s).",
                                years,
                            )
                            % {"count": years, "since": date_format(person.resident_since)},
                        )
                    ),
                )
            )
    declared = {int(year): days for year, days in (days_abroad or {}).items()}
    missing = [year for year in declaration_years(basis=basis, today=today) if year not in declared]
    if missing:
        failures.append(
            Failure(
                "days_abroad_missing",
                _("Declare the days you spent outside Qatar in %(years)s.")
                % {"years": ", ".join(str(year) for year in sorted(missing))},
            )
        )
    too_long = sorted(
        year
        for year in declaration_years(basis=basis, today=today)
        if (declared.get(year) or 0) > MAX_DAYS_ABROAD_PER_YEAR
    )
    if too_long:
        failures.append(
            Failure(
                "too_long_abroad",
                _(
                    "You spent more than %(max)d days outside Qatar in %(years)s; the law "
                    "allows at most %(max)d days in any year of the residence period."
                )
                % {
                    "max": MAX_DAYS_ABROAD_PER_YEAR,
                    "years": ", ".join(str(year) for year in too_long),
                },
            )
        )
    return failures
