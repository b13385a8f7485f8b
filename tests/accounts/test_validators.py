import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    mask_mobile,
    normalize_qatar_mobile,
    normalize_qid,
    validate_qid,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("28563400001", "28563400001"),
        ("285 634 00001", "28563400001"),
        ("٢٨٥٦٣٤٠٠٠٠١", "28563400001"),
        ("٢٨٥ ٦٣٤ ٠٠٠٠١", "28563400001"),
        ("۲۸۵۶۳۴۰۰۰۰۱", "28563400001"),
        (" 28563400001\t", "28563400001"),
        ("285-634-00001", "28563400001"),
    ],
)
def test_qid_input_is_normalised_to_ascii_digits(raw, expected):
    assert normalize_qid(raw) == expected
    assert validate_qid(raw) == expected


@pytest.mark.parametrize(
    ("qid", "date_of_birth"),
    [
        ("28563400001", datetime.date(1985, 3, 14)),  # Qatari born 1985
        ("31263400004", datetime.date(2012, 5, 10)),  # Qatari born 2012
        ("27535600008", datetime.date(1975, 8, 22)),  # Indian resident
        ("29058600010", None),  # Pakistani resident, birth date unknown
        ("20084099999", datetime.date(1900, 1, 1)),  # US national born 1900
    ],
)
def test_valid_qids_are_accepted(qid, date_of_birth):
    assert validate_qid(qid, date_of_birth) == qid


@pytest.mark.parametrize(
    ("qid", "date_of_birth", "code"),
    [
        ("", None, "qid_not_digits"),
        ("2856340000", None, "qid_length"),  # 10 digits
        ("285634000011", None, "qid_length"),  # 12 digits
        ("2856340000A", None, "qid_not_digits"),
        ("+8563400001", None, "qid_not_digits"),
        ("18563400001", None, "qid_century"),
        ("48563400001", None, "qid_century"),
        ("28599900001", None, "qid_nationality"),  # 999 is not an ISO 3166 code
        ("28500000001", None, "qid_nationality"),
        ("28563400001", datetime.date(1986, 3, 14), "qid_birth_year"),
        ("38563400001", datetime.date(1985, 3, 14), "qid_birth_year"),  # wrong century
        # str.isdigit() is true for these, but int() refuses them.
        ("2856³400001", None, "qid_not_digits"),  # superscript three
        ("²⁸⁵⁶³⁴⁰⁰⁰⁰¹", None, "qid_not_digits"),
        ("285634０0001", None, "qid_not_digits"),  # fullwidth zero
        ("285६३४00001", None, "qid_not_digits"),  # Devanagari
        ("28563400001①", None, "qid_not_digits"),  # circled one
    ],
)
def test_invalid_qids_are_refused_with_a_reason(qid, date_of_birth, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_qid(qid, date_of_birth)
    assert excinfo.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5512 3456", "+97455123456"),
        ("55123456", "+97455123456"),
        ("+97455123456", "+97455123456"),
        ("+974 5512 3456", "+97455123456"),
        ("0097455123456", "+97455123456"),
        ("٥٥١٢٣٤٥٦", "+97455123456"),
        ("33123456", "+97433123456"),
        ("66123456", "+97466123456"),
        ("77123456", "+97477123456"),
    ],
)
def test_qatar_mobiles_are_stored_in_e164(raw, expected):
    assert normalize_qatar_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "44123456",  # landline
        "15123456",
        "5512345",  # 7 digits
        "551234567",  # 9 digits
        "+96655123456",  # Saudi number
        "+9745512345",
        "phone",
        "+974 8812 3456",
    ],
)
def test_non_qatar_mobiles_are_refused(raw):
    with pytest.raises(ValidationError) as excinfo:
        normalize_qatar_mobile(raw)
    assert excinfo.value.code == "mobile_invalid"


def test_mobile_is_masked_to_its_last_four_digits():
    assert mask_mobile("+97455123456") == "\u2066+974 •••• 3456\u2069"
    assert mask_mobile("") == ""
