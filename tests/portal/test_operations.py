"""Operations: liveness and readiness, the metrics endpoint, and sign-in while
the shared cache (Redis) is down (it must refuse, never allow unlimited guessing)."""

import datetime
import os
import uuid

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import IdentityFlow
from messaging.models import Notification
from moi_portal.cache import RedisCache
from tests.factories import DEFAULT_PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once, as with Redis stopped.
DOWN_CACHE = {
    "default": {
        "BACKEND": "moi_portal.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "copies": {
        "BACKEND": "moi_portal.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = DOWN_CACHE


def test_liveness_answers_without_touching_the_database_or_cache(
    client, cache_down, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_checks_database_cache_and_outbox(client):
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "outbox": "ok"}


def test_readiness_fails_while_the_cache_is_down_and_liveness_does_not(client, cache_down):
    assert client.get("/healthz/ready").status_code == 503
    assert client.get("/healthz/ready").json()["cache"] == "error"
    assert client.get("/healthz/live").status_code == 200


def test_readiness_fails_when_an_unsent_sms_is_older_than_the_limit(client, settings):
    settings.OUTBOX_READY_MAX_AGE = 600
    person = PersonFactory()
    message = Notification.objects.create(
        person=person,
        template="account_created",
        language="en",
        subject="Hello",
        body="Hello",
        number=person.mobile,
        status="queued",
        created_at=timezone.now() - datetime.timedelta(seconds=590),
    )
    assert client.get("/healthz/ready").status_code == 200

    Notification.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=700)
    )
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["outbox"] == "error"

    Notification.objects.filter(pk=message.pk).update(status="sent")
    assert client.get("/healthz/ready").status_code == 200


def test_metrics_report_requests_by_view_outbox_codes_and_lockouts(client):
    person = PersonFactory()
    Notification.objects.create(
        person=person,
        template="account_created",
        language="en",
        subject="Hello",
        body="Hello",
        number=person.mobile,
        status="queued",
        created_at=timezone.now() - datetime.timedelta(seconds=120),
    )
    client.get("/en/")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        'django_http_responses_total_by_status_view_method_total{method="GET",status="200",view="home"}'
        in text
    )
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    assert 'moi_outbox_messages{status="queued"} 1.0' in text
    age = next(
        line for line in text.splitlines() if line.startswith("moi_outbox_oldest_unsent_age")
    )
    assert 119 < float(age.split()[-1]) < 200
    assert "moi_otp_codes_undelivered 0.0" in text
    assert "moi_signin_locked_qids 0.0" in text
    assert "moi_signin_lockouts_total" in text


def test_metrics_are_not_served_through_the_public_proxy(client):
    response = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 404


def test_a_lockout_is_counted_in_the_metrics(client):
    person = PersonFactory()
    for _ in range(5):
        client.post(
            "/en/accounts/sign-in/", {"username": person.qid, "password": "wrong password 1"}
        )
    text = client.get("/metrics").content.decode()
    assert "moi_signin_locked_qids 1.0" in text


# --- The cache is down ----------------------------------------------------------


def test_sign_in_is_refused_while_the_cache_is_down_even_with_the_right_password(
    client, cache_down
):
    person = PersonFactory()
    response = client.post(
        "/en/accounts/sign-in/", {"username": person.qid, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sign-in briefly unavailable" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_also_refuses_while_the_cache_is_down(client, cache_down):
    person = PersonFactory(is_staff=True, is_superuser=True)
    client.post("/en/admin/login/", {"username": person.qid, "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_pages_that_need_no_cache_keep_working_while_it_is_down(client, cache_down):
    assert client.get("/en/").status_code == 200
    assert client.get("/en/accounts/sign-in/").status_code == 200


def test_registration_attempts_are_refused_while_the_cache_is_down(client, cache_down):
    response = client.post(
        "/en/accounts/register/",
        {"qid": "29163400009", "card_expiry": "2029-11-01"},
    )
    assert response.status_code == 429
    assert not IdentityFlow.objects.exists()


def test_sign_in_works_again_when_the_cache_is_back(client):
    person = PersonFactory()
    with override_settings(CACHES=DOWN_CACHE):
        response = client.post(
            "/en/accounts/sign-in/", {"username": person.qid, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 503
    response = client.post(
        "/en/accounts/sign-in/", {"username": person.qid, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def test_the_redis_cache_builds_one_client_per_pool_and_still_reconnects():
    """Every cache call used to build a new redis.Redis around the pool; now the
    client is built once. Calls still work, also after the server dropped the
    connections (the pool reconnects, as before)."""
    location = os.environ.get("CACHE_URL", "")
    if not location.startswith("redis://"):
        location = "redis://127.0.0.1:6379/0"
    redis_cache = RedisCache(location, {"KEY_PREFIX": f"client-test-{uuid.uuid4().hex}"})
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.set("answer", 42)
    client.connection_pool.disconnect()
    assert redis_cache.get("answer") == 42
    redis_cache.delete("answer")
