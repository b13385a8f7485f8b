"""`make run` on a used checkout: the demo settings land in .env, the port is a choice."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

MAKEFILE = Path(settings.BASE_DIR) / "Makefile"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def make(tmp_path, *args) -> str:
    shutil.copy(MAKEFILE, tmp_path / "Makefile")
    done = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "--no-print-directory", *args],  # noqa: S607
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_run_writes_the_demo_settings_to_env_once(tmp_path):
    make(tmp_path, ".env")
    make(tmp_path, ".env")
    lines = (tmp_path / ".env").read_text().splitlines()
    assert lines == ["DEBUG=true", "SIMULATION_MODE=true", "SMS_BACKEND=sandbox"]


def test_make_run_keeps_a_setting_already_in_env(tmp_path):
    (tmp_path / ".env").write_text("SMS_BACKEND=twilio\n")
    make(tmp_path, ".env")
    lines = (tmp_path / ".env").read_text().splitlines()
    assert lines == ["SMS_BACKEND=twilio", "DEBUG=true", "SIMULATION_MODE=true"]


def test_make_run_serves_on_the_port_given(tmp_path):
    (tmp_path / ".venv").mkdir()
    (tmp_path / "requirements.txt").touch()
    (tmp_path / "requirements-dev.txt").touch()
    (tmp_path / ".venv" / ".installed").touch()
    assert "runserver 127.0.0.1:8001" in make(tmp_path, "-n", "run", "PORT=8001")
    assert "runserver 127.0.0.1:8000" in make(tmp_path, "-n", "run")


def test_env_is_ignored_by_git():
    ignored = (Path(settings.BASE_DIR) / ".gitignore").read_text().splitlines()
    assert ".env" in ignored
