"""The settings module refuses to start without a secret in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from accounts.checks import simulation_mode_check

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="moi_portal.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_stops_start_up_with_a_clear_message():
    result = run_check(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = run_check(DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_argon2_is_the_first_password_hasher():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SESSION_COOKIE_NAME", "__Host-sessionid"),
        ("CSRF_COOKIE_NAME", "__Host-csrftoken"),
        ("SESSION_COOKIE_SECURE", True),
        ("CSRF_COOKIE_SECURE", True),
        ("SESSION_COOKIE_HTTPONLY", True),
        ("SESSION_COOKIE_SAMESITE", "Lax"),
        ("CSRF_COOKIE_SAMESITE", "Lax"),
    ],
)
def test_production_cookie_settings(name, expected):
    assert getattr(settings, name) == expected


def test_deploy_check_warns_when_simulation_mode_is_on(settings):

    settings.SIMULATION_MODE = True
    assert [w.id for w in simulation_mode_check(None)] == ["accounts.W001"]
    settings.SIMULATION_MODE = False
    assert simulation_mode_check(None) == []
