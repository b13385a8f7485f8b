"""Every page kind of the portal, for the browser checks (axe, reflow, language).

The list starts from the URL patterns: ``url_pattern_names()`` walks the
resolver, and ``test_every_url_pattern_has_a_page_case`` fails when a pattern
has neither a case here nor a reason in ``NOT_PAGES``. A new page is therefore
checked as soon as someone gives it a case, and cannot be forgotten.

A case names the person who looks at the page (``None``: nobody signed in),
what the session must already hold (a confirmed code, a registration in
progress) and, for error states, what to type before submitting the form.
"""

import dataclasses
import datetime
import io
import uuid

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_tasks_db.models import DBTaskResult
from simple_history.utils import get_history_model_for_model

from accounts import audit
from accounts.changes import account_change_propose
from accounts.constants import AccountChangeKind, OTPEventKind, OTPPurpose
from accounts.models import AccountChangeRequest, OTPEvent, Person
from accounts.staff_views import BACKUP_CODES_SESSION_KEY
from accounts.stepup import stepup_session_key
from activation.models import ChipRequest, CorrectionRequest, EService, PhotoRequest
from messaging.models import Notification
from residency.models import Application, Payment, ServiceCentre
from tests.activation.factories import (
    ActivationRequestFactory,
    CardServiceFactory,
    ChipRequestFactory,
    CorrectionRequestFactory,
    DeactivationRequestFactory,
    PhotoRequestFactory,
)
from tests.factories import PersonFactory
from tests.helpers import staff_authenticator
from tests.residency.factories import (
    ApplicationFactory,
    PublicHolidayFactory,
    ResidentFactory,
    epayment_on,
)

CITIZEN_QID = "28563400001"
RESIDENT_QID = "27535600008"
APPLICANT_QID = "27960800011"
UNREGISTERED_QID = "29163400009"
ADMIN_QID = "28063400100"
REVIEWER_QID = "28163400101"
CLERK_QID = "28263400102"
SUPPORT_QID = "28363400103"

# Patterns that answer with something other than a page a person reads.
NOT_PAGES = {
    "healthz": "plain-text health check for the load balancer",
    "healthz_live": "JSON liveness check for the process supervisor",
    "healthz_ready": "JSON readiness check for the load balancer",
    "metrics": "Prometheus metrics, never served through the public proxy",
    "sms_status_callback": "webhook for the SMS provider",
    "accounts:logout": "POST only; redirects to the sign-in page",
    "accounts:sign_out_everywhere": "POST only; redirects to the sign-in page",
    "accounts:keep_alive": "POST only; answers JSON to the session script",
    "residency:apply": "redirects to the step where the draft was left",
    "activation:history": "redirects to accounts:history (one history of every request)",
    "accounts:email": "POST only (the form is on the settings page); GET redirects there",
    "accounts:email_verify": "confirms the link and redirects to the settings page",
    "accounts:session_end": "POST only; redirects to the settings page",
    "residency:appointment_ics": "calendar file download",
    "residency:document": "uploaded document download",
    "residency:receipt_pdf": "PDF download of a receipt (its text is checked in test_payments)",
    "activation:photo": "image file",
    "activation:person_photo": "image file",
    "activation:photo_request_image": "image file",
    "accounts:staff_enrol_qr": "QR code image of the authenticator secret",
    "admin:otp_totp_totpdevice_qrcode": "QR code image of a device's secret",
    "admin:logout": "POST only; redirects to the admin sign-in page",
    "admin:autocomplete": "JSON for the admin's autocomplete widgets",
    "admin:jsi18n": "JavaScript catalogue",
    "admin:view_on_site": "redirects to the object on the portal",
    "admin:None": "unnamed admin patterns redirect to the change page",
}


@dataclasses.dataclass(frozen=True)
class PageCase:
    pattern: str
    kind: str
    role: str
    viewer: str | None  # QID of the signed-in person, None when nobody is signed in
    args: tuple = ()
    query: str = ""
    session: tuple = ()  # (key, value) pairs the session holds before the page loads
    errors: dict | None = None  # submit the form with these values (by field name) to see errors
    status: int = 200

    def url(self, language: str) -> str:
        with translation.override(language):
            path = reverse(self.pattern, args=self.args)
        return f"{path}?{self.query}" if self.query else path

    def label(self, language: str) -> str:
        return f"{self.role} {language} {self.pattern} ({self.kind})"


def url_pattern_names() -> set[str]:
    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                joined = f"{namespace}:{inner}" if namespace and inner else namespace or inner
                yield from walk(pattern.url_patterns, joined)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)

    return set(walk(get_resolver().url_patterns, ""))


# --- The world the pages are looked at in ---------------------------------------------


@dataclasses.dataclass
class World:
    people: dict
    card_pk: int
    active_service: str
    available_service: str
    activation_reference: str
    submitted_reference: str
    more_info_reference: str
    booked_reference: str
    booked_qid: str
    more_info_qid: str
    empty_qid: str
    newcomer_qid: str
    admin_objects: dict  # admin URL name -> args
    person_pk_for_support: int


def build_world() -> World:
    """The demo data of ``make run`` plus the states the demo does not reach."""

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_residency_demo", stdout=io.StringIO())
    people = {p.qid: p for p in Person.objects.all()}
    citizen = people[CITIZEN_QID]
    card = citizen.cards.order_by("pk").first()

    service, available = EService.objects.order_by("pk")[:2]
    CardServiceFactory(card=card, service=service)
    activation = ActivationRequestFactory(person=citizen, card=card, completed=True)
    ChipRequestFactory(person=citizen, card=card)
    CorrectionRequestFactory(person=citizen)
    PhotoRequestFactory(person=people["29363400007"])

    centre = ServiceCentre.objects.order_by("pk").first()
    ApplicationFactory(
        person=people[RESIDENT_QID],
        preferred_centre=centre,
        documents=True,
        application_fee_paid=True,
    )
    submitted = Application.objects.filter(person__qid=APPLICANT_QID).first()
    more_info = ApplicationFactory(
        person=ResidentFactory(name_en="Priya Raman"),
        preferred_centre=centre,
        more_info_requested=True,
        documents=True,
    )
    booked = ApplicationFactory(
        person=ResidentFactory(name_en="Joseph Mathew"),
        preferred_centre=centre,
        appointment_booked=True,
        documents=True,
    )
    epayment_on(booked.person)
    empty = PersonFactory(name_en="Salem Al-Obaidli")

    _admin_rows(world_people=people, citizen=citizen, card=card, service=service)

    Notification.objects.filter(person=empty).delete()
    return World(
        people=people,
        card_pk=card.pk,
        active_service=service.code,
        available_service=available.code,
        activation_reference=activation.reference,
        submitted_reference=submitted.reference,
        more_info_reference=more_info.reference,
        booked_reference=booked.reference,
        booked_qid=booked.person.qid,
        more_info_qid=more_info.person.qid,
        empty_qid=empty.qid,
        newcomer_qid=PersonFactory(staff=True, name_en="Noor Al-Jaber").qid,
        admin_objects={},
        person_pk_for_support=citizen.pk,
    )


def _admin_rows(*, world_people, citizen, card, service):
    """A row in every admin register, so each change and history page has something."""

    for qid in (ADMIN_QID, REVIEWER_QID, CLERK_QID, SUPPORT_QID):
        staff_authenticator(world_people[qid])
    StaticDevice.objects.create(user=world_people[ADMIN_QID], name="Backup codes")
    DeactivationRequestFactory(person=citizen, card=card)
    account_change_propose(
        person=citizen,
        kind=AccountChangeKind.MOBILE,
        actor=world_people[SUPPORT_QID],
        reason="Caller lost the phone; identity checked at the counter",
        new_mobile="+97466123456",
    )
    service.save()  # a past version in the change history
    PublicHolidayFactory(date=timezone.localdate() + datetime.timedelta(days=40))
    OTPEvent.objects.create(
        person=citizen, purpose=OTPPurpose.ESERVICES, number=citizen.mobile, kind=OTPEventKind.SENT
    )
    audit.data_access_record(
        actor=world_people[SUPPORT_QID],
        person=citizen,
        what=lambda: "Personal record",
        reason="Caller asked about their card",
    )
    access = {
        "user_agent": "Mozilla/5.0",
        "ip_address": "127.0.0.1",
        "username": CITIZEN_QID,
        "http_accept": "text/html",
        "path_info": "/ar/accounts/sign-in/",
    }
    AccessAttempt.objects.create(**access, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**access)
    AccessLog.objects.create(**access)
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"notification_id": 1}},
        task_path="messaging.tasks.notification_send_task",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


UNVERIFIED = "second factor not entered yet"


def session_cookie(viewer: Person | None, session: tuple) -> str:
    """A session as if the person had signed in (staff with their second factor,
    unless ``session`` holds UNVERIFIED) and confirmed what ``session`` says."""

    stored = Client().session
    now = timezone.now().timestamp()
    if viewer is not None:
        stored[SESSION_KEY] = str(viewer.pk)
        stored[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        stored[HASH_SESSION_KEY] = viewer.get_session_auth_hash()
        if viewer.is_staff and (UNVERIFIED, True) not in session:
            stored[DEVICE_ID_SESSION_KEY] = staff_authenticator(viewer).persistent_id
    for key, value in session:
        if key != UNVERIFIED:
            stored[key] = now if value == "now" else value
    stored.save()
    return stored.session_key


# --- The cases ---------------------------------------------------------------------------


def portal_cases(world: World) -> list[PageCase]:
    card = (world.card_pk,)
    eservices = ((stepup_session_key(OTPPurpose.ESERVICES, f"card:{world.card_pk}"), "now"),)
    resident = world.people[RESIDENT_QID]

    draft = Application.objects.get(person=resident, status="draft")
    receipt = Payment.objects.filter(person__qid=APPLICANT_QID).order_by("pk").first()
    declaration = (
        (
            stepup_session_key(OTPPurpose.RESIDENCY_SUBMISSION, f"application:{draft.reference}"),
            "now",
        ),
    )
    registering = (
        (
            "identity_flow",
            {
                "flow": "register",
                "id": str(uuid.uuid4()),
                "failures": 0,
                "sent_at": timezone.now().timestamp(),
            },
        ),
    )
    resetting = (
        (
            "identity_flow",
            {
                "flow": "reset",
                "id": str(uuid.uuid4()),
                "failures": 0,
                "sent_at": timezone.now().timestamp(),
            },
        ),
    )
    unregistered = world.people[UNREGISTERED_QID].pk
    verified = lambda flow: (  # noqa: E731
        (
            "identity_verified",
            {"flow": flow, "person": unregistered, "at": timezone.now().timestamp()},
        ),
    )
    password = ((stepup_session_key(OTPPurpose.PASSWORD_CHANGE, "person"), "now"),)
    mobile = (("activation:mobile_change", {"number": "+97455512345", "step": "new"}),)
    weak = {"new_password1": "short", "new_password2": "other"}
    P = PageCase
    c, r = CITIZEN_QID, RESIDENT_QID
    return [
        # Nobody signed in.
        P("home", "home", "public", None),
        P("accounts:login", "sign-in form", "public", None),
        P("accounts:login", "sign-in form with errors", "public", None, errors={}),
        P("accounts:register", "registration start", "public", None),
        P(
            "accounts:register",
            "registration start with errors",
            "public",
            None,
            errors={"qid": "123"},
        ),
        P("accounts:register_code", "registration code", "public", None, session=registering),
        P(
            "accounts:register_code",
            "registration code with errors",
            "public",
            None,
            session=registering,
            errors={},
        ),
        P(
            "accounts:register_password",
            "registration password",
            "public",
            None,
            session=verified("register"),
        ),
        P(
            "accounts:register_password",
            "registration password with errors",
            "public",
            None,
            session=verified("register"),
            errors=weak,
        ),
        P("accounts:reset", "password reset start", "public", None),
        P("accounts:reset", "password reset start with errors", "public", None, errors={}),
        P("accounts:reset_code", "password reset code", "public", None, session=resetting),
        P(
            "accounts:reset_password",
            "password reset password",
            "public",
            None,
            session=verified("reset"),
        ),
        P(
            "accounts:reset_password",
            "password reset password with errors",
            "public",
            None,
            session=verified("reset"),
            errors=weak,
        ),
        P("accounts:sandbox_inbox", "SMS sandbox (full)", "public", None),
        P(
            "accounts:sandbox_inbox",
            "SMS sandbox (empty)",
            "public",
            None,
            query="number=%2B97400000000",
        ),
        P("residency:home", "residency services, signed out", "public", None),
        # A citizen.
        P("home", "home, signed in", "citizen", c),
        P("accounts:inbox", "messages (full)", "citizen", c),
        P("accounts:inbox", "messages (empty)", "citizen", world.empty_qid),
        P("accounts:security", "sign-in and security", "citizen", c),
        P(
            "accounts:stepup",
            "code behind a sensitive step",
            "citizen",
            c,
            query=f"purpose=eservices&scope=card:{world.card_pk}&next=/",
        ),
        P(
            "accounts:stepup",
            "code behind a sensitive step with errors",
            "citizen",
            c,
            query=f"purpose=eservices&scope=card:{world.card_pk}&next=/",
            errors={},
        ),
        P("activation:overview", "cards", "citizen", c),
        P("dashboard", "dashboard", "citizen", c),
        P("dashboard", "dashboard (nothing yet)", "citizen", world.empty_qid),
        P("dashboard", "dashboard", "resident", APPLICANT_QID),
        P("accounts:settings", "account settings", "citizen", c),
        P(
            "accounts:password_change",
            "change password (behind a code)",
            "citizen",
            c,
            session=password,
        ),
        P(
            "accounts:password_change",
            "change password with errors",
            "citizen",
            c,
            session=password,
            errors={"new_password1": "short", "new_password2": "other"},
        ),
        P(
            "activation:catalogue",
            "e-service catalogue (behind a code)",
            "citizen",
            c,
            card,
            session=eservices,
        ),
        P(
            "activation:catalogue",
            "e-service catalogue with errors",
            "citizen",
            c,
            card,
            session=eservices,
            errors={},
        ),
        P(
            "activation:review",
            "activation review (behind a code)",
            "citizen",
            c,
            card,
            query=f"services={world.available_service}",
            session=eservices,
            status=200,
        ),
        P(
            "activation:deactivate",
            "deactivation (behind a code)",
            "citizen",
            c,
            (world.card_pk, world.active_service),
            session=eservices,
        ),
        P("activation:chip_request", "chip activation request", "citizen", c, card),
        P("accounts:history", "requests (full)", "citizen", c),
        P("accounts:history", "requests (empty)", "citizen", world.empty_qid),
        P(
            "activation:request_done",
            "request complete",
            "citizen",
            c,
            (world.activation_reference,),
        ),
        P("activation:profile", "my data", "citizen", c),
        P("activation:correction", "correction request", "citizen", c),
        P("activation:correction", "correction request with errors", "citizen", c, errors={}),
        P("activation:mobile_change", "mobile change", "citizen", c),
        P(
            "activation:mobile_change",
            "mobile change with errors",
            "citizen",
            c,
            errors={"mobile": "12"},
        ),
        P("activation:mobile_code", "mobile change code", "citizen", c, session=mobile),
        P(
            "activation:mobile_code",
            "mobile change code with errors",
            "citizen",
            c,
            session=mobile,
            errors={},
        ),
        P("activation:photo_upload", "photo upload", "citizen", c),
        P("activation:photo_upload", "photo upload with errors", "citizen", c, errors={}),
        P("residency:home", "residency services (not eligible)", "citizen", c),
        # A resident: the draft at every step, then applications in each state.
        P("residency:home", "residency services (draft open)", "resident", r),
        P("residency:home", "residency services (list of applications)", "resident", APPLICANT_QID),
        P("residency:step_personal", "form step: personal data", "resident", r),
        P("residency:step_basis", "form step: basis", "resident", r),
        P(
            "residency:step_basis",
            "form step: basis with errors",
            "resident",
            r,
            errors={"basis": None},
        ),
        P("residency:step_residence", "form step: days outside Qatar", "resident", r),
        P(
            "residency:step_residence",
            "form step: days outside Qatar with errors",
            "resident",
            r,
            errors={"*": "-1"},
        ),
        P("residency:step_employment", "form step: employment", "resident", r),
        P(
            "residency:step_employment",
            "form step: employment with errors",
            "resident",
            r,
            errors={"*": "", "monthly_income": "abc"},
        ),
        P("residency:step_centre", "form step: service centre", "resident", r),
        P(
            "residency:step_centre",
            "form step: service centre with errors",
            "resident",
            r,
            errors={"preferred_centre": None},
        ),
        P("residency:step_documents", "form step: documents", "resident", r),
        P("residency:step_documents", "form step: documents with errors", "resident", r, errors={}),
        P("residency:step_review", "form step: review", "resident", r),
        P(
            "residency:step_declaration",
            "form step: declaration (behind a code)",
            "resident",
            r,
            session=declaration,
        ),
        P(
            "residency:step_declaration",
            "form step: declaration with errors",
            "resident",
            r,
            session=declaration,
            errors={},
        ),
        P(
            "residency:status",
            "application status (submitted)",
            "resident",
            APPLICANT_QID,
            (world.submitted_reference,),
        ),
        P(
            "residency:withdraw",
            "withdraw application",
            "resident",
            APPLICANT_QID,
            (world.submitted_reference,),
        ),
        P(
            "residency:status",
            "application status (more information asked)",
            "resident",
            world.more_info_qid,
            (world.more_info_reference,),
        ),
        P(
            "residency:more_information",
            "send more information",
            "resident",
            world.more_info_qid,
            (world.more_info_reference,),
        ),
        P(
            "residency:more_information",
            "send more information with errors",
            "resident",
            world.more_info_qid,
            (world.more_info_reference,),
            errors={},
        ),
        P(
            "residency:status",
            "application status (appointment booked)",
            "resident",
            world.booked_qid,
            (world.booked_reference,),
        ),
        P(
            "residency:appointment",
            "card collection appointment",
            "resident",
            world.booked_qid,
            (world.booked_reference,),
        ),
        P(
            "residency:reschedule",
            "reschedule appointment",
            "resident",
            world.booked_qid,
            (world.booked_reference,),
        ),
        P(
            "residency:fee",
            "application fee (paid)",
            "resident",
            r,
            (draft.reference, "application"),
        ),
        P(
            "residency:fee",
            "card fee to pay",
            "resident",
            world.booked_qid,
            (world.booked_reference, "card"),
        ),
        P(
            "residency:fee",
            "card fee, not payable yet",
            "resident",
            world.more_info_qid,
            (world.more_info_reference, "card"),
        ),
        P(
            "residency:fee_pay",
            "confirm a payment (behind a code)",
            "resident",
            world.booked_qid,
            (world.booked_reference, "card"),
            session=(
                (
                    stepup_session_key(
                        OTPPurpose.PAYMENT, f"payment:{world.booked_reference}:card"
                    ),
                    "now",
                ),
            ),
        ),
        P("residency:receipt", "payment receipt", "resident", APPLICANT_QID, (receipt.reference,)),
    ]


# --- Admin: every page of every registered model, for the groups that use it -------------


# Admin pages left out of the axe check, each with its reason (none today: a
# page that fails gets fixed, not listed here).
ADMIN_GAPS: dict[str, str] = {}
# One register shows the admin's shared page kinds (history, delete, a past
# version, an empty search, an add form with errors); the others use the same
# templates.
ADMIN_SAMPLE = "residency_servicecentre"


def admin_cases(world: World) -> list[PageCase]:
    """The administrator's view of every register; each group the pages of its work."""
    superuser = world.people[ADMIN_QID]
    request = RequestFactory().get("/")
    request.user = superuser
    P = PageCase
    a = ("administrator", ADMIN_QID)
    cases = [
        P("admin:index", "admin home", *a),
        P("admin:login", "admin sign-in", "public", None),
        P("admin:login", "admin sign-in with errors", "public", None, errors={}),
        P("admin:password_change", "change own password", *a),
        P("admin:password_change_done", "password changed", *a),
    ]
    app_labels = set()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        app_labels.add(opts.app_label)
        key = f"{opts.app_label}_{opts.model_name}"
        name = f"admin:{key}"
        sample = key == ADMIN_SAMPLE
        plural = str(opts.verbose_name_plural)
        cases.append(P(f"{name}_changelist", f"{plural} (full)", *a))
        if model_admin.has_add_permission(request):
            cases.append(P(f"{name}_add", f"add {opts.verbose_name}", *a))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            cases.append(P(f"{name}_change", str(opts.verbose_name), *a, (obj.pk,)))
        if not sample:
            continue
        cases += [
            P(f"{name}_changelist", f"{plural} (empty search)", *a, query="q=no-such-thing"),
            P(f"{name}_add", f"add {opts.verbose_name} with errors", *a, errors={}),
            P(f"{name}_history", f"{opts.verbose_name} history", *a, (obj.pk,)),
            P(f"{name}_delete", f"delete {opts.verbose_name}", *a, (obj.pk,)),
        ]
        past = get_history_model_for_model(model).objects.filter(**{opts.pk.attname: obj.pk})
        cases.append(
            P(
                f"{name}_simple_history",
                f"{opts.verbose_name}: one past version",
                *a,
                (obj.pk, past.order_by("history_id").first().history_id),
            )
        )
    cases = [case for case in cases if case.pattern not in ADMIN_GAPS]
    for label in sorted(app_labels):
        cases.append(P("admin:app_list", f"{label} models", *a, (label,)))
    return cases + _group_cases(world, request)


def _authenticator_pk(world: World, qid: str) -> int:

    return staff_authenticator(world.people[qid]).pk


def staff_sign_in_cases(world: World) -> list[PageCase]:
    """The second factor of staff sign-in (portal pages, before admin)."""

    newcomer = world.newcomer_qid
    unverified = ((UNVERIFIED, True),)
    codes = ((BACKUP_CODES_SESSION_KEY, ["k3m9-x7q2", "p4t8-w2n6", "b5r7-c9d3"]),)
    P = PageCase
    return [
        P(
            "accounts:staff_verify",
            "authenticator code",
            "reviewer",
            REVIEWER_QID,
            session=unverified,
        ),
        P(
            "accounts:staff_verify",
            "authenticator code with errors",
            "reviewer",
            REVIEWER_QID,
            session=unverified,
            errors={"code": "12"},
        ),
        P(
            "accounts:staff_enrol",
            "authenticator set-up",
            "new staff",
            newcomer,
            session=unverified,
        ),
        P(
            "accounts:staff_enrol",
            "authenticator set-up with errors",
            "new staff",
            newcomer,
            session=unverified,
            errors={"code": "12"},
        ),
        P(
            "accounts:staff_backup_codes",
            "backup codes shown once",
            "new staff",
            ADMIN_QID,
            session=codes,
        ),
    ]


def admin_pages_of_the_sample_kind() -> dict[str, str]:
    """History, delete and past-version pages of every register: the sample's kind."""
    same = {}
    for model in admin.site._registry:
        key = f"{model._meta.app_label}_{model._meta.model_name}"
        if key != ADMIN_SAMPLE:
            for view in ("history", "delete", "simple_history"):
                same[f"admin:{key}_{view}"] = f"same admin template as admin:{ADMIN_SAMPLE}_{view}"
    return same


def _group_cases(world: World, request) -> list[PageCase]:

    submitted = Application.objects.get(reference=world.submitted_reference)
    booked = Application.objects.get(reference=world.booked_reference)
    person_pk = world.person_pk_for_support
    reason = (("pii_reason", "Caller asked about their card"),)
    P = PageCase
    cases = [
        P("admin:accounts_person_import", "register import", "administrator", ADMIN_QID),
        # Refused by design: the secret is never shown in admin
        # (OTP_ADMIN_HIDE_SENSITIVE_DATA); staff set up their app on the portal.
        P(
            "admin:otp_totp_totpdevice_config",
            "authenticator set-up (refused)",
            "administrator",
            ADMIN_QID,
            (_authenticator_pk(world, ADMIN_QID),),
            status=403,
        ),
        P(
            "admin:accounts_person_import",
            "register import with errors",
            "administrator",
            ADMIN_QID,
            errors={},
        ),
        # Refused by design: nobody sets another person's password.
        P(
            "admin:auth_user_password_change",
            "set a password (refused)",
            "administrator",
            ADMIN_QID,
            (person_pk,),
            status=403,
        ),
    ]
    for model in (ChipRequest, CorrectionRequest, PhotoRequest):
        obj = model.objects.order_by("pk").first()
        name = f"admin:activation_{model._meta.model_name}_decide"
        cases.append(
            P(name, f"decide a {model._meta.verbose_name}", "administrator", ADMIN_QID, (obj.pk,))
        )
        cases.append(
            P(
                name,
                f"decide a {model._meta.verbose_name} with errors",
                "administrator",
                ADMIN_QID,
                (obj.pk,),
                errors={},
            )
        )
    change = AccountChangeRequest.objects.order_by("pk").first()
    cases.append(
        P(
            "admin:accounts_accountchangerequest_decide",
            "decide an account change",
            "administrator",
            ADMIN_QID,
            (change.pk,),
        )
    )
    for role, qid in (("reviewer", REVIEWER_QID), ("clerk", CLERK_QID), ("support", SUPPORT_QID)):
        cases.append(P("admin:index", "admin home with work waiting", role, qid))
    cases += [
        P("admin:residency_application_changelist", "applications", "reviewer", REVIEWER_QID),
        P(
            "admin:residency_application_change",
            "application",
            "reviewer",
            REVIEWER_QID,
            (submitted.pk,),
        ),
        P(
            "admin:residency_application_decide",
            "decision",
            "reviewer",
            REVIEWER_QID,
            (submitted.pk,),
        ),
        P(
            "admin:residency_application_decide",
            "decision with errors",
            "reviewer",
            REVIEWER_QID,
            (submitted.pk,),
            errors={"outcome": None},
        ),
        P(
            "admin:residency_application_rebook",
            "rebook appointment",
            "reviewer",
            REVIEWER_QID,
            (booked.pk,),
        ),
        P("admin:residency_appointment_changelist", "appointments", "clerk", CLERK_QID),
        P(
            "admin:residency_application_change",
            "application with appointment",
            "clerk",
            CLERK_QID,
            (booked.pk,),
        ),
        P(
            "admin:residency_application_collect",
            "record collection",
            "clerk",
            CLERK_QID,
            (booked.pk,),
        ),
        P(
            "admin:residency_application_collect",
            "record collection with errors",
            "clerk",
            CLERK_QID,
            (booked.pk,),
            errors={},
        ),
        P("admin:accounts_person_changelist", "people", "support", SUPPORT_QID),
        P(
            "admin:accounts_person_reason",
            "reason for viewing personal data",
            "support",
            SUPPORT_QID,
            query="next=/",
        ),
        P(
            "admin:accounts_person_reason",
            "reason with errors",
            "support",
            SUPPORT_QID,
            query="next=/",
            errors={},
        ),
        P(
            "admin:accounts_person_change",
            "personal record",
            "support",
            SUPPORT_QID,
            (person_pk,),
            session=reason,
        ),
        P(
            "admin:accounts_person_support",
            "account support",
            "support",
            SUPPORT_QID,
            (person_pk,),
            session=reason,
        ),
        P(
            "admin:accounts_person_support",
            "account support",
            "administrator",
            ADMIN_QID,
            (person_pk,),
            session=reason,
        ),
    ]
    return cases


def all_cases(world: World) -> list[PageCase]:
    return portal_cases(world) + staff_sign_in_cases(world) + admin_cases(world)


def admin_pages_nobody_opens() -> dict[str, str]:
    """Admin pages that no one may open (read-only registers): nothing to check."""
    superuser = Person.objects.get(qid=ADMIN_QID)
    request = RequestFactory().get("/")
    request.user = superuser
    closed = {"admin:accounts_person_import_report": "CSV download"}
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if not model_admin.has_add_permission(request):
            closed[f"{name}_add"] = "nobody may add here (read-only register)"
        if not model_admin.has_delete_permission(request):
            closed[f"{name}_delete"] = "nobody may delete here (read-only register)"
    return closed
