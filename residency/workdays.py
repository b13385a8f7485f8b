"""Working days for the decision clock and appointments (PRODUCT.md section 6.4).

Ministry offices work Sunday to Thursday; the public holidays are rows of
``PublicHoliday`` that staff edit in admin (seeded from the ``holidays``
package's Qatar calendar by ``manage.py residency_import_holidays``).
"""

import datetime

from django.utils import timezone

from residency.constants import WORKING_WEEKDAYS
from residency.models import PublicHoliday

# Wide enough for any decision period or booking horizon the portal uses.
_LOOKAHEAD = datetime.timedelta(days=120)


def holidays_between(start: datetime.date, end: datetime.date) -> set[datetime.date]:
    return set(
        PublicHoliday.objects.filter(date__range=(start, end)).values_list("date", flat=True)
    )


def working_days_after(
    start: datetime.date, *, count: int, holidays: set[datetime.date] | None = None
) -> list[datetime.date]:
    """The next ``count`` working days strictly after ``start``."""
    if holidays is None:
        holidays = holidays_between(start, start + _LOOKAHEAD + datetime.timedelta(days=count * 2))
    days = []
    day = start
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if day.weekday() in WORKING_WEEKDAYS and day not in holidays:
            days.append(day)
    return days


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The local day as a half-open range of times: filtering ``start <= t < end``
    reads an index on ``t``, where ``t__date=day`` would compute a date for every row."""

    def midnight(date: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))

    return midnight(day), midnight(day + datetime.timedelta(days=1))


def working_day_add(start: datetime.date, *, days: int) -> datetime.date:
    """The ``days``-th working day after ``start``: the 5-day decision target ends there."""
    return working_days_after(start, count=days)[-1]
