"""Staff groups and their permissions: the least each kind of staff needs
(PRODUCT.md section 8).

This table is the only definition. ``roles_sync`` makes the database match it
after every ``migrate`` (and after the test runner flushes the database), so a
permission granted by hand in admin does not survive the next deployment.

- Residency reviewer: reads applications and their documents, decides them.
- Service-centre clerk: records card collection and rebooks no-shows; decides
  chip activation, personal photo and data correction requests at the counter.
  Cannot decide residency applications.
- Support agent: helps people sign in: finds a person, unlocks the account,
  resends a registration code, ends sessions, reads sign-in and code events
  (never codes). Sees no documents and no photos.
- Administrator: manages staff, the catalogue, centres, holidays and the
  register import.

Account changes (a new mobile number, a reset of a staff member's second
factor) take two people: support agents, clerks and administrators propose
them; support agents and administrators approve them, never their own
proposal (``accounts.policies``).
"""

from django.apps import apps as global_apps
from django.utils.translation import gettext_noop

# Group names double as the office a person sees in "Who viewed your data".
REVIEWER = gettext_noop("Residency reviewer")
CLERK = gettext_noop("Service-centre clerk")
SUPPORT = gettext_noop("Support agent")
ADMINISTRATOR = gettext_noop("Administrator")

_PEOPLE_READ = ["accounts.view_person", "accounts.view_smartcard"]
_REQUEST_HISTORY = ["accounts.view_statuschange"]
_PROPOSE_ACCOUNT_CHANGE = [
    "accounts.view_accountchangerequest",
    "accounts.add_accountchangerequest",
]
_DECIDE_ACCOUNT_CHANGE = [*_PROPOSE_ACCOUNT_CHANGE, "accounts.approve_mobile_change"]

ROLES: dict[str, list[str]] = {
    REVIEWER: [
        *_PEOPLE_READ,
        *_REQUEST_HISTORY,
        "residency.view_application",
        "residency.review_application",
        "residency.view_document",
        "residency.view_appointment",
        "residency.view_servicecentre",
        "residency.view_publicholiday",
        "residency.view_payment",
    ],
    CLERK: [
        *_PEOPLE_READ,
        *_REQUEST_HISTORY,
        "residency.view_application",
        "residency.record_collection",
        "residency.view_appointment",
        "residency.view_appointmentslot",
        "residency.view_servicecentre",
        "residency.view_payment",
        "activation.view_activationrequest",
        "activation.view_deactivationrequest",
        "activation.view_cardservice",
        "activation.view_chiprequest",
        "activation.decide_chiprequest",
        "activation.view_photorequest",
        "activation.decide_photorequest",
        "activation.view_correctionrequest",
        "activation.decide_correctionrequest",
        *_PROPOSE_ACCOUNT_CHANGE,
    ],
    SUPPORT: [
        *_PEOPLE_READ,
        "accounts.support_account",
        "accounts.view_otpevent",
        "messaging.view_notification",
        "activation.view_activationrequest",
        "activation.view_deactivationrequest",
        "activation.view_cardservice",
        "activation.view_chiprequest",
        "axes.view_accessattempt",
        "axes.view_accesslog",
        *_DECIDE_ACCOUNT_CHANGE,
    ],
    ADMINISTRATOR: [
        "accounts.add_person",
        "accounts.change_person",
        "accounts.view_person",
        "accounts.support_account",
        "accounts.import_register",
        "accounts.add_smartcard",
        "accounts.change_smartcard",
        "accounts.view_smartcard",
        "accounts.view_statuschange",
        "accounts.view_otpevent",
        "messaging.view_notification",
        "accounts.view_persondataaccess",
        "auth.view_group",
        "activation.view_activationrequest",
        "activation.view_chiprequest",
        "activation.view_correctionrequest",
        "activation.add_eservice",
        "activation.change_eservice",
        "activation.view_eservice",
        "residency.add_servicecentre",
        "residency.change_servicecentre",
        "residency.view_servicecentre",
        "residency.add_appointmentslot",
        "residency.change_appointmentslot",
        "residency.view_appointmentslot",
        "residency.add_publicholiday",
        "residency.change_publicholiday",
        "residency.delete_publicholiday",
        "residency.view_publicholiday",
        "residency.view_application",
        "residency.add_fee",
        "residency.change_fee",
        "residency.delete_fee",
        "residency.view_fee",
        "residency.view_payment",
        "residency.refund_payment",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        *_DECIDE_ACCOUNT_CHANGE,
    ],
}


def roles_sync(*, apps=None, using="default") -> None:
    """Create the groups and give each exactly the permissions of ``ROLES``."""
    if apps is None:
        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {perm for perms in ROLES.values() for perm in perms}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
        if f"{app_label}.{codename}" in wanted
    }
    for name, perms in ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set([found[perm] for perm in perms if perm in found])


def roles_sync_after_migrate(sender, using="default", **kwargs) -> None:
    roles_sync(using=using)
