"""Staff sign-in, second step: the authenticator code, and enrolment at first sign-in.

Staff reach these pages from the admin sign-in (QID and password, with the
same lockout and throttles as the portal); admin opens only once the session
is verified (``moi_portal.admin.PortalAdminSite.has_permission``).
"""

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import second_factor
from accounts.forms import AuthenticatorCodeForm, EnrolmentCodeForm
from accounts.security_log import FAILURE, security_event

BACKUP_CODES_SESSION_KEY = "second_factor_backup_codes"


def second_factor_url(request, next_url: str) -> str:
    """Where a signed-in, not yet verified staff member goes next."""
    name = (
        "accounts:staff_enrol"
        if second_factor.needs_enrolment(request.user)
        else "accounts:staff_verify"
    )
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")
class StaffStepView(View):
    """Base: only for a signed-in, active member of staff."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (request.user.is_active and request.user.is_staff):
            raise Http404
        self.next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            self.next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            self.next_url = reverse("admin:index")
        return super().dispatch(request, *args, **kwargs)

    def with_next(self, name: str) -> str:
        return f"{reverse(name)}?{urlencode({'next': self.next_url})}"


class StaffVerifyView(StaffStepView):
    def get(self, request):
        if second_factor.is_verified(request.user):
            return redirect(self.next_url)
        if second_factor.needs_enrolment(request.user):
            return redirect(self.with_next("accounts:staff_enrol"))
        return self._render(AuthenticatorCodeForm())

    def post(self, request):
        if second_factor.needs_enrolment(request.user):
            return redirect(self.with_next("accounts:staff_enrol"))
        form = AuthenticatorCodeForm(request.POST)
        if form.is_valid():
            check = second_factor.second_factor_verify(
                person=request.user, code=form.cleaned_data["code"]
            )
            if check:
                second_factor.second_factor_login(request, check.device)
                security_event(request, "totp.verified", kind=type(check.device).__name__)
                return redirect(self.next_url)
            security_event(request, "totp.failed", outcome=FAILURE)
            form.add_error("code", _code_error(check))
        return self._render(form)

    def _render(self, form):
        return render(self.request, "accounts/staff/verify.html", {"form": form})


class StaffEnrolView(StaffStepView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not second_factor.needs_enrolment(request.user):
            return redirect(reverse("accounts:staff_verify") + "?" + request.GET.urlencode())
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(EnrolmentCodeForm())

    def post(self, request):
        form = EnrolmentCodeForm(request.POST)
        if form.is_valid():
            try:
                confirmed = second_factor.enrolment_confirm(
                    person=request.user, code=form.cleaned_data["code"]
                )
            except second_factor.EnrolmentClosed:  # confirmed meanwhile, in another tab
                return redirect(self.with_next("accounts:staff_verify"))
            if confirmed:
                device, codes = confirmed
                second_factor.second_factor_login(request, device)
                security_event(request, "totp.enrolled")
                request.session[BACKUP_CODES_SESSION_KEY] = codes
                return redirect(self.with_next("accounts:staff_backup_codes"))
            security_event(request, "totp.enrolment_failed", outcome=FAILURE)
            form.add_error(
                "code",
                _(
                    "The code is not correct. Check that you added the key shown here, "
                    "then enter the code your app shows now."
                ),
            )
        return self._render(form)

    def _render(self, form):
        device = second_factor.enrolment_device(person=self.request.user)
        return render(
            self.request,
            "accounts/staff/enrol.html",
            {"form": form, "manual_key": second_factor.manual_entry_key(device)},
        )


class StaffEnrolQRView(StaffStepView):
    def get(self, request):
        if not second_factor.needs_enrolment(request.user):
            raise Http404
        device = second_factor.enrolment_device(person=request.user)
        return HttpResponse(second_factor.qr_code_svg(device), content_type="image/svg+xml")


class StaffBackupCodesView(StaffStepView):
    """Shows the new backup codes once: they leave the session as they are shown."""

    def get(self, request):
        codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
        if not codes or not second_factor.is_verified(request.user):
            return redirect(self.next_url)
        return render(
            request,
            "accounts/staff/backup_codes.html",
            {"codes": codes, "next_url": self.next_url},
        )


def _code_error(check: second_factor.SecondFactorCheck) -> str:
    if check.locked_until:
        return _("Too many wrong codes. Wait until %(time)s, then try again.") % {
            "time": timezone.localtime(check.locked_until).strftime("%H:%M:%S")
        }
    return _(
        "The code is not correct. Enter the code your authenticator app shows now, "
        "or one of your backup codes."
    )
