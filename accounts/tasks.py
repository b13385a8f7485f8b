"""Background tasks: each takes an id, loads the row and calls a service."""

from django_tasks import task

from accounts.notifications import notification_deliver, notification_email_deliver
from accounts.otp import otp_deliver


@task()
def otp_deliver_task(device_id: int) -> None:
    otp_deliver(device_id=device_id)


@task()
def notification_send_task(notification_id: int) -> None:
    notification_deliver(notification_id=notification_id)


@task()
def notification_email_task(notification_id: int) -> None:
    notification_email_deliver(notification_id=notification_id)


@task()
def identity_code_task(flow_id: str) -> None:
    from accounts.identity import identity_code_send

    identity_code_send(flow_id=flow_id)
