"""The client's address, as the trusted proxies report it.

With ``TRUSTED_PROXY_COUNT = 0`` the socket address is used and
``X-Forwarded-For`` is ignored: any client can write that header. With N
trusted proxies, each appends the address it received the request from, so
the Nth entry from the right was written by our own outermost proxy; entries
further left are whatever the client sent and are never used.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
    ]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
