"""Counts in Arabic use all six plural forms (CLDR: zero, one, two, few, many,
other), and durations are written from their values."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from accounts.durations import duration_text, months_text, working_days_text

PO = Path(__file__).resolve().parents[2] / "locale" / "ar" / "LC_MESSAGES" / "django.po"


def plural_entries():
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid_plural" not in block or block.lstrip().startswith("#~"):
            continue
        joined = re.sub(r'"\n"', "", block)
        msgid = re.search(r'^msgid "(.*)"$', joined, re.M).group(1)
        forms = re.findall(r'^msgstr\[(\d)\] "(.*)"$', joined, re.M)
        yield msgid, dict(forms)


def test_the_arabic_catalogue_declares_six_plural_forms():
    assert "nplurals=6;" in PO.read_text(encoding="utf-8")


@pytest.mark.parametrize(("msgid", "forms"), list(plural_entries()), ids=lambda v: str(v)[:40])
def test_every_arabic_plural_has_six_distinct_translated_forms(msgid, forms):
    assert sorted(forms) == ["0", "1", "2", "3", "4", "5"]
    assert all(forms.values()), f"{msgid}: a plural form is empty"
    # One, two and a few (3-10) are always written differently in Arabic.
    assert len({forms["1"], forms["2"], forms["3"]}) == 3, f"{msgid}: forms not translated"


@pytest.mark.parametrize(
    ("seconds", "arabic", "english"),
    [
        (60, "دقيقة واحدة", "1 minute"),
        (120, "دقيقتين", "2 minutes"),
        (300, "5 دقائق", "5 minutes"),
        (900, "15 دقيقة", "15 minutes"),
        (8 * 3600, "8 ساعات", "8 hours"),
        (3600, "ساعة واحدة", "1 hour"),
    ],
)
def test_durations_are_written_from_their_values(seconds, arabic, english):
    with translation.override("ar"):
        assert duration_text(seconds) == arabic
    with translation.override("en"):
        assert duration_text(seconds) == english


def test_working_days_and_months_follow_the_arabic_plural_rules():
    with translation.override("ar"):
        assert working_days_text(2) == "يومَي عمل"
        assert working_days_text(5) == "5 أيام عمل"
        assert months_text(12) == "12 شهرًا"


def test_no_translated_sentence_types_a_duration_in_words():
    """Durations come from values (``accounts.durations``), not from the msgid."""
    text = PO.read_text(encoding="utf-8")
    msgids = re.findall(r'^msgid "(.+)"$', re.sub(r'"\n"', "", text), re.M)
    typed = [
        m
        for m in msgids
        if re.search(r"\b\d+ (minutes?|hours?|(working )?days|months)\b", m)
        and "legal residence" not in m
    ]
    # A rule's name and an admin validation message, both about fixed rules.
    assert typed == [
        "Data confirmed within 12 months",
        "Slots last at least 5 minutes and serve at least one person.",
    ]
