"""Admin searches use an index, never a scan, on tables big enough for the planner
to care; unfiltered lists of big tables are not counted row by row."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts import admin_scale
from accounts.models import Person
from residency.models import Application
from tests.factories import PersonFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pg_trgm indexes are PostgreSQL's"
    ),
]
ROWS = 50_000
# Names made of hex digits spelled as letters: every name differs, as in a register.
ARABIC_LETTERS = "ابتثجحخدذرزسشصضط"


@pytest.fixture
def big_register():
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO accounts_person (password, is_superuser, qid, name_ar, name_en,
                   date_of_birth, sex, nationality, mobile, email, preferred_language, photo,
                   data_verified, is_staff, is_active, created_at, session_generation)
               SELECT '!', false, '28563' || lpad(n::text, 6, '0'),
                   translate(md5(n::text), '0123456789abcdef', %s), initcap(md5(n::text)),
                   '1985-01-01', 'M', 'QA', '+9745' || lpad(n::text, 7, '0'), '', 'ar', '',
                   true, false, true, now(), 0
               FROM generate_series(1, %s) AS n""",
            [ARABIC_LETTERS, ROWS],
        )
        cursor.execute(
            """INSERT INTO residency_application (reference, person_id, created_at, updated_at,
                   status, basis, days_abroad, employer, occupation, declared_at, submitted_at,
                   clock_started_on, decision_due_on, decided_at)
               SELECT 'PR-2026-' || lpad(p.id::text, 6, '0'), p.id, now(), now(), 'rejected',
                   'residence_born_abroad', '{}', '', '', now(), now(), current_date,
                   current_date + 7, now()
               FROM accounts_person p"""
        )
        cursor.execute("ANALYZE accounts_person")
        cursor.execute("ANALYZE residency_application")
    return PersonFactory(
        qid="27535699999", name_en="Rajesh Kumar Nair", name_ar="راجيش كومار ناير", resident=True
    )


def search_plan(model, term: str) -> str:
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/", {"q": term})
    queryset, _ = model_admin.get_search_results(request, model_admin.get_queryset(request), term)
    return queryset.explain()


@pytest.mark.parametrize(
    ("model", "term"),
    [
        (Person, "27535699999"),
        (Person, "Kumar"),
        (Person, "kumar nair"),
        (Person, "كومار"),
        (Application, "27535699999"),
        (Application, "Kumar"),
    ],
)
def test_admin_searches_use_an_index_and_scan_no_table(big_register, model, term):
    plan = search_plan(model, term)
    assert "Index" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_a_reference_search_reads_the_unique_index(big_register):
    reference = Application.objects.order_by("pk").values_list("reference", flat=True)[500]
    plan = search_plan(Application, reference)
    assert "Index Scan using residency_application_reference" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_name_search_finds_the_person_by_part_of_either_name(big_register):
    model_admin = admin.site._registry[Person]
    request = RequestFactory().get("/")
    for term in ("kumar", "كومار", "Rajesh Kumar"):
        found, _ = model_admin.get_search_results(request, Person.objects.all(), term)
        assert list(found) == [big_register]


def test_an_unfiltered_list_of_a_big_table_is_not_counted(big_register, client, monkeypatch):
    monkeypatch.setattr(admin_scale, "ESTIMATE_FROM", ROWS // 2)
    client.force_login(PersonFactory(staff=True, is_superuser=True, qid="28063499999"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/en/admin/accounts/person/")
    assert response.status_code == 200
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "accounts_person" in sql], counts
    assert response.context["cl"].result_count >= ROWS // 2
