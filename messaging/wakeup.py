"""Wake idle task workers when a task is queued, with PostgreSQL LISTEN/NOTIFY.

django-tasks-db's worker looks for work, and when there is none sleeps for its
polling interval: a one-time code queued just after it looked waited up to
that long, and every idle worker queried the database ten times a second to
keep the wait short. Now every task queued on the database backend also sends
``NOTIFY``, which PostgreSQL delivers when the task's row is committed, and an
idle worker (``manage.py task_worker``) waits on ``LISTEN`` instead of
sleeping. Its polling interval remains the longest wait, so a notification
that never arrives (the worker was reconnecting) costs no more than before.

LISTEN needs a session of its own: behind PgBouncer in transaction mode, give
the workers a ``DATABASE_URL`` that reaches PostgreSQL directly, or set
``TASK_WORKER_NOTIFY=false`` and let them poll.
"""

import contextlib
import logging
import select
import time

from django.conf import settings
from django.db import connections, router
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

CHANNEL = "moi_portal_tasks"


def _enabled(alias: str) -> bool:
    return settings.TASK_WORKER_NOTIFY and connections[alias].vendor == "postgresql"


def tasks_notify_workers(*, sender, **kwargs) -> None:
    """``task_enqueued`` receiver: tell listening workers to look for work now."""
    if not (isinstance(sender, type) and issubclass(sender, DatabaseBackend)):
        return
    alias = router.db_for_write(DBTaskResult)
    if not _enabled(alias):
        return
    with connections[alias].cursor() as cursor:
        # Inside a transaction PostgreSQL holds the notification until commit,
        # when the task's row becomes visible to the worker.
        cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


class TaskWakeup:
    """A session of its own that LISTENs on ``CHANNEL``; ``wait`` sleeps until a
    notification or the timeout. Without PostgreSQL (or when turned off) it sleeps."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self._connection = None

    def wait(self, timeout: float) -> bool:
        """Return True when woken by a notification, False after ``timeout`` seconds."""
        listener = self._listener()
        if listener is None:
            time.sleep(timeout)
            return False
        try:
            if not listener.notifies:
                readable, _w, _x = select.select([listener], [], [], timeout)
                if readable:
                    listener.poll()
                    if not listener.notifies:
                        # Readable with nothing to read: the server may have ended the
                        # session, which poll() does not report; a query does.
                        with listener.cursor() as cursor:
                            cursor.execute("SELECT 1")
            woken = bool(listener.notifies)
            listener.notifies.clear()
            return woken
        except Exception:  # noqa: BLE001 - any failure: reconnect on the next wait
            logger.warning("Task wake-up connection lost; polling until it is back.")
            self.close()
            return False

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                self._connection.close()
            self._connection = None

    def _listener(self):
        if self._connection is not None:
            return self._connection
        if not _enabled(self.alias):
            return None
        wrapper = connections[self.alias]
        try:
            listener = wrapper.get_new_connection(wrapper.get_connection_params())
            listener.autocommit = True
            with listener.cursor() as cursor:
                cursor.execute(f'LISTEN "{CHANNEL}"')
        except Exception:  # noqa: BLE001 - the worker still polls
            logger.warning("Task workers cannot LISTEN for new tasks; polling instead.")
            return None
        self._connection = listener
        return listener
