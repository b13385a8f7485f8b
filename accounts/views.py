import datetime
from dataclasses import dataclass

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
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from accounts import audit, conf, history, identity, lockout, selectors, sessions
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
    EXPIRED,
    NO_CODE,
    VOID,
    WRONG,
    OTPCheck,
    OTPRefused,
    code_policy,
    otp_device,
    otp_next_send_at,
    otp_send,
    otp_verify,
    tries_left,
)
from accounts.policies import password_reset_hold
from accounts.security_log import FAILURE, person_id_for_qid, security_event
from accounts.stepup import StepUpRequiredMixin, stepup_clear, stepup_grant
from accounts.validators import mask_mobile
from messaging import selectors as messaging_selectors
from messaging.notifications import notification_status_update
from moi_portal import shared_pages
from moi_portal.metrics import signin_refusals

sensitive = method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")


@sensitive
class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        # The empty form is the same for every visitor reading in one language,
        # and holds nothing from the database.
        return shared_pages.shared_page(
            request,
            "sign_in",
            lambda: super(SignInView, self).get(request, *args, **kwargs),
            from_release_only=True,
        )

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
    until = until or timezone.now() + datetime.timedelta(seconds=conf.settings.IP_FAILURE_WINDOW)
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


# --- Code pages: one view for every code texted to confirm a step -------

AFTER_SEND_KEY = "code_page_after_send"


def code_error(reason: str) -> str:
    """The one text for each reason a code was not accepted."""
    return {
        EXPIRED: _("This code has expired. Ask for a new code."),
        VOID: _("Too many wrong codes: this code can no longer be used. Ask for a new code."),
        NO_CODE: _("There is no code waiting for you. Ask for a new code."),
    }.get(reason, _("The code is not correct. Check the text message and try again."))


@dataclass(frozen=True)
class CodeState:
    """What the code page shows about the current code."""

    sent: bool
    tries_left: int
    next_send_at: datetime.datetime | None


def code_page_context(*, form, state: CodeState, after_send: bool, **extra) -> dict:
    """The context of ``accounts/code.html``. Right after asking for a code the
    page says only what became of it (sent, or when to ask again), not also
    when the next one may be asked for."""
    return {
        "form": form,
        "code_sent": state.sent,
        "tries_left": state.tries_left,
        "code_validity": code_policy.validity,
        "next_send_at": None if after_send else state.next_send_at,
        **extra,
    }


class CodeConfirmView(View):
    """A page that confirms a step with a one-time code texted to a number.

    A GET only shows the page; codes are sent by a POST (the form that leads
    here, or the page's send button). Subclasses fill in the hooks: which
    number (``get_number``), how a code is sent (``send_code``), how one is
    checked (``check_code``), what the page says about the current code
    (``code_state``) and what happens once it is verified (``code_verified``).
    """

    purpose: str = ""
    flow: str = ""
    invalid_status = 200
    sent_message: str = ""

    def get_number(self) -> str | None:
        """The number the code goes to; None when the page must not show it."""
        return None

    def send_code(self) -> None:
        """Send a code; raise ``OTPRefused`` when one cannot be sent now."""
        raise NotImplementedError

    def check_code(self, code: str) -> OTPCheck:
        raise NotImplementedError

    def code_state(self) -> CodeState:
        raise NotImplementedError

    def code_verified(self):
        raise NotImplementedError

    def get_cancel_url(self) -> str:
        return ""

    def dispatch(self, request, *args, **kwargs):
        self.after_send = request.session.pop(AFTER_SEND_KEY, None) == request.path
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_page(CodeForm(), after_send=self.after_send)

    def post(self, request, *args, **kwargs):
        if "resend" in request.POST:
            self.send()
            return redirect(request.get_full_path())
        form = CodeForm(request.POST)
        if form.is_valid():
            check = self.check_code(form.cleaned_data["code"])
            if check:
                return self.code_verified()
            form.add_error("code", code_error(check.reason))
        return self.render_page(form, status=self.invalid_status)

    def send(self) -> bool:
        self.request.session[AFTER_SEND_KEY] = self.request.path
        try:
            self.send_code()
        except OTPRefused as refused:
            messages.error(self.request, refused.messages[0])
            return False
        if self.sent_message:
            messages.success(self.request, self.sent_message)
        return True

    def render_page(self, form, *, status=200, after_send=False):
        number = self.get_number()
        context = code_page_context(
            form=form,
            state=self.code_state(),
            after_send=after_send,
            flow=self.flow,
            purpose_label=OTPPurpose(self.purpose).label if number else "",
            masked_number=mask_mobile(number) if number else None,
            cancel_url=self.get_cancel_url(),
        )
        return render(self.request, "accounts/code.html", context, status=status)


class DeviceCodeView(CodeConfirmView):
    """A code page for a signed-in person: the code goes to their SMS device
    for ``purpose`` and the number from ``get_number``."""

    def get_number(self) -> str:
        return self.request.user.mobile

    def device(self):
        return otp_device(person=self.request.user, purpose=self.purpose, number=self.get_number())

    def send_code(self) -> None:
        otp_send(person=self.request.user, purpose=self.purpose, number=self.get_number())

    def check_code(self, code: str) -> OTPCheck:
        return otp_verify(
            person=self.request.user, purpose=self.purpose, code=code, number=self.get_number()
        )

    def code_state(self) -> CodeState:
        device = self.device()
        return CodeState(
            sent=bool(device and device.challenge_open()),
            tries_left=tries_left(device) if device else code_policy.max_failures,
            next_send_at=device and otp_next_send_at(device),
        )


# --- Registration and password reset ------------------------------------

FLOW_KEY = "identity_flow"
VERIFIED_KEY = "identity_verified"
FLOWS = {
    "register": OTPPurpose.REGISTRATION,
    "reset": OTPPurpose.PASSWORD_RESET,
}


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
class IdentityCodeView(CodeConfirmView):
    """The code page of registration and reset. What it shows comes from this
    session alone, never from the register, so it reveals nothing about a QID:
    the code policy is applied to the session's own count and send time."""

    flow = "register"
    sent_message = gettext_lazy("If the details match, a new code is on its way.")

    @property
    def purpose(self) -> str:
        return FLOWS[self.flow]

    def dispatch(self, request, *args, **kwargs):
        self.state = _flow(request, self.flow)
        if self.state is None:
            return redirect(f"accounts:{self.flow}")
        return super().dispatch(request, *args, **kwargs)

    @property
    def sent_at(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.state["sent_at"], tz=datetime.UTC)

    def code_state(self) -> CodeState:
        allowed, info = code_policy.generate_is_allowed(last_sent_at=self.sent_at)
        return CodeState(
            sent=True,
            tries_left=code_policy.tries_left(self.state["failures"]),
            next_send_at=None if allowed else info["next_allowed_at"],
        )

    def send_code(self) -> None:
        allowed, info = code_policy.generate_is_allowed(last_sent_at=self.sent_at)
        if not allowed:
            raise code_policy.refusal(info)
        identity.identity_resend(flow_id=self.state["id"])
        self.state["failures"] = code_policy.failures_for_new_code(self.state["failures"])
        self.state["sent_at"] = code_policy._now().timestamp()
        self.request.session.modified = True

    def check_code(self, code: str) -> OTPCheck:
        allowed, info = code_policy.verify_is_allowed(
            failures=self.state["failures"], valid_until=code_policy.valid_until(self.sent_at)
        )
        if not allowed:
            return OTPCheck(False, info["reason"], 0)
        self.person, check = identity.identity_verify(
            flow_id=self.state["id"], purpose=self.purpose, code=code
        )
        if check:
            return check
        self.state["failures"] += 1
        self.request.session.modified = True
        # Only what this session knows decides the message: the register's
        # answer ("no code was sent to this QID") would reveal the QID.
        failures = self.state["failures"]
        return OTPCheck(
            False,
            VOID if code_policy.is_void(failures) else WRONG,
            code_policy.tries_left(failures),
        )

    def code_verified(self):
        self.request.session[VERIFIED_KEY] = {
            "flow": self.flow,
            "person": self.person.pk,
            "at": timezone.now().timestamp(),
        }
        return redirect(f"accounts:{self.flow}_password")


@sensitive
class IdentityPasswordView(View):
    flow = "register"

    def dispatch(self, request, *args, **kwargs):
        state = request.session.get(VERIFIED_KEY)
        verified_for = conf.settings.ACCOUNTS_IDENTITY_VERIFIED_FOR.total_seconds()
        fresh = state and timezone.now().timestamp() - state["at"] < verified_for
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
    OTPPurpose.PAYMENT,
}


@method_decorator([login_required, sensitive_post_parameters(), never_cache], name="dispatch")
class StepUpView(DeviceCodeView):
    flow = "stepup"

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

    def get_cancel_url(self) -> str:
        return reverse("home")

    def code_verified(self):
        stepup_grant(self.request, purpose=self.purpose, scope=self.scope)
        return redirect(self.next_url)


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
                % {
                    "email": email,
                    "validity": duration_text(conf.settings.ACCOUNTS_EMAIL_LINK_VALIDITY),
                },
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
