"""Staff sign in with a password and a second factor (PRODUCT.md section 3).

Admin opens only after a code from the staff member's authenticator app or
a single-use backup code; a first sign-in enrols the app. Codes are computed
from the device's secret at a frozen time, as an authenticator app would.
"""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.constants import OTPPurpose
from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import SMSDevice
from tests.factories import DEFAULT_PASSWORD, PersonFactory
from tests.helpers import staff_authenticator

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
ADMIN_LOGIN = "/en/admin/login/"
VERIFY = "/en/accounts/staff/code/"
ENROL = "/en/accounts/staff/authenticator/"
QR = "/en/accounts/staff/authenticator/qr.svg"
BACKUP_CODES = "/en/accounts/staff/backup-codes/"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff():
    return PersonFactory(staff=True, is_superuser=True)


def code_for(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password_sign_in(client, person):
    return client.post(
        ADMIN_LOGIN,
        {"username": person.qid, "password": DEFAULT_PASSWORD, "next": "/en/admin/"},
    )


def test_admin_refuses_a_password_only_session_and_asks_for_the_code(client, staff):
    staff_authenticator(staff)
    response = password_sign_in(client, staff)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.session.get("_auth_user_id") == str(staff.pk)

    admin_home = client.get("/en/admin/", follow=True)
    assert admin_home.redirect_chain[-1][0].startswith(VERIFY)
    assert "Enter your authenticator code" in admin_home.content.decode()
    assert client.get("/en/admin/accounts/person/").status_code == 302


def test_admin_opens_after_the_authenticator_code_and_the_session_key_rotates(client, staff):
    device = staff_authenticator(staff)
    password_sign_in(client, staff)
    key_before = client.session.session_key

    response = client.post(f"{VERIFY}?next=/en/admin/", {"code": code_for(device)})

    assert response.status_code == 302
    assert response["Location"] == "/en/admin/"
    assert client.session.session_key != key_before
    assert client.get("/en/admin/").status_code == 200


def test_an_authenticator_code_works_only_once(client, staff):
    device = staff_authenticator(staff)
    code = code_for(device)
    password_sign_in(client, staff)
    assert client.post(VERIFY, {"code": code}).status_code == 302

    other = Client()
    password_sign_in(other, staff)
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()


def test_wrong_authenticator_codes_are_throttled(client, staff, frozen_clock):
    device = staff_authenticator(staff)
    password_sign_in(client, staff)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"

    first = client.post(VERIFY, {"code": wrong})
    assert "The code is not correct" in first.content.decode()
    refused = client.post(VERIFY, {"code": code_for(device)})
    assert "Too many wrong codes" in refused.content.decode()
    assert client.get("/en/admin/").status_code == 302

    frozen_clock.shift(datetime.timedelta(seconds=2))
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_a_backup_code_signs_in_once(client, staff):
    staff_authenticator(staff)
    codes = second_factor.backup_codes_replace(person=staff)
    assert len(codes) == 10
    assert len(set(codes)) == 10

    password_sign_in(client, staff)
    assert client.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert client.get("/en/admin/").status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    other = Client()
    password_sign_in(other, staff)
    again = other.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 200
    assert "The code is not correct" in again.content.decode()
    assert other.get("/en/admin/").status_code == 302


def test_a_citizen_sms_code_never_counts_as_a_staff_second_factor(client, staff):
    staff_authenticator(staff)
    sms_device = SMSDevice.objects.create(
        user=staff, purpose=OTPPurpose.ESERVICES, number=staff.mobile, name="sms", confirmed=True
    )
    password_sign_in(client, staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = sms_device.persistent_id
    session.save()

    response = client.get("/en/admin/")

    assert response.status_code == 302
    assert response.wsgi_request.user.is_verified() is False
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_another_persons_authenticator_does_not_verify_the_session(client, staff):
    someone_else = staff_authenticator(PersonFactory(staff=True))
    staff_authenticator(staff)
    password_sign_in(client, staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = someone_else.persistent_id
    session.save()
    assert client.get("/en/admin/").status_code == 302


def test_citizens_never_reach_admin_nor_the_staff_code_step(client):
    citizen = PersonFactory()
    refused = client.post(ADMIN_LOGIN, {"username": citizen.qid, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200
    assert not refused.wsgi_request.user.is_authenticated

    client.force_login(citizen)
    assert client.get("/en/admin/").status_code == 302
    assert client.get(VERIFY).status_code == 404
    assert client.get(ENROL).status_code == 404


def test_a_first_sign_in_enrols_the_authenticator_and_hands_out_backup_codes(
    client, staff, frozen_clock
):
    response = password_sign_in(client, staff)
    assert response["Location"].startswith(ENROL)

    page = client.get(response["Location"])
    content = page.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert second_factor.manual_entry_key(device) in content
    assert QR in content
    qr = client.get(QR)
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert client.get("/en/admin/").status_code == 302

    wrong = client.post(ENROL, {"code": f"{(int(code_for(device)) + 1) % 1000000:06d}"})
    assert "The code is not correct" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    frozen_clock.shift(datetime.timedelta(seconds=2))

    confirmed = client.post(f"{ENROL}?next=/en/admin/", {"code": code_for(device)})

    assert confirmed.status_code == 302
    assert confirmed["Location"].startswith(BACKUP_CODES)
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(confirmed["Location"]).content.decode()
    tokens = StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    assert len(tokens) == 10
    assert all(token in codes_page for token in tokens)
    assert 'href="/en/admin/"' in codes_page
    assert client.get(BACKUP_CODES).status_code == 302, "the codes are shown once"
    assert client.get("/en/admin/").status_code == 200


def test_enrolment_closes_once_an_authenticator_is_confirmed(client, staff):
    device = staff_authenticator(staff)
    password_sign_in(client, staff)
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": code_for(device)})["Location"].startswith(VERIFY)
    assert client.get(QR).status_code == 404
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    assert client.get("/en/admin/").status_code == 302


def test_after_a_reset_deletes_the_devices_the_next_visit_enrols_again(client, staff):
    client.force_login(staff)
    assert client.get("/en/admin/").status_code == 200
    second_factor.backup_codes_replace(person=staff)

    TOTPDevice.objects.filter(user=staff).delete()
    StaticDevice.objects.filter(user=staff).delete()

    response = client.get("/en/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL)
    assert "Set up your authenticator app" in response.content.decode()


def test_the_code_step_reads_arabic_digits_and_rejects_junk_with_a_message(client, staff):
    device = staff_authenticator(staff)
    password_sign_in(client, staff)
    junk = client.post(VERIFY, {"code": "<script>"})
    assert junk.status_code == 200
    assert "Enter the 6 digits from your app, or a backup code." in junk.content.decode()
    nul = client.post(VERIFY, {"code": "12\x003456"})
    assert nul.status_code == 400  # NUL anywhere in a request is refused before the view
    arabic = code_for(device).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert client.post(VERIFY, {"code": arabic}).status_code == 302


def test_the_staff_pages_are_in_arabic(client, staff):
    password_sign_in(client, staff)
    enrol = client.get("/ar/accounts/staff/authenticator/").content.decode()
    assert 'lang="ar"' in enrol
    assert "رمز تطبيق المصادقة" in enrol
    staff_authenticator(staff)
    verify = client.get("/ar/accounts/staff/code/").content.decode()
    assert "تأكيد" in verify


def test_the_next_address_never_leaves_the_site(client, staff):
    device = staff_authenticator(staff)
    password_sign_in(client, staff)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": code_for(device)})
    assert response["Location"] == "/en/admin/"


# --- Simulation: seed_demo and demo_totp -----------------------------------


def test_seed_demo_gives_each_demo_staff_account_one_stable_authenticator():
    call_command("seed_demo", stdout=StringIO())
    keys = dict(TOTPDevice.objects.values_list("user__qid", "key"))
    call_command("seed_demo", stdout=StringIO())

    devices = TOTPDevice.objects.select_related("user")
    assert {d.user.qid for d in devices} == {
        "28063400100",
        "28163400101",
        "28263400102",
        "28363400103",
    }
    assert all(d.confirmed and d.user.is_staff for d in devices)
    assert dict(devices.values_list("user__qid", "key")) == keys
    assert len(set(keys.values())) == 4


def test_seed_demo_outside_simulation_gives_no_authenticators(settings):
    settings.SIMULATION_MODE = False
    call_command("seed_demo", stdout=StringIO())
    assert not TOTPDevice.objects.exists()


def test_demo_totp_prints_the_code_that_signs_the_demo_administrator_in(client, capsys):
    call_command("seed_demo", stdout=StringIO())
    call_command("demo_totp", "28063400100")
    code = capsys.readouterr().out.strip()
    device = TOTPDevice.objects.get(user__qid="28063400100")
    assert code == code_for(device)

    client.post(ADMIN_LOGIN, {"username": "28063400100", "password": DEMO_PASSWORD})
    assert client.post(VERIFY, {"code": code}).status_code == 302
    assert client.get("/en/admin/").status_code == 200


def test_demo_totp_refuses_to_run_outside_simulation_mode(settings):
    call_command("seed_demo", stdout=StringIO())
    settings.SIMULATION_MODE = False
    with pytest.raises(CommandError, match="only in simulation mode"):
        call_command("demo_totp", "28063400100")


def test_demo_totp_refuses_a_qid_without_a_staff_authenticator():
    citizen = PersonFactory()
    with pytest.raises(CommandError, match="No staff account"):
        call_command("demo_totp", citizen.qid)


def test_admin_never_shows_anyones_authenticator_secret(client, staff):
    device = staff_authenticator(PersonFactory(staff=True))
    client.force_login(staff)
    assert client.get(f"/en/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    assert client.get("/en/admin/otp_totp/totpdevice/999999/qrcode/").status_code == 403
    page = client.get(f"/en/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page
