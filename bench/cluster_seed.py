"""People for the cluster's load run, beside the demo population (run by bench/cluster.py).

- LOAD_CITIZENS citizens ready to activate e-services (QIDs 285634 1xxxx);
- LOAD_RESIDENTS residents eligible for permanent residency, each with a draft
  application complete but for the personal photo, and E-payment on the card to
  pay its fee with (QIDs 275356 2xxxx);
- an authenticator (TOTP device) for the demo reviewer, whose secret the load
  run reads from the database to play the reviewer's phone.

Each load user needs fresh people: one-time codes are limited per person and
number, and a service is activated once. Every account's password is the
demo password. Safe to re-run.
"""

import datetime
import io
import os
import secrets
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moi_portal.settings")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from PIL import Image  # noqa: E402

from accounts.constants import CardKind, CardStatus, ChipStatus, Language  # noqa: E402
from accounts.management.commands.seed_demo import DEMO_PASSWORD, demo_photo_bytes  # noqa: E402
from accounts.models import Person, SmartCard  # noqa: E402
from activation.management.commands.seed_activation_demo import (  # noqa: E402
    epayment_activate,
)
from residency.demo import application_draft_fill  # noqa: E402
from residency.models import ServiceCentre  # noqa: E402
from residency.selectors import application_open_for  # noqa: E402

REVIEWER_QID = "28163400101"
LOAD_CITIZENS = int(os.environ.get("LOAD_CITIZENS", "400"))
LOAD_RESIDENTS = int(os.environ.get("LOAD_RESIDENTS", "80"))


def citizen_qid(index: int) -> str:
    return f"2856341{index:04d}"


def resident_qid(index: int) -> str:
    return f"2753562{index:04d}"


def _pdf(title: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (595, 842), "white").save(buffer, format="PDF", title=title)
    return buffer.getvalue()


def _person(qid, *, mobile, nationality, language, resident_since, password, photo, now):
    person, created = Person.objects.update_or_create(
        qid=qid,
        defaults={
            "name_en": f"Load Test {qid[-4:]}",
            "name_ar": f"اختبار الحمل {qid[-4:]}",
            "date_of_birth": datetime.date(1985 if qid.startswith("285") else 1975, 1, 1),
            "nationality": nationality,
            "mobile": mobile,
            "preferred_language": language,
            "data_verified": True,
            "data_reviewed_at": now - datetime.timedelta(days=30),
            "registered_at": now,
            "resident_since": resident_since,
            "password": password,
        },
    )
    if not person.photo:
        person.photo.save(f"{qid}.jpg", ContentFile(photo), save=True)
    return person


def _card(person, *, number, kind, today):
    month_start = today.replace(day=1)
    SmartCard.objects.update_or_create(
        number=number,
        defaults={
            "person": person,
            "kind": kind,
            "issued_on": month_start.replace(year=today.year - 2),
            "expires_on": month_start.replace(year=today.year + 3),
            "status": CardStatus.VALID,
            "chip_status": ChipStatus.ACTIVE,
        },
    )


def main():
    now = timezone.now()
    today = timezone.localdate()
    password = make_password(DEMO_PASSWORD)
    photo = demo_photo_bytes(1)
    centre = ServiceCentre.objects.order_by("pk").first()
    with transaction.atomic():
        for index in range(LOAD_CITIZENS):
            person = _person(
                citizen_qid(index),
                mobile=f"+9745520{index:04d}",
                nationality="QA",
                language=Language.ENGLISH,
                resident_since=None,
                password=password,
                photo=photo,
                now=now,
            )
            _card(person, number=f"{50000000 + index:09d}", kind=CardKind.CITIZEN_ID, today=today)
    for index in range(LOAD_RESIDENTS):
        with transaction.atomic():
            person = _person(
                resident_qid(index),
                mobile=f"+9743320{index:04d}",
                nationality="IN",
                language=Language.ENGLISH,
                resident_since=datetime.date(2003, 1, 1),
                password=password,
                photo=photo,
                now=now,
            )
            _card(
                person,
                number=f"{60000000 + index:09d}",
                kind=CardKind.RESIDENCE_PERMIT,
                today=today,
            )
            # The application fee is paid by e-payment during the run.
            epayment_activate(person)
            if application_open_for(person=person) is not None:
                continue
            application_draft_fill(
                person=person,
                scan=_pdf,
                photo=None,  # uploaded through the portal during the run
                preferred_centre=centre,
                today=today,
            )
    reviewer = Person.objects.get(qid=REVIEWER_QID)
    if not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists():
        TOTPDevice.objects.create(
            user=reviewer, name="Authenticator app", key=secrets.token_hex(20), confirmed=True
        )
    print(f"Load population ready: {LOAD_CITIZENS} citizens, {LOAD_RESIDENTS} residents.")


if __name__ == "__main__":
    main()
