from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Text messages")

    def ready(self):
        from django_tasks.signals import task_enqueued

        from messaging.wakeup import tasks_notify_workers

        task_enqueued.connect(tasks_notify_workers, dispatch_uid="messaging.tasks_notify_workers")
