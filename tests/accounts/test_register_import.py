import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.constants import CardKind, CardStatus, ChipStatus
from accounts.models import Person, SmartCard
from accounts.register_import import COLUMNS, RowError, import_errors_csv, register_import
from tests.factories import PersonFactory, SmartCardFactory, qid_for

pytestmark = pytest.mark.django_db

BORN = datetime.date(1985, 6, 15)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def register_row(n: int, **overrides) -> dict[str, str]:
    row = {
        "qid": qid_for(BORN, "QA", n),
        "name_ar": "مواطن تجريبي",
        "name_en": f"Citizen {n}",
        "date_of_birth": BORN.isoformat(),
        "sex": "M",
        "nationality": "QA",
        "mobile": f"+9745{n:07d}",
        "card_number": f"{400000000 + n:09d}",
        "card_kind": CardKind.CITIZEN_ID,
        "card_issued_on": "2024-01-01",
        "card_expires_on": "2029-01-01",
        "card_status": CardStatus.VALID,
        "chip_status": ChipStatus.ACTIVE,
    }
    row.update(overrides)
    return row


def register_file(rows, header=COLUMNS) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def import_rows(*rows, dry_run=False):
    return register_import(file=register_file(rows), dry_run=dry_run)


def only_error(result) -> RowError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- A valid file -----------------------------------------------------------


def test_a_valid_file_creates_people_without_usable_passwords_and_their_cards():
    result = import_rows(register_row(1, mobile="5512 3456"), register_row(2, sex="F"))

    assert result.saved
    assert (result.rows, result.people_created, result.cards_created) == (2, 2, 2)
    person = Person.objects.get(qid=qid_for(BORN, "QA", 1))
    assert person.mobile == "+97455123456"
    assert person.date_of_birth == BORN
    assert person.nationality.code == "QA"
    assert not person.has_usable_password()
    assert not person.has_online_account
    card = person.cards.get()
    assert card.number == "400000001"
    assert card.chip_status == ChipStatus.ACTIVE
    assert card.expires_on == datetime.date(2029, 1, 1)
    assert Person.objects.get(qid=qid_for(BORN, "QA", 2)).sex == "F"


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    rows = [register_row(n) for n in range(1, 4)]
    import_rows(*rows)

    again = import_rows(*rows)

    assert again.saved
    assert (again.people_created, again.people_updated, again.people_unchanged) == (0, 0, 3)
    assert (again.cards_created, again.cards_updated, again.cards_unchanged) == (0, 0, 3)
    assert (Person.objects.count(), SmartCard.objects.count()) == (3, 3)


def test_reimport_updates_people_by_qid_and_cards_by_number_and_keeps_the_online_account():
    card = SmartCardFactory(number="400000001", chip_status=ChipStatus.INACTIVE)
    person = card.person
    row = register_row(
        1, qid=person.qid, name_en="New Name", card_number=card.number, chip_status="active"
    )

    result = import_rows(row)

    assert (result.people_updated, result.cards_updated) == (1, 1)
    person.refresh_from_db()
    card.refresh_from_db()
    assert person.name_en == "New Name"
    assert person.has_usable_password()
    assert person.has_online_account
    assert card.chip_status == ChipStatus.ACTIVE
    assert card.person == person


def test_reimport_never_moves_a_registered_mobile_but_fills_an_empty_one():
    kept = PersonFactory(mobile="+97455000001")
    empty = PersonFactory(mobile="")
    import_rows(
        register_row(1, qid=kept.qid, mobile="+97466123456", name_en="Kept Mobile"),
        register_row(2, qid=empty.qid, mobile="+97477123456"),
    )
    kept.refresh_from_db()
    empty.refresh_from_db()
    assert (kept.mobile, kept.name_en) == ("+97455000001", "Kept Mobile")
    assert empty.mobile == "+97477123456"


def test_imported_changes_are_in_the_change_history_with_the_staff_member():
    staff = PersonFactory(staff=True, qid=qid_for(BORN, "QA", 99999))

    register_import(file=register_file([register_row(1)]), actor=staff)
    register_import(file=register_file([register_row(1, name_en="Renamed")]), actor=staff)

    person = Person.objects.get(qid=qid_for(BORN, "QA", 1))
    history = list(person.history.order_by("history_date", "history_id"))
    assert [(h.history_type, h.name_en) for h in history] == [("+", "Citizen 1"), ("~", "Renamed")]
    assert {h.history_user for h in history} == {staff}
    assert history[0].history_change_reason == "Population register import"
    assert person.cards.get().history.get().history_type == "+"


def test_a_text_file_object_is_read_and_the_callers_file_stays_open():
    text = io.StringIO(register_file([register_row(1)]).getvalue().decode())
    binary = register_file([register_row(2)])

    assert register_import(file=text).people_created == 1
    assert register_import(file=binary).people_created == 1
    assert not text.closed
    assert not binary.closed


def test_a_file_saved_by_a_spreadsheet_with_a_byte_order_mark_is_read():
    data = b"\xef\xbb\xbf" + register_file([register_row(1)]).getvalue()

    assert register_import(file=io.BytesIO(data)).people_created == 1


def test_a_dry_run_reports_the_counts_and_saves_nothing():
    result = import_rows(register_row(1), register_row(2), dry_run=True)

    assert result.ok
    assert not result.saved
    assert (result.people_created, result.cards_created) == (2, 2)
    assert not Person.objects.exists()


# --- All or nothing ---------------------------------------------------------


def test_one_bad_row_among_5000_imports_nothing_and_names_exactly_that_row_and_field():
    rows = [register_row(n) for n in range(1, 5001)]
    rows[2999]["card_expires_on"] = "2023-12-31"

    result = import_rows(*rows)

    assert result.rows == 5000
    assert result.errors == [
        RowError(3001, "card_expires_on", "2023-12-31", "A card must expire after it was issued.")
    ]
    assert not Person.objects.exists()
    assert not SmartCard.objects.exists()
    assert result.people_created == 0


def test_a_register_conflict_in_a_late_batch_rolls_back_the_batches_already_written():
    someone_else = SmartCardFactory(number="CARD-TAKEN", person__qid=qid_for(BORN, "QA", 99999))
    rows = [register_row(n) for n in range(1, 4501)]
    rows[4400]["card_number"] = "CARD-TAKEN"

    result = import_rows(*rows)

    error = only_error(result)
    assert (error.line, error.column) == (4402, "card_number")
    assert error.message == "This card number is registered to another person."
    assert Person.objects.get() == someone_else.person
    assert result.people_created == 0


def test_a_second_valid_card_of_the_same_kind_for_one_person_is_refused():
    card = SmartCardFactory(number="OLD-CARD")

    result = import_rows(register_row(1, qid=card.person.qid, card_number="NEW-CARD"))

    error = only_error(result)
    assert (error.column, error.value) == ("card_status", "valid")
    assert "OLD-CARD" in error.message
    assert not SmartCard.objects.filter(number="NEW-CARD").exists()


# --- Each rule --------------------------------------------------------------

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"qid": "2856340000"}, "qid", "A Qatar ID number has exactly 11 digits."),
        ({"qid": "28563400A01"}, "qid", "A Qatar ID number has digits only."),
        ({"qid": "18563400001"}, "qid", "the first digit must be 2 or 3"),
        ({"qid": "28599900001"}, "qid", "digits 4 to 6 are not a nationality code"),
        ({"qid": "28663400001"}, "qid", "does not match the year of birth"),
        ({"nationality": "IN"}, "nationality", "does not match the Qatar ID number"),
        ({"nationality": "QAT"}, "nationality", "two-letter country code"),
        ({"nationality": "ZZ"}, "nationality", "two-letter country code"),
        ({"mobile": "12345678"}, "mobile", "Enter a Qatar mobile number"),
        ({"mobile": "+97444123456"}, "mobile", "Enter a Qatar mobile number"),
        ({"date_of_birth": "15/06/1985"}, "date_of_birth", "yyyy-mm-dd"),
        ({"date_of_birth": "19850615"}, "date_of_birth", "yyyy-mm-dd"),
        ({"date_of_birth": "1985-02-30"}, "date_of_birth", "yyyy-mm-dd"),
        (
            {"date_of_birth": TOMORROW.isoformat(), "qid": qid_for(TOMORROW, "QA", 1)},
            "date_of_birth",
            "in the future",
        ),
        ({"card_issued_on": "2024-1-1"}, "card_issued_on", "yyyy-mm-dd"),
        ({"card_expires_on": ""}, "card_expires_on", "yyyy-mm-dd"),
        ({"card_expires_on": "2024-01-01"}, "card_expires_on", "must expire after"),
        ({"sex": "X"}, "sex", "Enter one of: F, M."),
        ({"card_kind": "passport"}, "card_kind", "Enter one of: citizen_id"),
        ({"card_status": "active"}, "card_status", "Enter one of: valid"),
        ({"chip_status": "on"}, "chip_status", "Enter one of: inactive, active, blocked."),
        ({"name_en": ""}, "name_en", "This field is required."),
        ({"name_ar": "ا" * 201}, "name_ar", "Enter at most 200 characters."),
        ({"card_number": ""}, "card_number", "This field is required."),
        ({"card_number": "9" * 21}, "card_number", "Enter at most 20 characters."),
    ],
)
def test_each_rule_reports_the_bad_field_alone(overrides, column, message):
    result = import_rows(register_row(1), register_row(2, **overrides))

    error = only_error(result)
    assert (error.line, error.column) == (3, column)
    assert message in error.message
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "stored"),
    [
        ({"mobile": "5512 3456"}, {"mobile": "+97455123456"}),
        ({"mobile": "0097455123456"}, {"mobile": "+97455123456"}),
        ({"mobile": ""}, {"mobile": ""}),
        ({"qid": "٢٨٥٦٣٤٠٠٠٠١"}, {"qid": "28563400001"}),
        ({"qid": " 285 634 00001 "}, {"qid": "28563400001"}),
        ({"nationality": "qa"}, {"nationality": "QA"}),
    ],
)
def test_accepted_input_is_stored_in_normal_form(overrides, stored):
    result = import_rows(register_row(1, **overrides))

    assert result.saved, result.errors
    person = Person.objects.values("qid", "mobile", "nationality").get()
    assert {key: person[key] for key in stored} == stored


def test_a_qid_that_appears_twice_is_reported_on_its_second_line():
    result = import_rows(register_row(1), register_row(2), register_row(1, card_number="X1"))

    error = only_error(result)
    assert (error.line, error.column, error.value) == (4, "qid", qid_for(BORN, "QA", 1))
    assert error.message == "This Qatar ID number already appears on line 2."


def test_a_card_number_that_appears_twice_is_reported_on_its_second_line():
    result = import_rows(register_row(1), register_row(2, card_number="400000001"))

    error = only_error(result)
    assert (error.line, error.column) == (3, "card_number")
    assert error.message == "This card number already appears on line 2."


def test_a_missing_or_unknown_column_is_reported_on_the_header_line_and_no_row_is_checked():
    header = [name for name in COLUMNS if name != "mobile"] + ["passport"]
    rows = [{**register_row(1), "passport": "P1", "qid": "bad"}]

    result = register_import(file=register_file(rows, header=header))

    assert [(e.line, e.column) for e in result.errors] == [(1, "mobile"), (1, "passport")]


def test_a_row_with_the_wrong_number_of_values_is_reported():
    data = register_file([register_row(1)]).getvalue() + b"1,2,3\r\n"

    error = only_error(register_import(file=io.BytesIO(data)))

    assert error.line == 3
    assert error.message == "This row has 3 values; the header has 13."


def test_a_file_that_is_not_utf8_or_is_empty_is_refused():
    latin1 = register_file([register_row(1, name_ar="Jose", name_en="José")]).getvalue().decode()
    not_utf8 = register_import(file=io.BytesIO(latin1.encode("latin-1")))
    empty = register_import(file=io.BytesIO(b""))

    assert only_error(not_utf8).message == "The file is not UTF-8 encoded text."
    assert only_error(empty).message == "The file is empty."
    assert not Person.objects.exists()


# --- Error report -----------------------------------------------------------


def test_the_error_report_lists_line_column_value_and_message_and_disarms_formulas():
    result = import_rows(register_row(1, sex="X", mobile="=HYPERLINK(1)"))

    report = list(csv.reader(io.StringIO(import_errors_csv(result))))

    assert report == [
        ["line", "column", "value", "message"],
        ["2", "sex", "X", "Enter one of: F, M."],
        [
            "2",
            "mobile",
            "'=HYPERLINK(1)",
            "Enter a Qatar mobile number: 8 digits starting with 3, 5, 6 or 7.",
        ],
    ]


# --- Command ----------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_the_counts(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(register_file([register_row(1), register_row(2)]).getvalue())
    out = io.StringIO()

    call_command("import_register", str(path), stdout=out)

    assert "People: 2 created" in out.getvalue()
    assert Person.objects.count() == 2


def test_the_command_writes_the_error_report_and_fails(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(register_file([register_row(1, sex="X")]).getvalue())
    report = tmp_path / "errors.csv"

    with pytest.raises(CommandError, match="Errors found: 1"):
        call_command(
            "import_register", str(path), "--errors-out", str(report), stderr=io.StringIO()
        )

    assert "2,sex,X," in report.read_text()
    assert not Person.objects.exists()


def test_the_command_exits_with_status_1_when_the_file_has_errors(tmp_path, capsys):
    path = tmp_path / "register.csv"
    path.write_bytes(register_file([register_row(1, card_kind="passport")]).getvalue())

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "import_register", str(path)]).execute()

    assert exit_.value.code == 1
    assert "2:card_kind:" in capsys.readouterr().err


# --- Admin page -------------------------------------------------------------


@pytest.fixture
def superuser(client):
    user = PersonFactory(staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def plain_staff(client):
    user = PersonFactory(staff=True)
    client.force_login(user)
    return user


def upload(rows, name="register.csv"):
    return SimpleUploadedFile(name, register_file(rows).getvalue(), content_type="text/csv")


def test_the_person_list_links_to_the_import_page_for_users_who_may_import(client, superuser):
    page = client.get(reverse("admin:accounts_person_changelist"))

    assert reverse("admin:accounts_person_import") in page.content.decode()


def test_the_import_page_shows_the_upload_form(client, superuser):
    page = client.get(reverse("admin:accounts_person_import"))

    assert page.status_code == 200
    assert "Register file (CSV)" in page.content.decode()


def test_the_import_page_imports_a_valid_file_and_shows_the_counts(client, superuser):
    page = client.post(reverse("admin:accounts_person_import"), {"file": upload([register_row(1)])})

    assert "The register was imported." in page.content.decode()
    assert "People: 1 created" in page.content.decode()
    assert Person.objects.filter(qid=qid_for(BORN, "QA", 1)).exists()


def test_the_import_page_reads_a_large_upload_spooled_to_disk(client, superuser, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0

    client.post(reverse("admin:accounts_person_import"), {"file": upload([register_row(1)])})

    assert Person.objects.filter(qid=qid_for(BORN, "QA", 1)).exists()


def test_the_import_page_lists_the_errors_and_offers_the_report_download(client, superuser):
    page = client.post(
        reverse("admin:accounts_person_import"),
        {"file": upload([register_row(1), register_row(2, chip_status="on")])},
    )

    assert "Download error report" in page.content.decode()
    assert "chip_status" in page.content.decode()
    report = client.get(page.context["report_url"])
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in report["Content-Disposition"]
    assert "3,chip_status,on," in report.content.decode("utf-8-sig")
    assert not Person.objects.filter(qid=qid_for(BORN, "QA", 1)).exists()


def test_an_error_report_cannot_be_downloaded_by_another_user(client, superuser):
    page = client.post(
        reverse("admin:accounts_person_import"), {"file": upload([register_row(1, sex="X")])}
    )
    client.force_login(PersonFactory(staff=True, is_superuser=True))

    assert client.get(page.context["report_url"]).status_code == 404


def test_the_import_page_refuses_a_file_that_is_not_csv(client, superuser):
    page = client.post(
        reverse("admin:accounts_person_import"),
        {"file": upload([register_row(1)], name="register.xlsx")},
    )

    assert page.context["form"].errors["file"]
    assert not Person.objects.filter(qid=qid_for(BORN, "QA", 1)).exists()


def test_staff_without_the_import_permission_cannot_open_import_or_download(client, plain_staff):
    assert not plain_staff.has_perm("accounts.import_register")
    url = reverse("admin:accounts_person_import")

    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload([register_row(1)])}).status_code == 403
    report_url = reverse("admin:accounts_person_import_report", kwargs={"token": "abc"})
    assert client.get(report_url).status_code == 403
    assert not Person.objects.filter(qid=qid_for(BORN, "QA", 1)).exists()
