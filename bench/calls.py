"""Work per request: Python function calls per page, the same count every run.

Wall-clock figures on a shared machine move with its load; the number of
Python function calls a request makes does not. Creates and migrates its own
database (``test_<name>`` of the configured one), seeds the demo population,
and counts with ``sys.setprofile`` the calls of one request to each page
through the in-process test client, beside the minimal view of
``bench/urls.py`` (every middleware, no template, no query).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_calls \
    CACHE_URL=redis://127.0.0.1:6379/0 \
    .venv/bin/python bench/calls.py [--profile /ar/e-services/]
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moi_portal.settings_test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from accounts.models import Person  # noqa: E402
from residency.models import Application  # noqa: E402

CITIZEN = "28563400001"
RESIDENT = "27535600008"
APPLICANT = "27960800011"  # a submitted residency application


def count_calls(client: Client, url: str) -> tuple[int, int]:
    """Python calls and queries of one warm request to ``url``."""
    for _ in range(3):  # warm templates, fragments and caches
        assert client.get(url).status_code == 200, url
    calls = 0

    def profiler(frame, event, arg):
        nonlocal calls
        if event == "call":
            calls += 1

    with CaptureQueriesContext(connection) as queries:
        sys.setprofile(profiler)
        response = client.get(url)
        sys.setprofile(None)
    assert response.status_code == 200, (url, response.status_code)
    return calls, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", help="print a cProfile of one request to this URL")
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    settings.ROOT_URLCONF = "bench.urls"
    names = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_residency_demo", stdout=io.StringIO())
        citizen, resident, applicant, anonymous = Client(), Client(), Client(), Client()
        citizen.force_login(Person.objects.get(qid=CITIZEN))
        resident.force_login(Person.objects.get(qid=RESIDENT))
        applicant_person = Person.objects.get(qid=APPLICANT)
        applicant.force_login(applicant_person)
        reference = Application.objects.filter(person=applicant_person).latest("pk").reference
        pages = [
            ("minimal view", anonymous, "/bench/minimal"),
            ("home, anonymous", anonymous, "/ar/"),
            ("sign-in page", anonymous, "/en/accounts/sign-in/"),
            ("cards overview", citizen, "/ar/e-services/"),
            ("my requests (empty)", citizen, "/ar/accounts/requests/"),
            ("inbox (empty)", citizen, "/ar/accounts/messages/"),
            ("residency status", applicant, f"/ar/residency/applications/{reference}/"),
            ("residency home", resident, "/en/residency/"),
        ]
        if args.profile:
            client = next((c for _, c, u in pages if u == args.profile), citizen)
            for _ in range(3):
                client.get(args.profile)
            profile = cProfile.Profile()
            profile.runcall(client.get, args.profile)
            pstats.Stats(profile).sort_stats(args.sort).print_stats(60)
            return
        minimal = None
        print(f"{'page':<22} {'url':<40} {'calls':>7} {'minimal/page':>13} {'queries':>8}")
        for name, client, url in pages:
            calls, queries = count_calls(client, url)
            minimal = minimal or calls
            print(f"{name:<22} {url:<40} {calls:>7,} {minimal / calls:>12.0%} {queries:>8}")
    finally:
        teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
