import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from accounts import audit, history, identity, lockout, selectors, sessions
from accounts.constants import OTPPurpose
from accounts.durations import duration_text
from accounts.forms import (
    CodeForm,
    EmailForm,
    IdentityStartForm,
    LanguageForm,
    PasswordChangeForm,
    PasswordSetForm,
    SignInForm,
)
from accounts.middleware import session_start, session_touch
from accounts.otp import (
    CODE_VALIDITY,
    MAX_FAILURES,
    RESEND_AFTER,
    OTPRefused,
    otp_device,
    otp_next_send_at,
    otp_send,
    otp_verify,
    tries_left,
)
from accounts.policies import password_reset_hold
from accounts.security_log import FAILURE, person_id_for_qid, security_event
from accounts.stepup import StepUpRequiredMixin, stepup_clear, stepup_grant
from messaging import selectors as messaging_selectors
from messaging.notifications import notification_status_update
from moi_portal.metrics import signin_refusals

sensitive = method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")


@sensitive
class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        state = lockout.ip_throttle_state(request)
        if state:
            signin_refusals.labels(reason=state).inc()
            if state == lockout.COUNTS_UNAVAILABLE:
                return sign_in_unavailable(request)
            return locked_out(request, None, ip_throttled=True)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        session_start(self.request)
        return response


class SignOutView(auth_views.LogoutView):
    pass


def locked_out(request, credentials, *args, ip_throttled=False, **kwargs):
    """Shown instead of the sign-in form while a QID (or an address) is locked."""
    qid = lockout.axes_username(request, credentials)
    until = None if ip_throttled else lockout.qid_locked_until(qid)
    until = until or timezone.now() + datetime.timedelta(seconds=settings.IP_FAILURE_WINDOW)
    security_event(
        request,
        "signin.throttled" if ip_throttled else "signin.locked",
        outcome=FAILURE,
        person_id=None if ip_throttled else person_id_for_qid(qid),
    )
    return render(
        request,
        "accounts/locked.html",
        {"until": timezone.localtime(until), "ip_throttled": ip_throttled},
        status=429,
    )


def sign_in_unavailable(request):
    """The sign-in counts cannot be read (cache down): refuse rather than allow
    unlimited guessing; it clears by itself when the cache answers again."""
    response = render(request, "accounts/signin_unavailable.html", status=503)
    response["Retry-After"] = "30"
    return response


@login_required
@require_POST
def sign_out_everywhere(request):
    identity.person_sign_out_everywhere(person=request.user)
    logout(request)
    messages.success(request, _("You were signed out on every device."))
    return redirect("accounts:login")


@login_required
@require_POST
def keep_alive(request):
    session_touch(request)
    return JsonResponse({"idle_timeout": settings.SESSION_IDLE_TIMEOUT})


# --- Registration and password reset ------------------------------------

FLOW_KEY = "identity_flow"
VERIFIED_KEY = "identity_verified"
FLOWS = {
    "register": OTPPurpose.REGISTRATION,
    "reset": OTPPurpose.PASSWORD_RESET,
}
VERIFIED_FOR = datetime.timedelta(minutes=10)
CODE_VALIDITY_SECONDS = CODE_VALIDITY.total_seconds()


def _flow(request, flow):
    state = request.session.get(FLOW_KEY)
    if not state or state.get("flow") != flow:
        return None
    return state


@sensitive
class IdentityStartView(View):
    flow = "register"

    def get(self, request):
        return self._render(IdentityStartForm())

    def post(self, request):
        form = IdentityStartForm(request.POST)
        if not form.is_valid():
            return self._render(form)
        if not lockout.identity_attempt_allowed(request, form.cleaned_data["qid"]):
            security_event(
                request,
                f"{self.flow}.throttled",
                outcome=FAILURE,
                person_id=person_id_for_qid(form.cleaned_data["qid"]),
            )
            form.add_error(
                None,
                _("Too many attempts. For your security, please try again in an hour."),
            )
            return self._render(form, status=429)
        started = identity.identity_start(
            qid=form.cleaned_data["qid"],
            card_expiry=form.cleaned_data["card_expiry"],
            purpose=FLOWS[self.flow],
        )
        request.session[FLOW_KEY] = {
            "flow": self.flow,
            "id": str(started.pk),
            "failures": 0,
            "sent_at": timezone.now().timestamp(),
        }
        request.session.pop(VERIFIED_KEY, None)
        return redirect(f"accounts:{self.flow}_code")

    def _render(self, form, status=200):
        return render(
            self.request,
            "accounts/identity_start.html",
            {"form": form, "flow": self.flow},
            status=status,
        )


@sensitive
class IdentityCodeView(View):
    """The code page of registration and reset. What it shows comes from this
    session alone, never from the register, so it reveals nothing about a QID."""

    flow = "register"

    def dispatch(self, request, *args, **kwargs):
        self.state = _flow(request, self.flow)
        if self.state is None:
            return redirect(f"accounts:{self.flow}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(CodeForm())

    def post(self, request):
        if "resend" in request.POST:
            return self._resend()
        form = CodeForm(request.POST)
        if self.state["failures"] >= MAX_FAILURES:
            form.is_valid()
            form.add_error("code", _("This code can no longer be used. Ask for a new code."))
            return self._render(form)
        if form.is_valid():
            expired = timezone.now().timestamp() - self.state["sent_at"] > CODE_VALIDITY_SECONDS
            person, check = identity.identity_verify(
                flow_id=self.state["id"], purpose=FLOWS[self.flow], code=form.cleaned_data["code"]
            )
            if check:
                request.session[VERIFIED_KEY] = {
                    "flow": self.flow,
                    "person": person.pk,
                    "at": timezone.now().timestamp(),
                }
                return redirect(f"accounts:{self.flow}_password")
            self.state["failures"] += 1
            request.session.modified = True
            # Only what this session knows decides the message: the register's
            # answer ("no code was sent to this QID") would reveal the QID.
            form.add_error("code", _code_error("expired" if expired else "wrong"))
        return self._render(form)

    def _resend(self):
        now = timezone.now()
        next_at = self.state["sent_at"] + RESEND_AFTER.total_seconds()
        if now.timestamp() < next_at:
            messages.error(self.request, _("Please wait before asking for a new code."))
        else:
            identity.identity_resend(flow_id=self.state["id"])
            if self.state["failures"] >= MAX_FAILURES:
                self.state["failures"] = 0
            self.state["sent_at"] = now.timestamp()
            self.request.session.modified = True
            messages.success(self.request, _("If the details match, a new code is on its way."))
        return redirect(f"accounts:{self.flow}_code")

    def _render(self, form):
        sent_at = datetime.datetime.fromtimestamp(self.state["sent_at"], tz=datetime.UTC)
        return render(
            self.request,
            "accounts/code.html",
            {
                "form": form,
                "flow": self.flow,
                "masked_number": None,
                "tries_left": max(0, MAX_FAILURES - self.state["failures"]),
                "code_validity": CODE_VALIDITY,
                "next_send_at": sent_at + RESEND_AFTER,
            },
        )


def _code_error(reason: str) -> str:
    return {
        "expired": _("This code has expired. Ask for a new code."),
        "void": _("Too many wrong codes: this code can no longer be used. Ask for a new code."),
        "no_code": _("There is no code waiting for you. Ask for a new code."),
    }.get(reason, _("The code is not correct. Check the text message and try again."))


@sensitive
class IdentityPasswordView(View):
    flow = "register"

    def dispatch(self, request, *args, **kwargs):
        state = request.session.get(VERIFIED_KEY)
        fresh = state and timezone.now().timestamp() - state["at"] < VERIFIED_FOR.total_seconds()
        if not fresh or state.get("flow") != self.flow:
            return redirect(f"accounts:{self.flow}")
        self.person = selectors.person_get(pk=state["person"])
        if self.flow == "reset" and not password_reset_hold.allows(self.person):
            # The mobile changed after the code was checked: start again (and be refused).
            request.session.pop(VERIFIED_KEY, None)
            return redirect(f"accounts:{self.flow}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(PasswordSetForm(self.person))

    def post(self, request):
        form = PasswordSetForm(self.person, request.POST)
        if not form.is_valid():
            return self._render(form)
        password = form.cleaned_data["new_password1"]
        if self.flow == "register":
            try:
                identity.account_register(person=self.person, password=password)
            except identity.AccountExists:
                messages.info(request, _("Your account is ready. Sign in with your password."))
                return redirect("accounts:login")
            messages.success(request, _("Your account is ready. Sign in with your new password."))
        else:
            identity.password_reset_complete(person=self.person, password=password)
            messages.success(request, _("Your password was changed. Sign in with it now."))
        request.session.pop(VERIFIED_KEY, None)
        request.session.pop(FLOW_KEY, None)
        return redirect("accounts:login")

    def _render(self, form):
        return render(self.request, "accounts/set_password.html", {"form": form, "flow": self.flow})


# --- Step-up: confirm a sensitive step with a code ------------------------

# Registration and reset codes are only ever issued by their own flows.
STEPUP_PURPOSES = {
    OTPPurpose.ESERVICES,
    OTPPurpose.PASSWORD_CHANGE,
    OTPPurpose.MOBILE_CHANGE,
    OTPPurpose.RESIDENCY_SUBMISSION,
}


@method_decorator([login_required, sensitive_post_parameters(), never_cache], name="dispatch")
class StepUpView(View):
    def dispatch(self, request, *args, **kwargs):
        self.purpose = request.GET.get("purpose", "")
        self.scope = request.GET.get("scope", "")
        self.next_url = request.GET.get("next", "")
        if self.purpose not in STEPUP_PURPOSES or not self.scope:
            raise Http404
        if not url_has_allowed_host_and_scheme(
            self.next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            self.next_url = reverse("home")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        device = otp_device(person=request.user, purpose=self.purpose)
        no_code = device is None or not device.token_hash or device.valid_until <= timezone.now()
        # A link from another site must not text the person (nor use up their limits).
        if no_code and request.headers.get("Sec-Fetch-Site", "same-origin") != "cross-site":
            self._send()
        return self._render(CodeForm())

    def post(self, request):
        if "resend" in request.POST:
            self._send()
            return redirect(request.get_full_path())
        form = CodeForm(request.POST)
        if form.is_valid():
            check = otp_verify(
                person=request.user, purpose=self.purpose, code=form.cleaned_data["code"]
            )
            if check:
                stepup_grant(request, purpose=self.purpose, scope=self.scope)
                return redirect(self.next_url)
            form.add_error("code", _code_error(check.reason))
        return self._render(form)

    def _send(self):
        try:
            otp_send(person=self.request.user, purpose=self.purpose)
        except OTPRefused as refused:
            messages.error(self.request, refused.messages[0])

    def _render(self, form):
        device = otp_device(person=self.request.user, purpose=self.purpose)
        return render(
            self.request,
            "accounts/code.html",
            {
                "form": form,
                "flow": "stepup",
                "purpose_label": OTPPurpose(self.purpose).label,
                "masked_number": self.request.user.masked_mobile,
                "tries_left": tries_left(device),
                "code_validity": CODE_VALIDITY,
                "next_send_at": device and otp_next_send_at(device),
                "cancel_url": reverse("home"),
            },
        )


# --- Settings: language, password, sessions ------------------------------


@method_decorator([login_required, never_cache], name="dispatch")
class AccountSettingsView(View):
    def get(self, request):
        form = LanguageForm(initial={"preferred_language": request.user.preferred_language})
        return self._render(form)

    def post(self, request):
        form = LanguageForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        identity.person_language_set(
            person=request.user, language=form.cleaned_data["preferred_language"]
        )
        messages.success(request, _("Your messages will now reach you in the language you chose."))
        return redirect("accounts:settings")

    def _render(self, form, status=200, email_form=None):
        entries = sessions.person_session_list(
            person=self.request.user, current_key=self.request.session.session_key
        )
        email_form = email_form or EmailForm(initial={"email": self.request.user.email})
        return render(
            self.request,
            "accounts/settings.html",
            {"language_form": form, "email_form": email_form, "sessions": entries},
            status=status,
        )


@method_decorator([login_required, never_cache], name="dispatch")
class EmailSettingsView(AccountSettingsView):
    def get(self, request):
        return redirect("accounts:settings")

    def post(self, request):
        form = EmailForm(request.POST)
        if not form.is_valid():
            language = LanguageForm(initial={"preferred_language": request.user.preferred_language})
            return self._render(language, status=400, email_form=form)
        email = form.cleaned_data["email"]
        if not email:
            identity.email_remove(person=request.user)
            messages.success(request, _("Your e-mail address was removed."))
        elif email == request.user.email and request.user.email_verified_at:
            messages.info(request, _("This address is already confirmed."))
        else:
            identity.email_verification_send(
                person=request.user,
                email=email,
                link_for=lambda token: request.build_absolute_uri(
                    reverse("accounts:email_verify", args=[token])
                ),
            )
            messages.success(
                request,
                _("We sent a link to %(email)s. Open it within %(validity)s to confirm it.")
                % {"email": email, "validity": duration_text(identity.EMAIL_LINK_VALIDITY)},
            )
        return redirect("accounts:settings")


@never_cache
@login_required
def email_verify(request, token):
    try:
        identity.email_verify(person=request.user, token=token)
    except identity.EmailLinkInvalid:
        messages.error(
            request,
            _("This link is not valid any more. Enter your e-mail address again for a new link."),
        )
    else:
        messages.success(request, _("Your e-mail address is confirmed."))
    return redirect("accounts:settings")


@login_required
@require_POST
def session_end(request, pk):
    ended = sessions.person_session_end(person=request.user, session_pk=pk)
    if ended:
        security_event(request, "sessions.ended", cause="one_session")
        messages.success(request, _("That session was signed out."))
    return redirect("accounts:settings")


@sensitive
class PasswordChangeView(StepUpRequiredMixin, View):
    stepup_purpose = OTPPurpose.PASSWORD_CHANGE

    def get(self, request):
        return self._render(PasswordChangeForm(person=request.user))

    def post(self, request):
        form = PasswordChangeForm(request.POST, person=request.user)
        if form.is_valid():
            try:
                person = identity.password_change(
                    person=request.user,
                    current_password=form.cleaned_data["current_password"],
                    new_password=form.cleaned_data["new_password1"],
                )
            except identity.WrongPassword:
                form.add_error("current_password", _("Your current password is not correct."))
            else:
                update_session_auth_hash(request, person)
                stepup_clear(request, purpose=self.stepup_purpose, scope="person")
                messages.success(
                    request, _("Your password was changed. Your other sessions were signed out.")
                )
                return redirect("accounts:settings")
        return self._render(form)

    def _render(self, form):
        return render(self.request, "accounts/password_change.html", {"form": form})


# --- My requests -------------------------------------------------------


@never_cache
@login_required
def request_history(request):
    """Every request of the person, of every kind, newest first, with its history."""
    kinds = {source.kind: source.label for source in history.history_sources()}
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds else ""
    statuses = dict(history.status_choices([kind] if kind else None))
    status = request.GET.get("status", "")
    status = status if status in statuses else ""
    page, rows = history.request_history_page(
        person=request.user, page_number=request.GET.get("page", 1), kind=kind, status=status
    )
    return render(
        request,
        "accounts/history.html",
        {
            "page": page,
            "rows": rows,
            "kinds": kinds.items(),
            "statuses": statuses.items(),
            "kind": kind,
            "status": status,
            "filtered": bool(kind or status),
            "page_query": "".join(
                f"{name}={value}&" for name, value in (("kind", kind), ("status", status)) if value
            ),
        },
    )


# --- Messages -----------------------------------------------------------


@never_cache
@login_required
def inbox(request):
    page = Paginator(messaging_selectors.notification_list(person=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/inbox.html", {"page": page})


@never_cache
@login_required
def security(request):
    return render(
        request,
        "accounts/security.html",
        {"data_accesses": audit.data_access_list(person=request.user)},
    )


@csrf_exempt
@require_POST
def sms_status_callback(request):
    """Twilio delivery reports; refused unless signed with our auth token."""
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    url = (
        settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()
        if settings.PUBLIC_BASE_URL
        else request.build_absolute_uri()
    )
    signature = request.headers.get("X-Twilio-Signature", "")
    if not settings.TWILIO_AUTH_TOKEN or not validator.validate(url, request.POST, signature):
        security_event(request, "webhook.bad_signature", outcome=FAILURE, source="twilio")
        return HttpResponseForbidden()
    notification_status_update(
        provider_id=request.POST.get("MessageSid", ""),
        provider_status=request.POST.get("MessageStatus", ""),
    )
    return HttpResponse(status=204)
