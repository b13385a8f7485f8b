"""The applicant's pages, driven as a browser would, in English."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from accounts.constants import OTPPurpose
from residency import services
from residency.constants import ApplicationStatus, Basis
from residency.models import Application
from tests.factories import PersonFactory
from tests.helpers import grant_stepup, session_read_queries
from tests.residency.factories import (
    ApplicationFactory,
    DocumentFactory,
    PaymentFactory,
    ResidentFactory,
    ServiceCentreFactory,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus
MONDAY = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=ZoneInfo("Asia/Qatar"))


def url(name, *args):
    with translation.override("en"):
        return reverse(f"residency:{name}", args=args)


@pytest.fixture
def resident(client):
    person = ResidentFactory()
    client.force_login(person)
    return person


def grant_submission(client, application):
    grant_stepup(
        client,
        purpose=OTPPurpose.RESIDENCY_SUBMISSION,
        scope=f"application:{application.reference}",
    )


def test_the_home_page_offers_to_apply_to_an_eligible_resident(client, resident):
    content = client.get(url("home")).content.decode()
    assert "Apply for permanent residency" in content


def test_a_citizen_is_told_why_they_cannot_apply(client):
    client.force_login(PersonFactory())
    response = client.get(url("home"))
    assert [f.code for f in response.context["failures"]] == ["citizen"]
    assert "Apply for permanent residency" not in response.content.decode()
    assert client.get(url("step_personal")).status_code == 302


def test_a_person_with_an_open_application_is_told_why(client):
    application = ApplicationFactory(submitted=True)
    client.force_login(application.person)
    content = client.get(url("home")).content.decode()
    assert application.reference in content
    assert "already have an open application" in content


def test_signed_out_visitors_are_asked_to_sign_in(client):
    assert "Sign in to apply" in client.get(url("home")).content.decode()
    assert client.get(url("step_basis")).status_code == 302


def test_the_whole_form_from_start_to_submission(client, resident):
    centre = ServiceCentreFactory()
    with time_machine.travel(MONDAY, tick=False):
        personal = client.get(url("step_personal"))
        assert resident.name_en in personal.content.decode()
        assert client.post(url("step_personal"))["Location"] == url("step_basis")
        application = Application.objects.get(person=resident)
        assert application.status == S.DRAFT

        response = client.post(url("step_basis"), {"basis": Basis.RESIDENCE_BORN_ABROAD})
        assert response["Location"] == url("step_residence")
        form = client.get(url("step_residence")).context["form"]
        assert len(form.fields) == 20
        days = dict.fromkeys(form.fields, "12")
        assert client.post(url("step_residence"), days)["Location"] == url("step_employment")
        response = client.post(
            url("step_employment"),
            {"employer": "Qatar Foundation", "occupation": "Teacher", "monthly_income": "18000"},
        )
        assert response["Location"] == url("step_centre")
        response = client.post(url("step_centre"), {"preferred_centre": centre.pk})
        assert response["Location"] == url("step_documents")

        for kind in application.required_document_kinds:
            DocumentFactory(application=application, kind=kind)
        assert client.post(url("step_documents"), {"continue": ""})["Location"] == url(
            "step_review"
        )
        review = client.get(url("step_review")).content.decode()
        assert "Qatar Foundation" in review
        assert centre.name_en in review
        assert review.count(">Edit<") >= 4
        assert client.post(url("step_review"))["Location"] == url("step_declaration")
        # Not before the application fee is paid.
        assert "QR 3,000" in review
        assert "Pay the application fee" in review
        assert client.get(url("step_declaration"))["Location"] == url("step_review")
        PaymentFactory(application=application)

        # The declaration asks for a one-time code first.
        response = client.get(url("step_declaration"))
        assert response.status_code == 302
        assert "purpose=residency_submission" in response["Location"]

        grant_submission(client, application)
        assert "Submit application" in client.get(url("step_declaration")).content.decode()
        response = client.post(
            url("step_declaration"), {"true_and_complete": "on", "conditions": "on"}
        )
    assert response["Location"] == url("status", application.reference)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.days_abroad["2025"] == 12
    # The code is used up: it does not confirm another submission.
    session_keys = [key for key in client.session.keys() if key.startswith("stepup:")]  # noqa: SIM118 - a session is not iterable
    assert session_keys == []


def test_the_declaration_must_be_ticked(client, resident):
    application = ApplicationFactory(person=resident, documents=True, application_fee_paid=True)
    grant_submission(client, application)
    response = client.post(url("step_declaration"), {"true_and_complete": "on"})
    assert response.status_code == 400
    assert "conditions" in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_an_old_code_confirmation_no_longer_submits(client, resident):
    application = ApplicationFactory(person=resident, documents=True, application_fee_paid=True)
    with time_machine.travel(MONDAY, tick=False):
        grant_submission(client, application)
    with time_machine.travel(MONDAY + datetime.timedelta(minutes=6), tick=False):
        response = client.post(
            url("step_declaration"), {"true_and_complete": "on", "conditions": "on"}
        )
    assert response.status_code == 302
    assert "purpose=residency_submission" in response["Location"]
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_submitting_twice_from_the_browser_submits_once(client, resident):
    application = ApplicationFactory(person=resident, documents=True, application_fee_paid=True)
    grant_submission(client, application)
    data = {"true_and_complete": "on", "conditions": "on"}
    client.post(url("step_declaration"), data)
    grant_submission(client, application)
    second = client.post(url("step_declaration"), data)
    assert second.status_code == 302
    assert second["Location"] == url("home")
    assert application.history.filter(to_status=S.SUBMITTED).count() == 1


def test_leaving_and_coming_back_resumes_the_draft(client, resident):
    application = ApplicationFactory(person=resident, employer="", occupation="")
    assert client.get(url("apply"))["Location"] == url("step_employment")
    application.employer, application.occupation = "Co.", "Clerk"
    application.save()
    assert client.get(url("apply"))["Location"] == url("step_documents")


def test_an_edit_link_from_the_review_returns_to_the_review(client, resident):
    ApplicationFactory(person=resident, documents=True)
    response = client.post(
        url("step_employment") + "?return=review",
        {"employer": "New employer", "occupation": "Manager", "monthly_income": "30000"},
    )
    assert response["Location"] == url("step_review")


@pytest.mark.parametrize(
    ("step", "data", "field"),
    [
        ("step_basis", {"basis": "nonsense"}, "basis"),
        ("step_employment", {"employer": "", "occupation": "x", "monthly_income": "1"}, "employer"),
        (
            "step_employment",
            {"employer": "x", "occupation": "x", "monthly_income": "-5"},
            "monthly_income",
        ),
        (
            "step_employment",
            {"employer": "x", "occupation": "x", "monthly_income": "lots"},
            "monthly_income",
        ),
        ("step_centre", {"preferred_centre": "999999"}, "preferred_centre"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    client, resident, step, data, field
):
    application = ApplicationFactory(person=resident)
    before = Application.objects.filter(pk=application.pk).values().get()
    response = client.post(url(step), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    content = response.content.decode()
    assert 'class="field__errors"' in content
    assert Application.objects.filter(pk=application.pk).values().get() == before


def test_days_abroad_over_366_are_refused(client, resident):
    ApplicationFactory(person=resident)
    form = client.get(url("step_residence")).context["form"]
    data = dict.fromkeys(form.fields, "400")
    assert client.post(url("step_residence"), data).status_code == 400


def test_the_residence_page_is_skipped_for_a_non_residence_basis(client, resident):
    ApplicationFactory(person=resident, basis=Basis.SPOUSE_OF_QATARI)
    response = client.post(url("step_basis"), {"basis": Basis.SPOUSE_OF_QATARI})
    assert response["Location"] == url("step_employment")


def test_every_field_has_a_label(client, resident):
    ApplicationFactory(person=resident)
    for step in ("step_basis", "step_residence", "step_employment", "step_centre"):
        content = client.get(url(step)).content.decode()
        form = client.get(url(step)).context["form"]
        for name in form.fields:
            field = form[name]
            radios = field.widget_type == "radioselect"
            assert ("<legend>" if radios else f'for="{field.id_for_label}"') in content


def test_the_status_page_shows_timeline_due_date_messages_and_documents(
    client, django_assert_num_queries
):
    reviewer = PersonFactory(staff=True)
    application = ApplicationFactory(documents=True, application_fee_paid=True)
    client.force_login(application.person)

    with time_machine.travel(MONDAY, tick=False):
        services.application_submit(application=application, actor=application.person)
    services.application_request_information(
        application=application, actor=reviewer, message="Please send a new photo."
    )
    # The application, its timeline, documents, appointment and fees paid, whatever their number.
    with django_assert_num_queries(9 + session_read_queries()):
        response = client.get(url("status", application.reference))
    content = response.content.decode()
    assert "More information requested" in content
    assert "Please send a new photo." in content
    assert "Send more information" in content
    assert content.count('href="/en/residency/documents/') == 4
    timeline = [change.to_status for change in response.context["timeline"]]
    assert timeline == [S.SUBMITTED, S.UNDER_REVIEW, S.MORE_INFO_REQUESTED]


def test_the_expected_decision_date_is_shown_while_waiting(client):
    application = ApplicationFactory(submitted=True)
    client.force_login(application.person)
    content = client.get(url("status", application.reference)).content.decode()
    assert "Expected decision by" in content


def test_the_home_page_query_count_does_not_grow_with_applications(
    client, django_assert_num_queries
):
    application = ApplicationFactory(withdrawn=True)
    for _ in range(3):
        ApplicationFactory(person=application.person, rejected=True)
    client.force_login(application.person)
    with django_assert_num_queries(7 + session_read_queries()):
        response = client.get(url("home"))
    assert len(response.context["applications"]) == 4


def test_withdrawal_asks_for_confirmation_first(client):
    application = ApplicationFactory(submitted=True)
    client.force_login(application.person)
    page = client.get(url("withdraw", application.reference))
    assert "Withdraw application" in page.content.decode()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    client.post(url("withdraw", application.reference))
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN


def test_withdrawing_after_a_decision_is_refused_politely(client):
    application = ApplicationFactory(approved=True)
    client.force_login(application.person)
    response = client.post(url("withdraw", application.reference), follow=True)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_more_information_upload_and_resubmission(client):
    application = ApplicationFactory(more_info_requested=True, documents=True)
    client.force_login(application.person)

    page_url = url("more_information", application.reference)
    response = client.post(
        page_url,
        {"kind": "photo", "file": SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")},
    )
    assert response.status_code == 302
    assert application.documents.filter(kind="photo").count() == 2
    client.post(page_url, {"resubmit": ""})
    application.refresh_from_db()
    assert application.status == S.RESUBMITTED


def test_another_persons_application_is_not_found(client, resident):
    application = ApplicationFactory(submitted=True)
    for name in ("status", "withdraw", "more_information"):
        assert client.get(url(name, application.reference)).status_code == 404
    assert client.post(url("withdraw", application.reference)).status_code == 404
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_the_basis_page_says_at_once_when_the_register_shows_too_few_years(client):
    person = ResidentFactory(resident_since=datetime.date(2021, 9, 1))
    client.force_login(person)
    application = ApplicationFactory(person=person, basis="")
    response = client.post(url("step_basis"), {"basis": Basis.RESIDENCE_BORN_ABROAD})
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["basis"]] == [
        "residence_too_short"
    ]
    assert "20 years" in response.content.decode()
    application.refresh_from_db()
    assert application.basis == ""
    # Another basis, proved by a document, is still open to them.
    response = client.post(url("step_basis"), {"basis": Basis.SPOUSE_OF_QATARI})
    assert response.status_code == 302


def test_more_than_60_days_abroad_in_a_year_is_refused_on_the_residence_page(client, resident):
    application = ApplicationFactory(person=resident)
    form = client.get(url("step_residence")).context["form"]
    data = dict.fromkeys(form.fields, "10")
    data["days_2019"] = "75"
    response = client.post(url("step_residence"), data)
    assert response.status_code == 400
    assert "2019" in " ".join(response.context["form"].non_field_errors())
    application.refresh_from_db()
    assert application.days_abroad["2019"] == 10


def _steps_done(html: str) -> list[str]:

    items = re.findall(r'<li class="steps__item([^"]*)">\s*(?:<a[^>]*>|<span[^>]*>)([^<]+)<', html)
    return [label for classes, label in items if "steps__item--done" in classes]


def test_the_step_list_marks_only_the_answered_pages_done(client, resident):
    ApplicationFactory(
        person=resident, empty=True, days_abroad={}, basis=Basis.RESIDENCE_BORN_ABROAD
    )
    done = _steps_done(client.get(url("step_residence")).content.decode())
    assert done == ["Personal data", "Basis and residence history"]


def test_the_review_is_done_only_after_the_person_went_on_to_the_declaration(client, resident):
    application = ApplicationFactory(person=resident, documents=True, application_fee_paid=True)
    on_review = _steps_done(client.get(url("step_review")).content.decode())
    assert "Documents" in on_review
    assert "Review" not in on_review
    on_documents = _steps_done(client.get(url("step_documents")).content.decode())
    assert "Review" not in on_documents
    grant_submission(client, application)
    on_declaration = _steps_done(client.get(url("step_declaration")).content.decode())
    assert on_declaration[-1] == "Review"


@pytest.mark.parametrize(
    ("typed", "message", "message_ar"),
    [
        ("0", "Enter a monthly income above zero, in Qatari riyals.", "أدخل دخلًا شهريًا"),
        ("-2500", "Enter a monthly income above zero, in Qatari riyals.", "أدخل دخلًا شهريًا"),
        ("lots", "Enter the amount in Qatari riyals as a number", "أدخل المبلغ بالريال القطري"),
        ("", "Enter your monthly income in Qatari riyals.", "أدخل دخلك الشهري"),
    ],
)
def test_income_must_be_a_positive_amount_in_riyals(client, resident, typed, message, message_ar):
    application = ApplicationFactory(person=resident, monthly_income=None)
    data = {"employer": "Qatar Foundation", "occupation": "Teacher", "monthly_income": typed}
    response = client.post(url("step_employment"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    arabic = client.post(url("step_employment").replace("/en/", "/ar/", 1), data)
    assert message_ar in arabic.content.decode()
    application.refresh_from_db()
    assert application.monthly_income is None


@pytest.mark.parametrize("typed", ["18000", "18,000", "١٨٠٠٠", "18 000 QAR"])
def test_income_is_read_as_people_type_it(client, resident, typed):
    application = ApplicationFactory(person=resident, monthly_income=None)
    data = {"employer": "Qatar Foundation", "occupation": "Teacher", "monthly_income": typed}
    assert client.post(url("step_employment"), data).status_code == 302
    application.refresh_from_db()
    assert application.monthly_income == 18000


def test_the_database_refuses_a_zero_income():

    application = ApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(monthly_income=0)


def test_the_residence_start_is_written_the_portal_way_in_english(client):
    person = ResidentFactory(resident_since=datetime.date(2021, 9, 1))
    client.force_login(person)
    ApplicationFactory(person=person, basis="")
    response = client.post(url("step_basis"), {"basis": Basis.RESIDENCE_BORN_ABROAD})
    content = response.content.decode()
    assert "since 1 September 2021" in content
    assert "2021-09-01" not in content


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_declared_income_is_written_with_thousands_grouped(client, language):
    application = ApplicationFactory(submitted=True, monthly_income=18500)
    client.force_login(application.person)
    with translation.override(language):
        status_url = reverse("residency:status", args=[application.reference])
    page = client.get(status_url).content.decode()
    assert ">18,500</bdi>" in page


@pytest.mark.parametrize(
    ("days", "english", "arabic"),
    [
        (1, "2025: 1 day", "2025: يوم واحد"),
        (2, "2025: 2 days", "2025: يومان"),
        (10, "2025: 10 days", "2025: 10 أيام"),
        (45, "2025: 45 days", "2025: 45 يومًا"),
    ],
)
def test_days_abroad_are_counted_in_words_each_language_writes(client, days, english, arabic):
    application = ApplicationFactory(submitted=True, days_abroad={"2025": days, "2024": 0})
    client.force_login(application.person)
    for language, line in (("en", english), ("ar", arabic)):
        with translation.override(language):
            status_url = reverse("residency:status", args=[application.reference])
        page = client.get(status_url).content.decode()
        assert f"<li>{line}</li>" in page
        assert page.index(f"<li>{line}</li>") < page.index("<li>2024: ")  # newest year first
