import re

import pytest
import time_machine

from accounts.services import reference_next

pytestmark = pytest.mark.django_db


def test_references_count_up_per_prefix():
    with time_machine.travel("2026-05-01 10:00 +03:00"):
        assert reference_next(prefix="ACT") == "ACT-2026-000001"
        assert reference_next(prefix="ACT") == "ACT-2026-000002"
        assert reference_next(prefix="PR") == "PR-2026-000001"


def test_references_restart_each_year():
    with time_machine.travel("2026-12-31 23:00 +03:00"):
        assert reference_next(prefix="ACT") == "ACT-2026-000001"
    with time_machine.travel("2027-01-01 00:30 +03:00"):
        assert reference_next(prefix="ACT") == "ACT-2027-000001"


def test_reference_year_follows_qatar_time_not_utc():
    # 2026-12-31 22:30 UTC is already 2027 in Doha.
    with time_machine.travel("2026-12-31 22:30 +00:00"):
        assert re.fullmatch(r"ACT-2027-\d{6}", reference_next(prefix="ACT"))
