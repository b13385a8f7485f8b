import io

import pytest
from django.contrib.auth import password_validation
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts import lockout, otp
from accounts.constants import CardStatus, ChipStatus, OTPEventKind, OTPPurpose
from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import OTPEvent, Person, SmartCard, SMSDevice

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_creates_every_state_the_flows_need():
    seed()
    ready = Person.objects.get(qid="28563400001")
    assert ready.check_password(DEMO_PASSWORD)
    assert ready.data_verified
    assert ready.photo
    assert ready.cards.get().chip_status == ChipStatus.ACTIVE
    assert Person.objects.get(qid="29063400002").cards.get().chip_status == ChipStatus.INACTIVE
    assert not Person.objects.get(qid="29263400003").data_verified
    assert Person.objects.get(qid="31263400004").date_of_birth.year == 2012
    assert Person.objects.get(qid="28863400005").cards.get().status == CardStatus.EXPIRED
    assert not Person.objects.get(qid="29563400006").photo
    assert not Person.objects.get(qid="29163400009").has_usable_password()
    resident = Person.objects.get(qid="27535600008")
    assert not resident.is_citizen
    assert resident.resident_since.year == 2004
    reviewer = Person.objects.get(qid="28163400101")
    assert reviewer.is_staff
    assert reviewer.groups.filter(name="Residency reviewer").exists()


def test_seed_demo_can_run_twice_without_duplicates():
    seed()
    people, cards = Person.objects.count(), SmartCard.objects.count()
    seed()
    assert (Person.objects.count(), SmartCard.objects.count()) == (people, cards)


def test_seed_demo_prints_the_sign_ins(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "28563400001" in out
    assert DEMO_PASSWORD in out


def test_every_seeded_person_passes_model_validation():
    seed()
    for person in Person.objects.all():
        person.full_clean(exclude=["password", "photo"])


def test_the_demo_password_passes_the_password_policy_for_every_demo_person():

    seed()
    people = list(Person.objects.all())
    assert len(people) > 5
    for person in people:
        password_validation.validate_password(DEMO_PASSWORD, person)


def _use_up_the_demo_limits(person):

    now = timezone.now()
    for _ in range(5):
        OTPEvent.objects.create(
            person=person,
            purpose=OTPPurpose.ESERVICES,
            number=person.mobile,
            kind=OTPEventKind.SENT,
            created_at=now,
        )
    device = SMSDevice.objects.create(
        user=person,
        purpose=OTPPurpose.ESERVICES,
        number=person.mobile,
        failures=5,
        requested_at=now,
    )
    for _ in range(6):
        lockout.identity_per_qid().hit(person.qid)
        lockout.identity_per_address().hit("127.0.0.1")
    return device


def test_reset_limits_lets_a_demo_person_ask_for_codes_again(settings):

    settings.SIMULATION_MODE = True
    seed()
    ahmed = Person.objects.get(qid="28563400001")
    device = _use_up_the_demo_limits(ahmed)
    with pytest.raises(otp.OTPRefused):
        otp.otp_send(person=ahmed, purpose=OTPPurpose.ESERVICES)

    out = io.StringIO()
    call_command("seed_demo", "--reset-limits", stdout=out)

    assert "reset" in out.getvalue()
    device.refresh_from_db()
    assert device.failures == 0
    assert lockout.identity_per_qid().count(ahmed.qid) == 0
    assert lockout.identity_per_address().count("127.0.0.1") == 0
    otp.otp_send(person=ahmed, purpose=OTPPurpose.ESERVICES)


def test_reset_limits_is_refused_outside_simulation_mode(settings):

    settings.SIMULATION_MODE = False
    seed()
    ahmed = Person.objects.get(qid="28563400001")
    device = _use_up_the_demo_limits(ahmed)
    with pytest.raises(CommandError, match="SIMULATION_MODE"):
        call_command("seed_demo", "--reset-limits", stdout=io.StringIO())
    device.refresh_from_db()
    assert device.failures == 5
