"""The 400, 403, 404 and 500 pages are the portal's own, in Arabic and English."""

import pytest
from django.template import loader
from django.test import Client
from django.utils import translation

from tests.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.error_urls")]

HEADINGS = {
    ("ar", 400): "تعذّرت قراءة الطلب",
    ("en", 400): "The request could not be read",
    ("ar", 403): "لا يمكنك فتح هذه الصفحة",
    ("en", 403): "You cannot open this page",
    ("ar", 404): "الصفحة غير موجودة",
    ("en", 404): "Page not found",
    ("ar", 500): "حدث خطأ من جهتنا",
    ("en", 500): "Something went wrong on our side",
}
PATHS = {
    400: "/{lang}/?q=%00",
    403: "/{lang}/test-forbidden/",
    404: "/{lang}/no-such-page/",
    500: "/{lang}/test-broken/",
}


def assert_portal_page(response, *, lang: str, status: int):
    content = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in content
    assert f"<h1>{HEADINGS[lang, status]}</h1>" in content
    assert "/static/css/portal.css" in content
    assert 'class="site-header"' in content
    assert f'href="/{lang}/"' in content  # back to the home page in the same language


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_error_pages_are_styled_and_translated(lang, status):
    client = Client(raise_request_exception=False)
    response = client.get(PATHS[status].format(lang=lang))
    assert_portal_page(response, lang=lang, status=status)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_500_page_renders_without_a_request_or_database(lang, django_assert_num_queries):
    with translation.override(lang), django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert HEADINGS[lang, 500] in html
    assert f'<html lang="{lang}"' in html


def test_a_signed_in_person_keeps_the_portal_menu_on_a_404(client):

    person = PersonFactory()
    client.force_login(person)
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Sign out" in response.content.decode()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_an_expired_form_gets_the_portal_403_page(lang):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/{lang}/accounts/sign-in/", {"username": "1", "password": "x"})
    content = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{lang}"' in content
    assert "/static/css/portal.css" in content
    heading = "انتهت صلاحية النموذج" if lang == "ar" else "The form has expired"
    assert f"<h1>{heading}</h1>" in content
