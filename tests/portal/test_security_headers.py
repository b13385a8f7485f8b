"""Content-Security-Policy and Permissions-Policy on every response (ASVS 5.0
V3.4.3, V3.4.6), admin, error pages and static files included."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from accounts.admin import PersonAdmin
from tests.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.error_urls")]

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
PERMISSIONS = {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_policies(response):
    policy = directives(response)
    for name, value in POLICY.items():
        assert policy[name] == value, name
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert set(response["Permissions-Policy"].split(", ")) >= PERMISSIONS


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/en/", 200),
        ("/ar/accounts/sign-in/", 200),
        ("/en/admin/login/", 200),
        ("/en/?q=%00", 400),
        ("/en/test-forbidden/", 403),
        ("/en/no-such-page/", 404),
        ("/en/test-broken/", 500),
        ("/static/css/portal.css", 200),
        ("/static/admin/css/base.css", 200),
        ("/healthz", 200),
    ],
)
def test_every_kind_of_response_carries_both_policies(path, status):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == status
    assert_policies(response)


def test_admin_pages_for_a_superuser_carry_both_policies(client):
    client.force_login(PersonFactory(is_staff=True, is_superuser=True))
    for path in ("/en/admin/", "/en/admin/accounts/person/", "/en/admin/residency/application/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_policies(response)


def test_the_one_inline_style_of_the_admin_change_list_has_the_response_nonce(client, monkeypatch):
    # Django writes a <style> block when a model admin hides both action bars.
    monkeypatch.setattr(PersonAdmin, "actions_on_top", False)
    monkeypatch.setattr(PersonAdmin, "actions_on_bottom", False)
    client.force_login(PersonFactory(is_staff=True, is_superuser=True))
    response = client.get("/en/admin/accounts/person/")
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["style-src"]
    assert "<style>" not in response.content.decode()


def test_pages_without_inline_code_send_no_nonce(client):
    response = client.get("/en/")
    assert "nonce-" not in response["Content-Security-Policy"]


def test_deploy_check_passes_with_production_settings():
    # As CI runs it: only the production variables, none of the test settings'.
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": "deploy-check-" + "x7Qp2" * 12,
        "ALLOWED_HOSTS": "eservices.example.org",
        "SMS_BACKEND": "twilio",
        "SIMULATION_MODE": "false",
        "DJANGO_SETTINGS_MODULE": "moi_portal.settings",
    }
    for name in ("DATABASE_URL", "CACHE_URL"):
        if name in os.environ:
            env[name] = os.environ[name]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
