"""``manage.py import_register register.csv [--dry-run] [--errors-out report.csv]``.

For files too large for a web request; the same service as the admin page.
Exits with status 1 when the file has errors (nothing is saved then).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.register_import import import_errors_csv, register_import

ERRORS_PRINTED = 20


class Command(BaseCommand):
    help = "Import the population register from a CSV file: every row, or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The register file (UTF-8 CSV).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file against the register and roll back.",
        )
        parser.add_argument(
            "--errors-out",
            type=Path,
            help="Write the full error report (CSV) to this file.",
        )

    def handle(self, *args, path, dry_run, errors_out, **options):
        try:
            with path.open("rb") as file:
                result = register_import(file=file, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(exc) from exc
        if result.ok:
            self.stdout.write(result.summary())
            if dry_run:
                self.stdout.write(_("Check only: nothing was saved."))
            return
        for error in result.errors[:ERRORS_PRINTED]:
            self.stderr.write(f"{error.line}:{error.column}: {error.message} ({error.value!r})")
        if errors_out:
            errors_out.write_text(import_errors_csv(result), encoding="utf-8")
            self.stderr.write(_("Error report written to %(path)s.") % {"path": errors_out})
        raise CommandError(
            _("Nothing was saved. Errors found: %(count)s.") % {"count": len(result.errors)}
        )
