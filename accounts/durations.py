"""Durations in messages are written from their values, in the reader's language
with its plural forms (Arabic has six), never typed inside a translated sentence."""

import datetime

from django.utils.translation import ngettext


def duration_text(value: int | float | datetime.timedelta) -> str:
    """ "15 minutes", "8 hours", "دقيقتان": whole hours when the value is a whole
    number of hours, otherwise minutes (rounded up)."""
    seconds = int(value.total_seconds() if isinstance(value, datetime.timedelta) else value)
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, -(-seconds // 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def full_years_between(start: datetime.date, end: datetime.date) -> int:
    """Whole years from ``start`` to ``end``: an age, or years of residence.
    Someone born on 29 February turns a year older on 1 March in common years."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def working_days_text(days: int) -> str:
    return ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days}


def months_text(months: int) -> str:
    return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
