"""Who may activate which e-service on which card: PRODUCT.md section 2, rules 1 to 7.

This module is the only place the rules live. The catalogue page, the admin
and ``activation.services`` all call :func:`eligibility_failures`; none of
them re-states a rule. Each failure carries a stable code, a translated
reason and the action that fixes it, so the page can tell the person what
to do next rather than only "not eligible".

Rule 8 (confidentiality) is not a condition on the person: the views enforce
it by only ever showing a person their own data.

Time is a keyword argument so tests can place "today" on an 18th birthday or
exactly 12 months after the last data review.
"""

import calendar
import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import ChipStatus
from accounts.durations import months_text
from accounts.models import Person, SmartCard
from accounts.rules import Failure
from activation.constants import Rule
from activation.models import EService

DATA_REVIEW_MONTHS = 12


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same local day and time ``months`` earlier; the 31st falls back to the month's end."""
    local = timezone.localtime(moment)
    year, month_zero_based = divmod(local.year * 12 + local.month - 1 - months, 12)
    month = month_zero_based + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def _card_failures(card: SmartCard | None, today: datetime.date) -> list[Failure]:
    """Rules 1 and 2. The chip of an expired or cancelled card is not judged: the
    fix is a new card, and asking to activate the old chip would be wrong advice."""
    if card is None or not card.is_valid_on(today):
        return [
            Failure(
                Rule.VALID_CARD,
                _("You need a valid smart ID card; this card is expired or cancelled."),
                _("Renew your card at a service centre"),
            )
        ]
    if card.chip_status == ChipStatus.INACTIVE:
        return [
            Failure(
                Rule.CHIP_ACTIVE,
                _("The electronic chip of your card is not active."),
                _("Request chip activation"),
                reverse("activation:chip_request", kwargs={"card_pk": card.pk}),
            )
        ]
    if card.chip_status != ChipStatus.ACTIVE:
        return [
            Failure(
                Rule.CHIP_ACTIVE,
                _("The electronic chip of your card is blocked."),
                _("Visit a service centre to unblock the chip"),
            )
        ]
    return []


def _person_failures(person: Person, now: datetime.datetime) -> list[Failure]:
    failures = []
    if not person.data_verified:
        failures.append(
            Failure(
                Rule.DATA_VERIFIED,
                _("Your personal data has not been verified by the authorities yet."),
                _("Request a correction"),
                reverse("activation:correction"),
            )
        )
    if not person.mobile:
        failures.append(
            Failure(
                Rule.MOBILE_LINKED,
                _("No mobile number is linked to your account."),
                _("Add your mobile number"),
                reverse("activation:mobile_change"),
            )
        )
    reviewed = person.data_reviewed_at
    if reviewed is None or reviewed < months_before(now, DATA_REVIEW_MONTHS):
        failures.append(
            Failure(
                Rule.DATA_REVIEWED,
                _("You have not confirmed your personal data in the last %(period)s.")
                % {"period": months_text(DATA_REVIEW_MONTHS)},
                _("Confirm your data"),
                reverse("activation:profile"),
            )
        )
    return failures


def _service_failures(person: Person, service: EService, today: datetime.date) -> list[Failure]:
    failures = []
    if person.age_on(today) < service.minimum_age:
        failures.append(
            Failure(
                Rule.MINIMUM_AGE,
                _("This service is available from age %(age)d.") % {"age": service.minimum_age},
            )
        )
    if service.needs_photo and not person.photo:
        failures.append(
            Failure(
                Rule.PHOTO_APPROVED,
                _("This service needs an approved personal photo."),
                _("Upload a photo"),
                reverse("activation:photo_upload"),
            )
        )
    return failures


def eligibility_failures(
    *,
    person: Person,
    card: SmartCard | None,
    service: EService,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[Failure]:
    """Return every rule ``person`` fails for ``service`` on ``card``, in rule order.

    An empty list means the service may be activated.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    return [
        *_card_failures(card, today),
        *_person_failures(person, now),
        *_service_failures(person, service, today),
    ]
