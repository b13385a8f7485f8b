"""The person's signed-in sessions: listed on the settings page, each one endable.

Sessions stay in Django's database session store, which every app process
shares. A ``PersonSession`` row is written at sign-in; the store below keeps
its key current when the key rotates (at sign-in and at every step-up code),
so ending a session from another device always finds the live one.
"""

import dataclasses
import datetime
import re

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.dispatch import receiver
from django.utils import timezone

from accounts.middleware import LAST_SEEN
from accounts.models import Person, PersonSession
from accounts.network import client_ip


class SessionStore(DatabaseSessionStore):
    def cycle_key(self):
        old_key = self.session_key
        super().cycle_key()
        if old_key and old_key != self.session_key:
            PersonSession.objects.filter(session_key=old_key).update(session_key=self.session_key)


@receiver(user_logged_in, dispatch_uid="accounts.person_session_record")
def person_session_record(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    PersonSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "person": user,
            "user_agent": request.headers.get("User-Agent", "")[:300],
            "ip_address": client_ip(request) or None,
            "created_at": timezone.now(),
        },
    )


# Enough to tell two browsers apart on the settings page; the full string is kept.
_BROWSERS = [
    ("Edge", r"Edg/"),
    ("Opera", r"OPR/"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Chrome", r"Chrom(e|ium)/"),
    ("Firefox", r"Firefox/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X"),
    ("Linux", r"Linux"),
]


def device_label(user_agent: str) -> str:
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    return " · ".join(part for part in (browser, system) if part)


@dataclasses.dataclass
class SessionEntry:
    pk: int
    device: str
    ip_address: str
    created_at: datetime.datetime
    last_seen: datetime.datetime | None
    is_current: bool


def person_session_list(*, person: Person, current_key: str | None) -> list[SessionEntry]:
    """The person's live sessions, newest first (one query).

    A session is live while its row exists, has not expired, still carries the
    person's current session hash (a password change or "sign out everywhere"
    ends the others) and has not passed the idle limit.
    """
    now = timezone.now()
    rows = (
        PersonSession.objects.filter(person=person)
        .annotate(
            data=Subquery(
                Session.objects.filter(
                    session_key=OuterRef("session_key"), expire_date__gt=now
                ).values("session_data")[:1]
            )
        )
        .exclude(data=None)
        .order_by("-created_at", "-pk")
    )
    store = SessionStore()
    auth_hash = person.get_session_auth_hash()
    entries = []
    for row in rows:
        data = store.decode(row.data)
        if str(data.get("_auth_user_id")) != str(person.pk):
            continue
        if data.get("_auth_user_hash") != auth_hash:
            continue
        last_seen = data.get(LAST_SEEN)
        if last_seen and now.timestamp() - last_seen > settings.SESSION_IDLE_TIMEOUT:
            continue
        entries.append(
            SessionEntry(
                pk=row.pk,
                device=device_label(row.user_agent),
                ip_address=row.ip_address or "",
                created_at=row.created_at,
                last_seen=datetime.datetime.fromtimestamp(last_seen, datetime.UTC)
                if last_seen
                else None,
                is_current=row.session_key == current_key,
            )
        )
    return entries


@transaction.atomic
def person_session_end(*, person: Person, session_pk: int) -> bool:
    """End one of the person's sessions; ``False`` when it is not theirs or gone."""
    row = PersonSession.objects.select_for_update().filter(person=person, pk=session_pk).first()
    if row is None:
        return False
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()
    return True
