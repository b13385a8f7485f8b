"""One security event log: JSON lines with event, outcome, person id, client
address and request id, and never a secret or a direct identifier."""

import datetime
import json
import logging
import uuid

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import translation

from accounts import identity
from accounts.constants import OTPPurpose
from accounts.models import PersonDataAccess
from accounts.otp import otp_send, otp_verify
from accounts.security_log import security_event
from accounts.stepup import stepup_grant
from activation.models import ChipRequest
from residency import services as residency_services
from tests.accounts.conftest import last_code
from tests.accounts.test_second_factor import code_for, password_sign_in
from tests.factories import DEFAULT_PASSWORD, PersonFactory, SmartCardFactory
from tests.helpers import staff_authenticator
from tests.residency.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/en/accounts/sign-in/"
PROXY = {"HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.5"}


class Lines(logging.Handler):
    """The security logger's lines, formatted as in production."""

    def __init__(self, configured: logging.Handler):
        super().__init__()
        self.setFormatter(configured.formatter)
        for log_filter in configured.filters:
            self.addFilter(log_filter)
        self.raw: list[str] = []

    def emit(self, record):
        self.raw.append(self.format(record))

    @property
    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.raw]

    def named(self, event: str) -> list[dict]:
        return [line for line in self.events if line["event"] == event]


@pytest.fixture
def security_lines():
    security = logging.getLogger("moi_portal.security")
    handler = Lines(security.handlers[0])
    security.addHandler(handler)
    yield handler
    security.removeHandler(handler)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def person():
    return PersonFactory(
        qid="28563400001",
        name_en="Mariam Khalid",
        mobile="+97455123456",
        preferred_language="ar",
    )


def assert_nothing_secret(handler, *secrets):
    text = "\n".join(handler.raw)
    for secret in secrets:
        assert secret not in text


def test_a_sign_in_is_one_json_line_with_the_request_id_of_the_response(
    client, person, security_lines, behind_proxy
):
    response = client.post(SIGN_IN, {"username": person.qid, "password": DEFAULT_PASSWORD}, **PROXY)

    [line] = security_lines.named("signin")
    assert line["outcome"] == "success"
    assert line["person_id"] == person.pk
    assert line["client_ip"] == "203.0.113.5"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["logger"] == "moi_portal.security"
    assert line["level"] == "INFO"
    assert_nothing_secret(security_lines, person.qid, "Mariam", DEFAULT_PASSWORD)


def test_a_failed_sign_in_names_the_person_by_id_only(client, person, security_lines):
    client.post(SIGN_IN, {"username": person.qid, "password": "wrong password 123"})

    [line] = security_lines.named("signin")
    assert line["outcome"] == "failure"
    assert line["person_id"] == person.pk
    assert_nothing_secret(security_lines, person.qid, "wrong password 123")


def test_a_locked_qid_and_a_throttled_address_are_logged(client, settings, person, security_lines):
    for _ in range(5):
        client.post(SIGN_IN, {"username": person.qid, "password": "wrong password 123"})
    client.post(SIGN_IN, {"username": person.qid, "password": DEFAULT_PASSWORD})
    assert security_lines.named("signin.locked")[-1]["person_id"] == person.pk

    settings.IP_FAILURE_LIMIT = 1
    client.post(SIGN_IN, {"username": "28563499999", "password": DEFAULT_PASSWORD})
    [throttled] = security_lines.named("signin.throttled")
    assert throttled["outcome"] == "failure"
    assert throttled["client_ip"] == "127.0.0.1"


def test_a_well_formed_request_id_is_kept_and_anything_else_replaced(client):
    given = str(uuid.uuid4())
    assert client.get(SIGN_IN, HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given

    replaced = client.get(SIGN_IN, HTTP_X_REQUEST_ID='x" injected=1')["X-Request-ID"]
    assert replaced != 'x" injected=1'
    assert uuid.UUID(replaced)


def test_every_log_line_of_a_request_carries_its_request_id(client):
    root = logging.getLogger()
    console = next(h for h in root.handlers if h.filters)
    seen = []

    class Capture(logging.Handler):
        def emit(self, record):
            seen.append(console.format(record))

    capture = Capture()
    for log_filter in console.filters:
        capture.addFilter(log_filter)
    root.addHandler(capture)
    try:
        response = client.get("/en/no-such-page/")
    finally:
        root.removeHandler(capture)

    not_found = [line for line in seen if "Not Found" in line]
    assert not_found
    assert f"[{response['X-Request-ID']}]" in not_found[0]


def test_codes_sent_failed_voided_and_verified_never_show_the_code(
    person, security_lines, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(person=person, purpose=OTPPurpose.ESERVICES)
    code = last_code(sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=wrong)
    assert otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=code)
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(person=person, purpose=OTPPurpose.PASSWORD_RESET)
    for _ in range(5):
        otp_verify(person=person, purpose=OTPPurpose.PASSWORD_RESET, code=wrong)

    events = {line["event"] for line in security_lines.events}
    assert {"code.sent", "code.failed", "code.verified", "code.voided"} <= events
    assert security_lines.named("code.failed")[0]["outcome"] == "failure"
    assert all(line["person_id"] == person.pk for line in security_lines.events)
    assert_nothing_secret(security_lines, code, person.mobile, "55123456")


def test_password_reset_and_sign_out_everywhere_end_sessions(person, security_lines):
    identity.password_reset_complete(person=person, password="Lantern orchid velvet quietly")
    identity.person_sign_out_everywhere(person=person)

    assert security_lines.named("password.reset")[0]["person_id"] == person.pk
    causes = [line["cause"] for line in security_lines.named("sessions.ended")]
    assert causes == ["password_reset", "sign_out_everywhere"]
    assert_nothing_secret(security_lines, "Lantern orchid velvet quietly")


def test_a_bad_webhook_signature_is_logged_with_the_refusal(client, settings, security_lines):
    settings.TWILIO_AUTH_TOKEN = "made-up-auth-token"
    response = client.post(
        "/sms/status-callback",
        {"MessageSid": "SM1", "MessageStatus": "delivered"},
        HTTP_X_TWILIO_SIGNATURE="forged",
    )

    assert response.status_code == 403
    assert security_lines.named("webhook.bad_signature")[0]["outcome"] == "failure"
    assert security_lines.named("authz.denied")[0]["status"] == 403


def test_someone_elses_application_is_a_logged_404(client, person, security_lines):
    other = ApplicationFactory(submitted=True)
    client.force_login(person)
    with translation.override("en"):
        url = reverse("residency:status", args=[other.reference])

    assert client.get(url).status_code == 404
    [line] = security_lines.named("authz.not_found")
    assert line["person_id"] == person.pk
    assert line["object"] == "residency.Application"
    assert line["object_ref"] == other.reference


def test_a_staff_decision_and_the_record_view_are_logged_and_shown_to_the_person(
    client, security_lines
):
    application = ApplicationFactory(submitted=True, person__preferred_language="ar")
    reviewer = PersonFactory(staff=True)
    reviewer.groups.add(Group.objects.get(name="Residency reviewer"))
    client.force_login(reviewer)
    with translation.override("en"):
        url = reverse("admin:residency_application_change", args=[application.pk])

    assert client.get(url).status_code == 200
    residency_services.application_approve(application=application, actor=reviewer)

    [view] = security_lines.named("staff.record_view")
    assert view["person_id"] == reviewer.pk
    assert view["subject_person_id"] == application.person_id
    decisions = security_lines.named("staff.decision")
    assert decisions[-1]["to_status"] in {"approved", "appointment_booked"}
    assert all(d["person_id"] == reviewer.pk for d in decisions)
    access = PersonDataAccess.objects.get(person=application.person)
    assert access.what == f"Permanent residency application {application.reference}"


def test_opening_a_request_in_admin_is_shown_to_the_person_in_english(client):

    card = SmartCardFactory(person__preferred_language="en")

    chip = ChipRequest.objects.create(
        person=card.person, card=card, reference="CHP-2026-000001", status="submitted"
    )
    admin = PersonFactory(staff=True, is_superuser=True)
    client.force_login(admin)
    with translation.override("en"):
        url = reverse("admin:activation_chiprequest_change", args=[chip.pk])

    assert client.get(url).status_code == 200
    access = PersonDataAccess.objects.get(person=card.person)
    assert access.what == "Request CHP-2026-000001"


def test_a_step_up_is_logged(client, person, security_lines, rf):

    request = rf.get("/")
    request.user = person
    request.session = SessionStore()
    stepup_grant(request, purpose=OTPPurpose.ESERVICES, scope="card:1")

    [line] = security_lines.named("stepup.granted")
    assert line["person_id"] == person.pk
    assert line["purpose"] == OTPPurpose.ESERVICES


@pytest.mark.parametrize("field", ["password", "code", "token", "qid", "name", "mobile"])
def test_a_secret_or_an_identifier_can_never_be_logged(field):
    with pytest.raises(ValueError, match=field):
        security_event(None, "signin", **{field: "x"})


def test_the_client_address_in_a_service_event_is_the_requests(
    client, person, security_lines, behind_proxy, sms_outbox
):
    client.force_login(person)
    client.post(reverse("accounts:sign_out_everywhere"), **PROXY)

    [ended] = security_lines.named("sessions.ended")
    assert ended["client_ip"] == "203.0.113.5"
    assert ended["request_id"]
    assert datetime.datetime.fromisoformat(ended["timestamp"]).utcoffset() == datetime.timedelta(0)


def test_staff_second_factor_failures_and_success_are_logged_without_the_code(
    client, security_lines
):
    staff = PersonFactory(staff=True, is_superuser=True)
    device = staff_authenticator(staff)
    start = datetime.datetime(2026, 11, 1, 9, 0, 5, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        password_sign_in(client, staff)
        code = code_for(device)
        wrong = f"{(int(code) + 1) % 1000000:06d}"
        client.post("/en/accounts/staff/code/", {"code": wrong})
        clock.shift(datetime.timedelta(seconds=3))  # past django-otp's throttle delay
        client.post("/en/accounts/staff/code/", {"code": code})

    assert [line["outcome"] for line in security_lines.named("totp.failed")] == ["failure"]
    verified = security_lines.named("totp.verified")
    assert verified[0]["person_id"] == staff.pk
    assert verified[0]["kind"] == "TOTPDevice"
    assert_nothing_secret(security_lines, code, wrong, staff.qid)
