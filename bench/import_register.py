"""Benchmark the register import: speed, and memory that does not grow with the file.

Creates and migrates its own database (the test database of the configured
one, ``test_<name>``), writes deterministic register files of 10,000 and
100,000 rows to a temporary folder, imports each into an empty register,
imports it again (every row unchanged), and drops the database at the end.

    DJANGO_SETTINGS_MODULE=moi_portal.settings_test \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import \
    .venv/bin/python bench/import_register.py [--sizes 10000 100000]

Speed is measured without tracemalloc (it slows Python down); the peak of
Python allocations comes from a separate run under tracemalloc. ru_maxrss is
the whole process's high-water mark, so it is printed after each size: it
barely moves from 10,000 to 100,000 rows when memory is bounded.

On a busy machine the wall-clock rate mostly measures the wait for a CPU, so
each import also reports the CPU time it used: this process's and, when
PostgreSQL runs on the same machine, its server process's (from /proc). The
rows per CPU-second is what the import would reach with a core to itself
(the file checks and the SQL run one after the other), disk waits aside.
"""

import argparse
import csv
import datetime
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moi_portal.settings_test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django_countries import countries  # noqa: E402

from accounts.register_import import COLUMNS, register_import  # noqa: E402

NATIONALITIES = ["QA", "IN", "PK", "EG", "PH", "NP", "BD", "LK", "JO", "SY", "GB", "US"]
KINDS = ["citizen_id", "residence_permit", "permanent_residency"]
STATUSES = ["valid"] * 8 + ["expired", "lost", "cancelled"]
CHIPS = ["active"] * 6 + ["inactive", "blocked"]


def write_register(path: Path, rows: int) -> None:
    """``rows`` valid register rows; the same file for the same size, every run."""
    rng = random.Random(2026)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for n in range(rows):
            born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(24000))
            nationality = "QA" if n % 3 == 0 else rng.choice(NATIONALITIES)
            century = "3" if born.year >= 2000 else "2"
            code = countries.numeric(nationality, padded=True)
            issued = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(1800))
            writer.writerow(
                [
                    f"{century}{born.year % 100:02d}{code}{n:05d}",
                    f"شخص رقم {n}",
                    f"Person Number {n}",
                    born.isoformat(),
                    rng.choice("FM"),
                    nationality,
                    f"{rng.choice('3567')}{rng.randrange(10**7):07d}",
                    f"{100000000 + n:09d}",
                    "citizen_id" if nationality == "QA" else rng.choice(KINDS[1:]),
                    issued.isoformat(),
                    (issued + datetime.timedelta(days=5 * 365)).isoformat(),
                    rng.choice(STATUSES),
                    rng.choice(CHIPS),
                ]
            )


def server_cpu_seconds() -> float | None:
    """CPU time used so far by this connection's PostgreSQL server process, if local."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_import(path: Path, *, traced: bool = False):
    if traced:
        tracemalloc.start()
    server_before, own_before = server_cpu_seconds(), own_cpu_seconds()
    started = time.perf_counter()
    with path.open("rb") as file:
        result = register_import(file=file)
    seconds = time.perf_counter() - started
    server_after, own_after = server_cpu_seconds(), own_cpu_seconds()
    cpu_seconds = (own_after - own_before, None)
    if server_before is not None and server_after is not None:
        cpu_seconds = (own_after - own_before, server_after - server_before)
    peak = None
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert result.saved, result.errors[:5]
    return result, seconds, peak, cpu_seconds


def cpu_text(rows: int, cpu_seconds) -> str:
    own, server = cpu_seconds
    if server is None:
        return f"CPU: this process {own:.1f} s (server not local)"
    return (
        f"CPU: this process {own:.1f} s + PostgreSQL {server:.1f} s"
        f" = {rows / (own + server):,.0f} rows per CPU-second"
    )


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_size(folder: Path, rows: int) -> None:
    path = folder / f"register-{rows}.csv"
    write_register(path, rows)
    size_mb = path.stat().st_size / 2**20

    call_command("flush", interactive=False, verbosity=0)
    _, traced_seconds, peak, _ = timed_import(path, traced=True)
    call_command("flush", interactive=False, verbosity=0)
    created, create_seconds, _, create_cpu = timed_import(path)
    unchanged, again_seconds, _, again_cpu = timed_import(path)
    assert created.people_created == rows
    assert unchanged.people_unchanged == rows

    print(f"{rows:>7,} rows ({size_mb:.1f} MB file)")
    print(
        f"  new register:   {create_seconds:6.1f} s  {rows / create_seconds:8,.0f} rows/s"
        f"   {cpu_text(rows, create_cpu)}"
    )
    print(
        f"  same file again:{again_seconds:6.1f} s  {rows / again_seconds:8,.0f} rows/s"
        f"   {cpu_text(rows, again_cpu)}"
    )
    print(f"  load average: {os.getloadavg()[0]:.1f}")
    print(
        f"  tracemalloc peak: {peak / 2**20:.1f} MB (run under tracemalloc: {traced_seconds:.1f} s)"
    )
    print(f"  ru_maxrss so far: {max_rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    sizes = parser.parse_args().sizes
    print(f"ru_maxrss after start-up: {max_rss_mb():.0f} MB")
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        with tempfile.TemporaryDirectory() as folder:
            for rows in sorted(sizes):
                bench_size(Path(folder), rows)
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
