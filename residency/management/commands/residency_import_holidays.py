"""Fill the admin-editable holiday calendar from the ``holidays`` package (Qatar).

Staff can then correct dates in admin (Islamic holidays move with the moon
sighting); re-running adds missing days and never overwrites an edited one.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from residency.holiday_calendar import holidays_import_qatar


class Command(BaseCommand):
    help = "Import Qatar's public holidays for the given years into the residency calendar."

    def add_arguments(self, parser):
        parser.add_argument(
            "years", nargs="*", type=int, help="Years to import (default: this year and next)."
        )

    def handle(self, *args, years=None, **options):
        if not years:
            this_year = timezone.localdate().year
            years = [this_year, this_year + 1]
        added = holidays_import_qatar(years=years)
        self.stdout.write(f"{added} holiday(s) added for {', '.join(map(str, years))}.")
