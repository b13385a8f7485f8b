"""Background tasks: each takes an id, loads the row and calls a service.

A task imports its service inside its body and a service imports its task at
module level, so the two modules never import each other while loading.
"""

from django_tasks import task


@task()
def notification_send_task(notification_id: int) -> None:
    from messaging.notifications import notification_deliver

    notification_deliver(notification_id=notification_id)


@task()
def notification_email_task(notification_id: int) -> None:
    from messaging.notifications import notification_email_deliver

    notification_email_deliver(notification_id=notification_id)
