"""Time from "send code" to the SMS reaching the provider, with the task worker running.

Creates its own PostgreSQL database, starts a stand-in for Twilio's REST API
on the loopback (it records when each message arrives) and the real task
worker (``manage.py task_worker``; ``--command db_worker`` for the stock one, which
only polls) with the Twilio backend pointed at it. Then
it asks for one code for each of ``--codes`` people, one after another at
``--rate`` per second, exactly as the portal does (``accounts.otp.otp_send``),
and prints p50, p95 and the worst time to arrival. The database is dropped at
the end.

    CACHE_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/otp_latency.py
"""

import argparse
import datetime
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throughput import drop_database, recreate_database  # noqa: E402

TARGET_P95 = 1.0
ACCOUNT_SID = "AC" + "0" * 32
arrivals: dict[str, float] = {}


class TwilioStub(BaseHTTPRequestHandler):
    """Accepts ``POST .../Messages.json`` as Twilio does and notes the arrival time."""

    protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API

    def do_POST(self):
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        to = form.get("To", [""])[0]
        arrivals.setdefault(to, arrived)
        sid = "SM" + secrets.token_hex(16)
        body = json.dumps({"sid": sid, "status": "queued", "to": to}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bench_otp")
    parser.add_argument("--codes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10, help="codes asked for per second")
    parser.add_argument("--port", type=int, default=18560, help="the provider stand-in")
    parser.add_argument("--interval", default="0.1", help="the longest wait of an idle worker (s)")
    parser.add_argument(
        "--command",
        default="task_worker",
        choices=["task_worker", "db_worker"],
        help="task_worker wakes on NOTIFY; db_worker only polls every --interval",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="task worker processes (production runs several moi-portal-worker@ units)",
    )
    args = parser.parse_args()
    if not os.environ.get("CACHE_URL"):
        sys.exit("Set CACHE_URL to a Redis database, e.g. redis://127.0.0.1:6379/0")

    stub = ThreadingHTTPServer(("127.0.0.1", args.port), TwilioStub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="moi_portal.settings_test",
        DATABASE_URL=f"{args.postgres}/{args.database}",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=secrets.token_hex(16),
        TWILIO_FROM_NUMBER="+97440000000",
        TWILIO_API_BASE_URL=f"http://127.0.0.1:{args.port}",
        LOG_LEVEL="WARNING",
    )
    recreate_database(args.postgres, args.database)
    workers = []
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], check=True, cwd=ROOT)
        for number in range(args.workers):
            workers.append(
                subprocess.Popen(  # noqa: S603
                    [
                        sys.executable,
                        "manage.py",
                        args.command,
                        "--interval",
                        args.interval,
                        "--worker-id",
                        f"bench-{number}",
                        "--no-startup-delay",
                        "--no-reload",
                    ],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                )
            )
        latencies, worker_cpu = ask_for_codes(args, workers)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        stub.shutdown()
        from django.db import connections

        connections.close_all()
        drop_database(args.postgres, args.database)
    report(latencies, args, worker_cpu)


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ask_for_codes(args, workers) -> tuple[list[float], float]:
    import django

    django.setup()
    from accounts.constants import OTPPurpose
    from accounts.models import Person
    from accounts.otp import otp_send

    people = [
        Person.objects.create(
            qid=f"28563{4_00000 + n:06d}",
            name_ar="شخص",
            name_en=f"Person {n}",
            date_of_birth=datetime.date(1985, 1, 1),
            nationality="QA",
            mobile=f"+9745{n:07d}",
        )
        for n in range(args.codes)
    ]
    asked: dict[str, float] = {}
    gap = 1 / args.rate
    cpu_before = sum(process_cpu_seconds(worker.pid) for worker in workers)
    for person in people:
        started = time.monotonic()
        asked[person.mobile] = started
        otp_send(person=person, purpose=OTPPurpose.ESERVICES)
        time.sleep(max(0.0, gap - (time.monotonic() - started)))
    deadline = time.monotonic() + 60
    while len(arrivals) < len(asked) and time.monotonic() < deadline:
        time.sleep(0.1)
    missing = set(asked) - set(arrivals)
    if missing:
        sys.exit(f"{len(missing)} codes never reached the provider within 60 s.")
    cpu = sum(process_cpu_seconds(worker.pid) for worker in workers) - cpu_before
    return sorted(arrivals[number] - asked[number] for number in asked), cpu


def report(latencies: list[float], args, worker_cpu: float) -> None:
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(
        f"{len(latencies)} codes at {args.rate:g}/s, {args.workers} {args.command} "
        f"process(es), --interval {args.interval} s, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  worker CPU from the first code to the last arrival: {worker_cpu:.1f} s, "
        f"{worker_cpu / len(latencies) * 1000:.1f} ms per code (idle waits included)"
    )
    print(
        f"  p50 {statistics.median(latencies) * 1000:.0f} ms   p95 {p95 * 1000:.0f} ms   "
        f"max {latencies[-1] * 1000:.0f} ms   "
        f"target p95 < {TARGET_P95 * 1000:.0f} ms: {'met' if p95 < TARGET_P95 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
