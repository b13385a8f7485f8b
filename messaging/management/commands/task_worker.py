"""``db_worker`` that an idle worker leaves as soon as a task is queued.

Same options and loop as django-tasks-db's ``db_worker``; only the wait when
the queue is empty differs: ``messaging.wakeup.TaskWakeup`` returns on the
NOTIFY sent with each queued task, and ``--interval`` is the longest wait.
"""

import os
import random
import time

from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from messaging.wakeup import TaskWakeup


class Worker(db_worker.Worker):
    def run(self) -> None:
        db_worker.logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreads the workers' first looks
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        wakeup = TaskWakeup(tasks.db)
        try:
            while self.running:
                close_old_connections()
                # Listening before the look: a task queued after it ends the wait below.
                wakeup.wait(0)
                retrieved = True
                with exclusive_transaction(tasks.db):
                    try:
                        task_result = tasks.get_locked()
                        if task_result is not None:
                            task_result.claim(self.worker_id)
                    except OperationalError as exc:
                        if not is_locked_database_exception(exc):
                            raise
                        task_result, retrieved = None, False
                if task_result is not None:
                    self.run_task(task_result)
                if self.batch and retrieved and task_result is None:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and task_result is None:
                    wakeup.wait(self.interval)
        finally:
            wakeup.close()


class Command(db_worker.Command):
    help = (
        "Run a database background worker (django-tasks-db's db_worker) that starts a "
        "task as soon as it is queued: idle, it waits for PostgreSQL's NOTIFY, and "
        "--interval is the longest wait."
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
