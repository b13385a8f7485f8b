"""Persistent database connections survive the server dropping them.

Requests go through Django's real WSGI handler, whose request signals close
obsolete connections and health-check kept ones (the test client turns those
signals off), against a real PostgreSQL server.
"""

import io

import psycopg2
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client

from tests.factories import PersonFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="drops a PostgreSQL server connection"
    ),
]


def test_production_settings_keep_connections_and_check_them():
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] >= 60
    assert database["CONN_HEALTH_CHECKS"] is True


def wsgi_get(path: str, cookie: str) -> int:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }
    statuses = []
    response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    response.close()  # sends request_finished, as a WSGI server does
    return int(statuses[0].split()[0])


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid: int) -> None:
    """What a server restart does to the app's connection, from another connection."""
    database = settings.DATABASES["default"]
    other = psycopg2.connect(
        dbname=database["NAME"],
        user=database["USER"],
        host=database["HOST"],
        port=database["PORT"] or 5432,
        password=database["PASSWORD"],
    )
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_a_dropped_connection_costs_no_failed_request_and_is_replaced():
    person = PersonFactory()
    client = Client()
    client.force_login(person)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}"
    page = "/en/accounts/requests/"

    assert wsgi_get(page, cookie) == 200
    kept = backend_pid()
    assert wsgi_get(page, cookie) == 200
    assert backend_pid() == kept, "the connection was not kept between requests"

    terminate(kept)
    statuses = [wsgi_get(page, cookie) for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert backend_pid() != kept
