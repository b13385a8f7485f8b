"""An idle task worker starts a queued task at once: NOTIFY on enqueue, LISTEN while idle.

Real connections: the notification travels from the test's connection to the
worker's own listening session, and only once the task's row is committed.
"""

import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from messaging.tasks import notification_send_task
from messaging.wakeup import TaskWakeup

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's"),
]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def wakeup():
    wakeup = TaskWakeup()
    assert wakeup.wait(0) is False  # listening from here on
    yield wakeup
    wakeup.close()


@override_settings(TASKS=DATABASE_TASKS)
def test_a_queued_task_wakes_an_idle_worker_at_once(wakeup):
    notification_send_task.enqueue(notification_id=1)

    started = time.monotonic()
    assert wakeup.wait(5) is True
    assert time.monotonic() - started < 1


@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_is_woken_only_when_the_task_is_committed(wakeup):
    with transaction.atomic():
        notification_send_task.enqueue(notification_id=1)
        assert wakeup.wait(0.2) is False

    assert wakeup.wait(5) is True


@override_settings(TASKS=DATABASE_TASKS)
def test_without_a_task_the_wait_lasts_the_interval(wakeup):
    started = time.monotonic()

    assert wakeup.wait(0.3) is False
    assert time.monotonic() - started >= 0.3


@override_settings(TASKS=DATABASE_TASKS, TASK_WORKER_NOTIFY=False)
def test_turned_off_the_worker_only_polls():
    wakeup = TaskWakeup()
    notification_send_task.enqueue(notification_id=1)

    started = time.monotonic()
    assert wakeup.wait(0.2) is False
    assert time.monotonic() - started >= 0.2
    assert wakeup._connection is None


@override_settings(TASKS=DATABASE_TASKS)
def test_the_task_worker_runs_the_queued_tasks():
    notification_send_task.enqueue(notification_id=1)
    notification_send_task.enqueue(notification_id=2)

    call_command("task_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@override_settings(TASKS=DATABASE_TASKS)
def test_a_lost_listening_connection_is_replaced_and_the_worker_polls_meanwhile(wakeup):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [wakeup._connection.get_backend_pid()])

    assert wakeup.wait(5) is False  # the connection's end, noticed
    assert wakeup._connection is None
    assert wakeup.wait(0) is False  # listening again
    notification_send_task.enqueue(notification_id=1)
    assert wakeup.wait(5) is True
