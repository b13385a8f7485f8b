"""The address throttle of accounts.lockout, in the authentication path itself,
so every sign-in form (the portal's and the admin's) is covered."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from accounts import lockout
from moi_portal.metrics import signin_lockouts


class AddressThrottleBackend:
    """Listed first: refuses every sign-in from an address that failed too often.

    Raising ``PermissionDenied`` stops ``authenticate()`` from trying the other
    backends, and Django then reports the attempt as failed. It never signs
    anyone in, so it has no ``get_user``.
    """

    def authenticate(self, request, **credentials):
        if request is not None and lockout.ip_is_throttled(request):
            raise PermissionDenied
        return None


@receiver(user_login_failed, dispatch_uid="accounts.count_address_failures")
def count_address_failures(sender, credentials, request=None, **kwargs):
    if request is not None:
        lockout.ip_failure_record(request)


@receiver(user_locked_out, dispatch_uid="accounts.count_lockouts")
def count_lockouts(sender, request=None, **kwargs):
    signin_lockouts.inc()
