"""Background tasks: each takes an id, loads the row and calls a service.

A task imports its service inside its body and a service imports its task at
module level, so the two modules never import each other while loading.
"""

from django_tasks import task


@task()
def otp_deliver_task(device_id: int) -> None:
    from accounts.otp import otp_deliver

    otp_deliver(device_id=device_id)


@task()
def identity_code_task(flow_id: str) -> None:
    from accounts.identity import identity_code_send

    identity_code_send(flow_id=flow_id)
