"""Throughput of the portal's pages next to a minimal Django view, in one run.

Creates its own PostgreSQL database, migrates it, seeds the demo population,
collects the static files and starts gunicorn (2 sync workers) with the
production settings plus one bench-only URL (``bench/settings.py``). Then it
signs in through the real sign-in form and runs ``wrk`` against the minimal
view (the ceiling) and each page, one after the other, and prints req/s, p50,
p99 and each page's ratio to the ceiling. The database is dropped at the end.

    CACHE_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/throughput.py

Needs ``wrk`` (Debian: ``sudo apt-get install -y wrk``), PostgreSQL (trust
auth for ``--postgres``) and Redis. Absolute numbers depend on the machine;
the ratios to the ceiling measured in the same run are the figures to compare.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
CITIZEN = "28563400001"  # Ahmed: cards, requests, messages
APPLICANT = "27960800011"  # Maria: a submitted residency application
PASSWORD = "Lantern-Orchid-Velvet-73"  # noqa: S105 - seed_demo's published password (README)

HOME_AND_SIGN_IN_TARGET = 0.50
SIGNED_IN_TARGET = 0.35
P99_TARGET = 3.0


@dataclass
class Page:
    name: str
    path: str
    who: str | None  # None: anonymous; else the QID signed in
    target: float | None  # share of the ceiling's req/s


@dataclass
class Result:
    page: Page
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bench_throughput")
    parser.add_argument("--cache-url", default=os.environ.get("CACHE_URL"))
    parser.add_argument("--port", type=int, default=18500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--seconds", type=int, default=10, help="per page")
    parser.add_argument("--warm-up", type=int, default=2, help="seconds per page, not counted")
    parser.add_argument(
        "--conn-max-age", help="override CONN_MAX_AGE (e.g. 0: a new connection per request)"
    )
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing. Install the Debian package: sudo apt-get install -y wrk")
    if not args.cache_url:
        sys.exit(
            "Set CACHE_URL (or --cache-url) to a Redis database, e.g. redis://127.0.0.1:6379/0"
        )

    with tempfile.TemporaryDirectory() as static_root:
        env = server_environment(args, static_root)
        recreate_database(args.postgres, args.database)
        try:
            prepare(env)
            server = start_gunicorn(env, args)
            try:
                results = measure_all(args, env)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
        finally:
            if not args.keep_database:
                drop_database(args.postgres, args.database)
    report(results, args)


def server_environment(args, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"{args.postgres}/{args.database}",
        CACHE_URL=args.cache_url,
        BENCH_CACHE_PREFIX=f"bench-{secrets.token_hex(4)}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on the loopback: no TLS terminator in front of gunicorn.
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SIMULATION_MODE="true",
        SMS_BACKEND="sandbox",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
    )
    if args.conn_max_age is not None:
        env["CONN_MAX_AGE"] = args.conn_max_age
    return env


def admin_connection(postgres: str):
    connection = psycopg2.connect(f"{postgres}/postgres")
    connection.autocommit = True
    return connection


def recreate_database(postgres: str, name: str) -> None:
    drop_database(postgres, name)
    connection = admin_connection(postgres)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def drop_database(postgres: str, name: str) -> None:
    connection = admin_connection(postgres)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        connection.close()


def manage(env, *command: str) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare(env) -> None:
    print("Migrating, seeding the demo population, collecting static files...", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "seed_residency_demo")
    manage(env, "collectstatic", "--noinput")


def start_gunicorn(env, args) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "moi_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(args.port, "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.kill()
    sys.exit("gunicorn did not answer /healthz within 60 s")


def get(port: int, path: str, cookie: str = "", method: str = "GET", body: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    content = response.read().decode("utf-8", "replace")
    cookies = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    connection.close()
    return response.status, content, cookies, response.getheader("Location")


def sign_in(port: int, qid: str) -> str:
    """A real session: the sign-in form, its CSRF token and the password check."""
    status, content, cookies, _ = get(port, "/en/accounts/sign-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": qid, "password": PASSWORD}
    )
    status, content, cookies, location = get(
        port, "/en/accounts/sign-in/", cookie, method="POST", body=body
    )
    session = {name: value for name, value in cookies.items() if "sessionid" in name}
    if status != 302 or not session:
        sys.exit(f"Signing in as {qid} failed (HTTP {status}).")
    return "; ".join(f"{name}={value}" for name, value in session.items())


def application_reference(args) -> str:
    with (
        psycopg2.connect(f"{args.postgres}/{args.database}") as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT a.reference FROM residency_application a"
            " JOIN accounts_person p ON p.id = a.person_id WHERE p.qid = %s"
            " ORDER BY a.id DESC LIMIT 1",
            [APPLICANT],
        )
        return cursor.fetchone()[0]


def pages(args) -> list[Page]:
    reference = application_reference(args)
    return [
        Page("minimal Django view (ceiling)", "/bench/minimal", None, None),
        Page("home (anonymous)", "/ar/", None, HOME_AND_SIGN_IN_TARGET),
        Page("sign-in page", "/ar/accounts/sign-in/", None, HOME_AND_SIGN_IN_TARGET),
        Page("cards overview", "/ar/e-services/", CITIZEN, SIGNED_IN_TARGET),
        Page("my requests", "/ar/accounts/requests/", CITIZEN, SIGNED_IN_TARGET),
        Page("inbox", "/ar/accounts/messages/", CITIZEN, SIGNED_IN_TARGET),
        Page(
            "residency status",
            f"/ar/residency/applications/{reference}/",
            APPLICANT,
            SIGNED_IN_TARGET,
        ),
    ]


_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(args, path: str, cookie: str, seconds: int) -> tuple[float, float, float, int]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        f"http://127.0.0.1:{args.port}{path}",
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {q: float(v) * _UNITS[u] for q, v, u in _LATENCY.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        print(f"    wrk: socket errors {socket_errors.group(1)}", flush=True)
    return rps, latency["50"], latency["99"], int(errors.group(1)) if errors else 0


def measure_all(args, env) -> list[Result]:
    sessions = {qid: sign_in(args.port, qid) for qid in (CITIZEN, APPLICANT)}
    results = []
    for page in pages(args):
        cookie = sessions.get(page.who, "")
        status, _, _, location = get(args.port, page.path, cookie)
        if status != 200:
            sys.exit(f"{page.path} answered {status} ({location}), not 200: nothing to measure.")
        wrk(args, page.path, cookie, args.warm_up)
        rps, p50, p99, errors = wrk(args, page.path, cookie, args.seconds)
        print(f"  {page.name:<32} {rps:8.0f} req/s", flush=True)
        results.append(Result(page, rps, p50, p99, errors))
    return results


def report(results: list[Result], args) -> None:
    ceiling = results[0]
    print()
    print(
        f"gunicorn {args.workers} sync workers, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.seconds}s, load average {os.getloadavg()[0]:.1f}"
    )
    header = (
        f"{'page':<32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} "
        f"{'target':>7} {'p99/ceil':>8} {'non-2xx':>7}  verdict"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        ratio = result.requests_per_second / ceiling.requests_per_second
        p99_ratio = result.p99_ms / ceiling.p99_ms
        target = result.page.target
        if target is None:
            verdict, target_text = "ceiling", ""
        else:
            met = ratio >= target and p99_ratio <= P99_TARGET and not result.errors
            verdict, target_text = ("met" if met else "MISSED"), f"≥{target:.0%}"
        print(
            f"{result.page.name:<32} {result.requests_per_second:8.0f} {result.p50_ms:8.1f} "
            f"{result.p99_ms:8.1f} {ratio:6.0%} {target_text:>7} {p99_ratio:7.1f}x "
            f"{result.errors:7d}  {verdict}"
        )
    print(f"\nTargets: ratio as shown; p99 ≤ {P99_TARGET:.0f}× the ceiling's p99.")


if __name__ == "__main__":
    main()
