"""Server time of the pages people use most, measured in-process.

Creates and migrates its own database (``test_<name>`` of the configured one),
seeds the demo population, signs in as the demo citizen and times each page
with Django's test client: no network, no browser, so the figures are the
portal's own work (views, templates, queries) per request.

    DJANGO_SETTINGS_MODULE=moi_portal.settings_test \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages \
    .venv/bin/python bench/pages.py [--requests 200]
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moi_portal.settings_test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from accounts.models import Person  # noqa: E402

CITIZEN = "28563400001"
RESIDENT = "27535600008"


def measure(client: Client, url: str, requests: int) -> tuple[float, float, int]:
    client.get(url)  # warm caches and templates
    timings = []
    for _ in range(requests):
        reset_queries()
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    queries = len(connection.queries)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    names = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_residency_demo", stdout=io.StringIO())
        from django.conf import settings

        settings.DEBUG = True  # count queries
        citizen, resident = Client(), Client()
        citizen.force_login(Person.objects.get(qid=CITIZEN))
        resident.force_login(Person.objects.get(qid=RESIDENT))
        anonymous = Client()
        card = Person.objects.get(qid=CITIZEN).cards.get()
        pages = [
            (anonymous, "/ar/"),
            (anonymous, "/en/accounts/sign-in/"),
            (citizen, "/ar/e-services/"),
            (citizen, f"/ar/e-services/cards/{card.pk}/"),
            (citizen, "/ar/accounts/requests/"),
            (citizen, "/ar/e-services/profile/"),
            (citizen, "/ar/accounts/messages/"),
            (resident, "/en/residency/"),
        ]
        from tests.helpers import grant_stepup

        grant_stepup(citizen, purpose="eservices", scope=f"card:{card.pk}")
        print(f"{'page':<40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for client, url in pages:
            median, p95, queries = measure(client, url, args.requests)
            print(f"{url:<40} {median:>10.1f} {p95:>8.1f} {queries:>8}")
    finally:
        teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
