"""The cluster of ``make cluster`` under load and faults (bench/cluster_test.py).

Marked ``cluster``: the default run leaves it out (pyproject's addopts); CI
runs it after the main suite, never beside it:

    .venv/bin/pytest -m cluster -n 0 tests/cluster

It starts the cluster when it is not running (and then stops it), runs the
load-and-fault script once with a short load, and turns each line of its
report into an assertion here.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent.parent
CLUSTER = [sys.executable, str(ROOT / "bench" / "cluster.py")]
MINUTES = os.environ.get("CLUSTER_TEST_MINUTES", "0.5")
# Not the test settings' environment (settings_test sets TASKS_BACKEND and more).
CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if k in {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "LOGNAME"}
    or k.startswith("CLUSTER_")
}


def _running() -> bool:
    state = subprocess.run(  # noqa: S603
        [*CLUSTER, "status"], capture_output=True, text=True, check=True, cwd=ROOT, env=CLEAN_ENV
    )
    return json.loads(state.stdout).get("nginx") is not None


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    started_here = not _running()
    if started_here:
        subprocess.run([*CLUSTER, "start"], check=True, cwd=ROOT, env=CLEAN_ENV)  # noqa: S603
    path = tmp_path_factory.mktemp("cluster") / "report.json"
    try:
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(ROOT / "bench" / "cluster_test.py"),
                "--minutes",
                MINUTES,
                "--json",
                str(path),
            ],
            cwd=ROOT,
            env=CLEAN_ENV,
            check=False,  # each fault is asserted below
            timeout=20 * 60,
        )
        yield json.loads(path.read_text())
    finally:
        if started_here:
            subprocess.run([*CLUSTER, "stop"], check=True, cwd=ROOT, env=CLEAN_ENV)  # noqa: S603


def fault(report, starts_with: str) -> dict:
    [line] = [f for f in report["faults"] if f["fault"].startswith(starts_with)]
    return line


def test_a_session_made_on_one_instance_works_on_the_other(report):
    line = fault(report, "session made on instance 1")
    assert line["ok"], line


def test_lockout_counts_are_shared_between_instances(report):
    line = fault(report, "lockout counted across instances")
    assert line["ok"], line


def test_address_throttle_counts_are_shared_between_instances(report):
    line = fault(report, "address throttle counted across instances")
    assert line["ok"], line


def test_twenty_parallel_verifications_over_both_instances_give_one_success(report):
    line = fault(report, "20 parallel verifications")
    assert line["ok"], line


def test_killing_an_app_instance_loses_nothing_and_doubles_nothing(report):
    line = fault(report, "kill -9 of app instance 1")
    assert line["ok"], line
    # Only requests in flight on the killed instance may fail; nginx moves the rest.
    assert line["failed"] <= 12, line
    assert report["lost"] == 0
    assert report["made_twice"] == 0


def test_killing_a_worker_while_it_sends_still_sends_every_message_once(report):
    line = fault(report, "kill -9 of a task worker")
    assert line["ok"], line
    sms = report["sms"]
    assert sms["duplicated"] == 0, sms
    assert sms["lost_messages"] == 0, sms
    assert sms["lost_codes"] == 0, sms


def test_provider_errors_and_timeouts_are_retried_and_nothing_is_doubled(report):
    assert fault(report, "SMS provider answers 500")["ok"]
    assert fault(report, "SMS provider times out")["ok"]
    sms = report["sms"]
    assert sms["refused_by_provider"] > 0, sms  # the fault really happened
    assert sms["repeats_absorbed_by_key"] > 0, sms  # the timeouts were retried
    assert sms["duplicated"] == 0, sms
    assert sms["lost_messages"] == 0, sms
    assert sms["lost_codes"] == 0, sms


def test_sign_in_fails_closed_while_redis_is_down_and_recovers(report):
    line = fault(report, "Redis stopped")
    assert line["ok"], line
    assert line["guesses_refused"] == 30


def test_the_app_recovers_from_a_postgresql_restart_without_being_restarted(report):
    line = fault(report, "PostgreSQL restarted")
    assert line["ok"], line


def test_every_success_seen_exists_once_and_every_sms_is_sent_once(report):
    assert fault(report, "every success a user saw")["ok"]
    assert fault(report, "every SMS sent exactly once")["ok"]
    assert sum(report["users_saw_ok"].values()) > 0
    assert report["users_saw_ok"]["payments"] > 0
    assert report["flows_ok"].get("staff decision", 0) > 0
