"""Qatar's public holidays, seeded from the ``holidays`` package (PRODUCT.md section 6.4).

Law No. 10 of 2018 does not set the calendar; the decision target counts
working days (Sunday to Thursday) less the public holidays staff keep in
admin. The package gives a starting point with Arabic and English names.
"""

import holidays as holiday_calendars
from django.db import transaction

from residency.models import PublicHoliday


@transaction.atomic
def holidays_import_qatar(*, years: list[int]) -> int:
    """Add the package's Qatar holidays for ``years``; days already present stay as edited."""
    arabic = holiday_calendars.country_holidays("QA", years=years, language="ar_QA")
    english = holiday_calendars.country_holidays("QA", years=years, language="en_US")
    existing = set(
        PublicHoliday.objects.filter(date__in=list(english)).values_list("date", flat=True)
    )
    new = [
        PublicHoliday(date=day, name_ar=arabic.get(day, name), name_en=name)
        for day, name in sorted(english.items())
        if day not in existing
    ]
    PublicHoliday.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
