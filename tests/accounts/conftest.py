import re

import pytest

from messaging import sms


@pytest.fixture(autouse=True)
def sms_outbox():
    """Text messages sent through the test backend, emptied for each test."""
    sms.locmem_outbox.clear()
    yield sms.locmem_outbox
    sms.locmem_outbox.clear()


def last_code(outbox, number: str | None = None) -> str:
    """The 6-digit code of the newest SMS (to ``number`` when given)."""
    messages = [m for m in outbox if number is None or m.to == number]
    assert messages, "no SMS was sent"
    return re.search(r"\b(\d{6})\b", messages[-1].body).group(1)
