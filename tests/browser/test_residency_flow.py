"""The permanent residency service end to end in Chromium (PRODUCT.md section 6).

The seeded eligible resident fills every page of the form in English,
uploading a real JPEG photo (with EXIF, which the portal strips) and a real
PDF made here, and submits with the code read from the SMS sandbox inbox. A
reviewer approves in admin, the resident sees the appointment, a clerk records
the collection and the resident's profile shows the new card. Each main page
is also photographed in Arabic, and the status page on a 360 px phone.

Controls are found by role and accessible name, as a person would find them.
"""

import importlib
import io
import pkgutil
import re
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from accounts.constants import CardKind, CardStatus
from accounts.models import Person, SmartCard
from accounts.roles import roles_sync
from residency.constants import ApplicationStatus, FeeKind
from residency.models import Application, Document
from tests.browser.conftest import _new_page, enter_authenticator_code
from tests.residency.factories import PaymentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT_QID = "27535600008"
RESIDENT_NAME = "Rajesh Kumar Nair"
RESIDENT_MOBILE = "+97433100008"
REVIEWER_QID = "28163400101"
CLERK_QID = "28263400102"
PASSWORD = "Lantern-Orchid-Velvet-73"
CENTRE = "Al Rayyan Service Centre"
CARD_NUMBER = "PR0000000123"
S = ApplicationStatus


def t(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


# --- Data a transactional test must put back ---------------------------------------


def _centres_migration():
    """The residency data migration that seeds the service centres (found by content,
    so a renamed migration file does not break the test)."""
    package = importlib.import_module("residency.migrations")
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"residency.migrations.{info.name}")
        if hasattr(module, "CENTRES") and hasattr(module, "seed"):
            return module
    raise LookupError("No residency migration seeds the service centres.")


def residency_reference_data() -> None:
    """The service centres of the data migration and the staff groups' permissions.

    Transactional tests flush the database between tests, which removes
    migration data: the migration's own function puts the centres back (the
    real residency app config is restored in case it marks it while creating
    permissions), and ``accounts.roles.roles_sync`` the groups' permissions.
    """
    config = apps.get_app_config("residency")
    models_module = config.models_module
    try:
        _centres_migration().seed(apps, None)
    finally:
        config.models_module = models_module
    roles_sync()


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    """Uploaded documents go to a per-test folder, not the project's private_media."""
    monkeypatch.setattr(
        Document._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path)
    )


@pytest.fixture
def seeded(settings, private_files):
    # A transactional test before this one may have flushed and recreated the
    # content types; the in-process cache would still hold the old ids.
    ContentType.objects.clear_cache()
    settings.SMS_BACKEND = "sandbox"
    call_command("seed_demo", stdout=io.StringIO())
    residency_reference_data()


@pytest.fixture
def new_page(browser, external_requests):
    """Another browser (its own cookies), e.g. for a member of staff at their desk."""
    contexts = []

    def make():
        context, page = _new_page(
            browser, external_requests, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert external_requests == [], f"The page loaded external URLs: {external_requests}"


# --- Files a person would upload ----------------------------------------------------


def photo_jpeg() -> bytes:
    """A 900×900 passport-style photo straight from a phone, EXIF and GPS included."""
    image = Image.new("RGB", (900, 900), (236, 240, 244))
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 160, 600, 500), fill=(176, 130, 100))
    draw.rectangle((220, 540, 680, 900), fill=(40, 60, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model 12"  # Model
    exif[0x0132] = "2026:11:20 10:15:00"  # DateTime
    exif[0x8825] = {1: "N", 2: (25.0, 17.0, 10.0), 3: "E", 4: (51.0, 32.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif)
    data = buffer.getvalue()
    assert data.startswith(b"\xff\xd8\xff")
    assert b"PhoneMaker" in data
    return data


def scan_pdf(title: str) -> bytes:
    """A one-page A4 scan saved as PDF by Pillow, as a scanner app would."""
    page = Image.new("RGB", (595, 842), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((40, 40, 555, 802), outline=(0, 0, 0), width=3)
    draw.text((60, 70), title, fill=(0, 0, 0))
    draw.text((60, 100), f"{RESIDENT_NAME} - QID {RESIDENT_QID}", fill=(0, 0, 0))
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=72.0)
    data = buffer.getvalue()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    return data


# --- What a person does in the browser ---------------------------------------------


def read_code_from_sandbox(page, base, number) -> str:
    inbox = page.context.new_page()
    inbox.goto(f"{base}/en/accounts/simulation/sms/?number={quote(number)}")
    body = inbox.locator("td.sms-body").first.inner_text()
    inbox.close()
    return re.search(r"\b(\d{6})\b", body).group(1)


def sign_in_to_admin(page, base, qid):
    page.goto(f"{base}/en/admin/")
    page.get_by_label("Qatar ID number").fill(qid)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    enter_authenticator_code(page, Person.objects.get(qid=qid))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def search_admin(page, text):
    page.get_by_role("textbox", name="Search").fill(text)
    page.get_by_role("button", name="Search").click()


def in_both_languages(page, screenshot, name):
    """Photograph the page in English, then the same page in Arabic, and come back.

    Coming back reloads the page: call it before filling the page's form.
    """
    english = page.url
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    screenshot(page, f"residency-{name}-en")
    page.goto(english.replace("/en/", "/ar/", 1))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    screenshot(page, f"residency-{name}-ar")
    page.goto(english)


def upload(page, kind_label, name, mime_type, content):
    page.get_by_role("combobox", name="Document").select_option(label=kind_label)
    page.get_by_label(re.compile(r"^File\b")).set_input_files(
        {"name": name, "mimeType": mime_type, "buffer": content}
    )
    page.get_by_role("button", name="Upload document").click()
    expect(page.get_by_text("The document was uploaded.")).to_be_visible()
    row = page.get_by_role("row", name=kind_label)
    expect(row.get_by_role("link", name="Version 1")).to_be_visible()


def fill_the_application(page, base, screenshot):
    page.goto(f"{base}/en/residency/")
    page.get_by_role("link", name="Sign in to apply").click()
    page.get_by_label("Qatar ID number").fill(RESIDENT_QID)
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Permanent residency", exact=True)).to_be_visible()
    in_both_languages(page, screenshot, "01-home")
    page.get_by_role("link", name="Apply for permanent residency").click()

    # 1. Personal data, from the register.
    expect(
        page.get_by_role("heading", name=re.compile(r"^Step 1 of \d: Personal data$"))
    ).to_be_visible()
    expect(page.get_by_text(RESIDENT_NAME).first).to_be_visible()
    in_both_languages(page, screenshot, "02-personal")
    page.get_by_role("button", name="Save and continue").click()

    # 2. Basis.
    expect(
        page.get_by_role("heading", name=re.compile("Basis and residence history"))
    ).to_be_visible()
    in_both_languages(page, screenshot, "03-basis")
    page.get_by_role("radio", name="20 years' legal residence (born abroad)").check()
    page.get_by_role("button", name="Save and continue").click()

    # 3. Days outside Qatar, one field per year of the 20.
    expect(page.get_by_role("heading", name=re.compile("Days outside Qatar"))).to_be_visible()
    in_both_languages(page, screenshot, "04-residence")
    years = page.get_by_role("spinbutton", name=re.compile(r"^Days outside Qatar in \d{4}"))
    expect(years).to_have_count(20)
    for field in years.all():
        field.fill("12")
    page.get_by_role("button", name="Save and continue").click()

    # 4. Employment.
    expect(page.get_by_role("heading", name=re.compile("Employment and income"))).to_be_visible()
    in_both_languages(page, screenshot, "05-employment")
    page.get_by_label("Employer or sponsor").fill("Qatar Engineering Co.")
    page.get_by_label("Occupation").fill("Civil engineer")
    page.get_by_label("Monthly income (QAR)").fill("28000")
    page.get_by_role("button", name="Save and continue").click()

    # 5. Service centre.
    expect(page.get_by_role("heading", name=re.compile("Service centre"))).to_be_visible()
    in_both_languages(page, screenshot, "06-centre")
    page.get_by_role("radio", name=re.compile(f"^{CENTRE}")).check()
    page.get_by_role("button", name="Save and continue").click()

    # 6. Documents: a real photo and real PDFs.
    expect(page.get_by_role("heading", name=re.compile("Documents"))).to_be_visible()
    upload(page, "Passport copy", "passport.pdf", "application/pdf", scan_pdf("Passport"))
    upload(page, "Personal photo", "IMG_2041.jpg", "image/jpeg", photo_jpeg())
    upload(
        page,
        "Salary certificate",
        "salary.pdf",
        "application/pdf",
        scan_pdf("Salary certificate"),
    )
    upload(
        page,
        "Good conduct certificate",
        "good-conduct.pdf",
        "application/pdf",
        scan_pdf("Good conduct certificate"),
    )
    in_both_languages(page, screenshot, "07-documents")
    page.get_by_role("button", name="Save and continue").click()

    # 7. Review.
    expect(page.get_by_role("heading", name=re.compile("Review"))).to_be_visible()
    expect(page.get_by_text("Qatar Engineering Co.")).to_be_visible()
    expect(page.get_by_text(CENTRE).first).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    in_both_languages(page, screenshot, "08-review")
    # The fee is paid by e-payment first (its own browser test: test_payment_flow).
    PaymentFactory(application=Application.objects.get(person__qid=RESIDENT_QID))
    page.reload()
    page.get_by_role("button", name="Continue to the declaration").click()

    # The declaration is confirmed with a code texted to the registered mobile.
    expect(page).to_have_url(re.compile(r"/en/accounts/confirm/"))
    page.get_by_role("button", name="Send code", exact=True).click()
    expect(page.get_by_text("We sent a 6-digit code to")).to_be_visible()
    page.get_by_label("Verification code").fill(read_code_from_sandbox(page, base, RESIDENT_MOBILE))
    screenshot(page, "residency-09-code-en")
    page.get_by_role("button", name="Confirm").click()

    # 8. Declaration and submission.
    expect(
        page.get_by_role("heading", name=re.compile("Declaration and submission"))
    ).to_be_visible()
    in_both_languages(page, screenshot, "10-declaration")
    page.get_by_label("I declare that the information and documents I gave are true").check()
    page.get_by_label("I confirm that I have a basic knowledge of Arabic").check()
    page.get_by_role("button", name="Submit application").click()


def approve_in_admin(page, base, screenshot, reference):
    sign_in_to_admin(page, base, REVIEWER_QID)
    page.get_by_role("link", name="Permanent residency applications").first.click()
    search_admin(page, RESIDENT_QID)
    results = page.locator("#result_list")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and one application
    screenshot(page, "residency-20-admin-queue-en")
    results.get_by_role("link", name=reference).click()

    expect(page.get_by_role("heading", name=re.compile(reference))).to_be_visible()
    page.get_by_role("link", name="Decide").click()
    expect(page.get_by_role("link", name="Passport copy (v1)")).to_be_visible()
    expect(page.get_by_role("link", name="Personal photo (v1)")).to_be_visible()
    page.get_by_role("radio", name="Approve", exact=True).check()
    page.get_by_label("Message to the applicant").fill("All documents are in order.")
    screenshot(page, "residency-21-admin-decision-en")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("The decision was recorded.")).to_be_visible()
    expect(page.get_by_text("Appointment booked").first).to_be_visible()
    in_both_languages(page, screenshot, "22-admin-approved")


def record_collection_in_admin(page, base, screenshot, reference):
    sign_in_to_admin(page, base, CLERK_QID)
    page.get_by_role("link", name="Appointments").first.click()
    search_admin(page, RESIDENT_QID)
    results = page.locator("#result_list")
    expect(results.get_by_role("row")).to_have_count(2)
    expect(results.get_by_text(CENTRE)).to_be_visible()
    screenshot(page, "residency-30-admin-appointments-en")
    results.get_by_role("link", name=reference).click()

    # The appointment links to its application, where the collection is recorded.
    page.locator("#content").get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Record collection").click()
    page.get_by_label("Card number").fill(CARD_NUMBER)
    screenshot(page, "residency-31-admin-collection-en")
    page.get_by_role("button", name="Record collection").click()
    expect(page.get_by_text("The card was issued.")).to_be_visible()
    expect(page.get_by_text("Card issued").first).to_be_visible()


def test_the_eligible_resident_applies_is_approved_and_collects_the_card(
    page, phone_page, new_page, live_server, seeded, screenshot
):
    base = live_server.url

    fill_the_application(page, base, screenshot)

    application = Application.objects.get(person__qid=RESIDENT_QID)
    reference = application.reference
    assert application.status == S.SUBMITTED
    expect(page).to_have_url(f"{base}/en/residency/applications/{reference}/")
    expect(page.get_by_text(f"Your application {reference} was submitted.")).to_be_visible()
    expect(page.locator("strong.status")).to_have_text("Submitted")
    expect(page.get_by_text(re.compile(r"Expected decision by"))).to_be_visible()
    in_both_languages(page, screenshot, "11-status-submitted")

    # The files kept are the uploads, cleaned: the photo lost its EXIF and GPS.
    documents = {document.kind: document for document in application.documents.all()}
    assert sorted(documents) == ["good_conduct", "passport", "photo", "salary_certificate"]
    with documents["photo"].file.open("rb") as stored:
        photo = Image.open(io.BytesIO(stored.read()))
        assert photo.format == "JPEG"
        assert photo.size == (900, 900)
        assert dict(photo.getexif()) == {}
    with documents["passport"].file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"

    approve_in_admin(new_page(), base, screenshot, reference)
    application.refresh_from_db()
    assert application.status == S.APPOINTMENT_BOOKED

    # The applicant sees the appointment on the status page and its own page.
    page.reload()
    expect(page.locator("strong.status")).to_have_text("Appointment booked")
    appointment_panel = page.get_by_role("region", name="Card collection appointment")
    expect(appointment_panel.get_by_text(CENTRE)).to_be_visible()
    expect(page.get_by_text("All documents are in order.")).to_be_visible()
    in_both_languages(page, screenshot, "12-status-appointment")
    page.get_by_role("link", name="Appointment details").click()
    expect(page.get_by_role("heading", name="Card collection appointment")).to_be_visible()
    expect(
        page.get_by_text(f"{RESIDENT_NAME}, QID {RESIDENT_QID}, application {reference}")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Download calendar file")).to_be_visible()
    in_both_languages(page, screenshot, "13-appointment")

    PaymentFactory(application=application, kind=FeeKind.CARD)
    record_collection_in_admin(new_page(), base, screenshot, reference)
    application.refresh_from_db()
    assert application.status == S.CARD_ISSUED
    card = SmartCard.objects.get(number=CARD_NUMBER)
    assert (card.person.qid, card.kind, card.status) == (
        RESIDENT_QID,
        CardKind.PERMANENT_RESIDENCY,
        CardStatus.VALID,
    )

    page.goto(f"{base}/en/residency/applications/{reference}/")
    expect(page.locator("strong.status")).to_have_text("Card issued")
    in_both_languages(page, screenshot, "14-status-card-issued")

    # The new card is on the resident's profile.
    page.goto(f"{base}/en/e-services/profile/")
    card_row = page.locator("dl.facts > div").filter(has_text="Permanent residency card")
    expect(card_row).to_be_visible()
    expect(card_row).to_contain_text(CARD_NUMBER)
    expect(card_row).to_contain_text(f"expires {card.expires_on:%d/%m/%Y}")
    in_both_languages(page, screenshot, "15-profile")

    # The status page on a 360 px phone, in Arabic.
    phone_page.goto(f"{base}/ar/accounts/sign-in/")
    phone_page.get_by_label(t("ar", "Qatar ID number")).fill(RESIDENT_QID)
    phone_page.get_by_role("textbox", name=t("ar", "Password"), exact=True).fill(PASSWORD)
    phone_page.get_by_role("button", name=t("ar", "Sign in")).click()
    phone_page.goto(f"{base}/ar/residency/applications/{reference}/")
    expect(phone_page.locator("strong.status")).to_have_text(t("ar", "Card issued"))
    screenshot(phone_page, "residency-16-status-ar-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"The status page is {width}px wide on a 360px phone"
