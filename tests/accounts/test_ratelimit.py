"""Every limit counts a whole fixed window, atomically, on the database cache
and on Redis alike."""

import datetime
import os
import uuid

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory

from accounts import conf, lockout
from accounts.ratelimit import FixedWindow
from tests.helpers import race

START = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)  # a window boundary
REDIS_URL = os.environ.get("CACHE_URL", "")
if not REDIS_URL.startswith("redis://"):
    REDIS_URL = "redis://127.0.0.1:6379/0"


def _use_cache(settings, kind: str) -> None:
    if kind == "database":
        settings.CACHES = {
            "default": {"BACKEND": "moi_portal.cache.DatabaseCache", "LOCATION": "portal_cache"}
        }
        call_command("createcachetable")
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "moi_portal.cache.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"ratelimit-test-{uuid.uuid4().hex}",
            }
        }


def _forget_redis_keys():
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{cache.key_prefix}:*"):
        client.delete(key)


@pytest.fixture(params=["database", "redis"])
def shared_cache(request, settings):
    request.getfixturevalue("db")
    _use_cache(settings, request.param)
    yield request.param
    if request.param == "redis":
        _forget_redis_keys()


def _request(address="203.0.113.9"):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_a_fifteen_minute_sign_in_window_still_counts_at_minute_fourteen(shared_cache, settings):
    settings.IP_FAILURE_LIMIT = 3
    with time_machine.travel(START, tick=False) as clock:
        lockout.ip_failure_record(_request())
        lockout.ip_failure_record(_request())
        clock.move_to(START + datetime.timedelta(minutes=14))
        assert not lockout.ip_is_throttled(_request())
        lockout.ip_failure_record(_request())
        assert lockout.ip_is_throttled(_request())
        assert not lockout.ip_is_throttled(_request("198.51.100.4"))


def test_the_sign_in_count_starts_again_in_the_next_window(shared_cache, settings):
    settings.IP_FAILURE_LIMIT = 3
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(3):
            lockout.ip_failure_record(_request())
        assert lockout.ip_is_throttled(_request())
        clock.move_to(START + datetime.timedelta(minutes=15))
        assert not lockout.ip_is_throttled(_request())


def test_an_hour_of_identity_attempts_counts_until_minute_fifty_nine(shared_cache):
    with time_machine.travel(START, tick=False) as clock:
        for minute in range(conf.settings.ACCOUNTS_IDENTITY_ATTEMPTS_PER_QID):
            clock.move_to(START + datetime.timedelta(minutes=minute * 14))
            assert lockout.identity_attempt_allowed(_request(), "28563400001")
        clock.move_to(START + datetime.timedelta(minutes=59))
        assert not lockout.identity_attempt_allowed(_request(), "28563400001")
        clock.move_to(START + datetime.timedelta(minutes=60))
        assert lockout.identity_attempt_allowed(_request(), "28563400001")


def test_the_cache_never_holds_the_qid(shared_cache):
    lockout.identity_attempt_allowed(_request(), "28563400001")
    key = lockout.identity_per_qid()._key("28563400001")
    assert "28563400001" not in key
    assert cache.get(key) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.parametrize("kind", ["database", "redis"])
def test_parallel_increments_from_separate_connections_lose_nothing(settings, kind):
    _use_cache(settings, kind)
    window = FixedWindow("parallel-test", 3600)
    threads_count, hits_each = 6, 15

    def worker():
        return [window.hit("same-address") for _ in range(hits_each)]

    outcomes = race([worker] * threads_count)
    try:
        assert [o for o in outcomes if not isinstance(o, list)] == []
        seen = [count for hits in outcomes for count in hits]
        assert sorted(seen) == list(range(1, threads_count * hits_each + 1))
        assert window.count("same-address") == threads_count * hits_each
    finally:
        if kind == "redis":
            _forget_redis_keys()
        else:
            cache.clear()
