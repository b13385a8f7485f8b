"""The back-office page that imports the population register (PRODUCT.md section 8).

Only staff holding ``accounts.import_register`` may use it. The full error
report is kept in the cache under a random key bound to the staff member, so
it never travels through the session or the page.
"""

import logging
import re
import secrets

from django import forms
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.register_import import ImportResult, import_errors_csv, register_import

logger = logging.getLogger(__name__)

IMPORT_PERMISSION = "accounts.import_register"
ERRORS_SHOWN = 1000
REPORT_TIMEOUT = 60 * 60


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Register file (CSV)"),
        help_text=gettext_lazy(
            "UTF-8 CSV with the columns qid, name_ar, name_en, date_of_birth, sex, "
            "nationality, mobile, card_number, card_kind, card_issued_on, card_expires_on, "
            "card_status, chip_status. For very large files use the import_register command."
        ),
        validators=[FileExtensionValidator(["csv"])],
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only: validate the file and save nothing"), required=False
    )


_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _report_key(user_id: int, token: str) -> str:
    return f"accounts:register-import-report:{user_id}:{token}"


class RegisterImportAdminMixin:
    """Adds ``import/`` (and its error report download) to ``PersonAdmin``."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.register_import_view), name="accounts_person_import"),
            path(
                "import/report/<str:token>/",
                wrap(self.register_import_report_view),
                name="accounts_person_import_report",
            ),
            *super().get_urls(),
        ]

    def has_register_import_permission(self, request) -> bool:
        return request.user.has_perm(IMPORT_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "has_register_import_permission": self.has_register_import_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def register_import_view(self, request):
        if not self.has_register_import_permission(request):
            raise PermissionDenied
        form = RegisterImportForm(request.POST or None, request.FILES or None)
        result, report_url = None, None
        if request.method == "POST" and form.is_valid():
            result = register_import(
                file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                actor=request.user,
            )
            logger.info(
                "Register import by person %s: saved=%s errors=%d %s",
                request.user.pk,
                result.saved,
                len(result.errors),
                result.summary(),
            )
            if result.errors:
                report_url = self._keep_report(request, result)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import the population register"),
            "form": form,
            "result": result,
            "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
            "report_url": report_url,
        }
        return TemplateResponse(request, "admin/accounts/person/import.html", context)

    def register_import_report_view(self, request, token):
        if not self.has_register_import_permission(request):
            raise PermissionDenied
        # Tokens are secrets.token_urlsafe(); anything else is not a report, and
        # would not be a valid cache key either.
        report = cache.get(_report_key(request.user.pk, token)) if _TOKEN.fullmatch(token) else None
        if report is None:
            raise Http404(_("This error report has expired. Import the file again."))
        # The byte order mark makes spreadsheets read the Arabic messages as UTF-8.
        response = HttpResponse("\ufeff" + report, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="register-import-errors.csv"'
        return response

    def _keep_report(self, request, result: ImportResult) -> str:
        token = secrets.token_urlsafe(16)
        cache.set(_report_key(request.user.pk, token), import_errors_csv(result), REPORT_TIMEOUT)
        return reverse(
            f"{self.admin_site.name}:accounts_person_import_report", kwargs={"token": token}
        )
