"""The home page and the empty sign-in form are drawn once per language for
every anonymous visitor (moi_portal.shared_pages): each visitor still gets a
CSRF token of their own, and anything personal is drawn as before."""

import re

import pytest
from django.core.cache import caches
from django.test import Client

from moi_portal import shared_pages
from tests.factories import DEFAULT_PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/en/accounts/sign-in/"
SIGN_OUT_EVERYWHERE = "/en/accounts/sign-out-everywhere/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def tokens(html: str) -> list[str]:
    return TOKEN.findall(html)


def test_two_visitors_get_one_sign_in_page_each_with_a_token_that_works():
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(SIGN_IN).content.decode()
    response = second.get(SIGN_IN)
    assert not response.templates  # the shared copy: no template drawn again
    second_page = response.content.decode()

    assert shared_pages.CSRF_STAND_IN not in second_page
    assert len(tokens(first_page)) == len(tokens(second_page)) == 1
    assert tokens(first_page) != tokens(second_page)
    assert TOKEN.sub("", first_page) == TOKEN.sub("", second_page)
    # The second visitor's page came from the shared copy; its token is theirs.
    person = PersonFactory()
    response = second.post(
        SIGN_IN,
        {
            "username": person.qid,
            "password": DEFAULT_PASSWORD,
            "csrfmiddlewaretoken": tokens(second_page)[0],
        },
    )
    assert response.status_code == 302


def test_the_shared_sign_in_page_is_the_page_a_render_gives(client, settings):
    client.get(SIGN_IN)
    shared = client.get(SIGN_IN).content.decode()
    settings.DEBUG = True  # nothing kept: every part is drawn for this request
    drawn = client.get(SIGN_IN).content.decode()
    assert TOKEN.sub("", shared) == TOKEN.sub("", drawn)
    assert tokens(drawn)


def test_a_sign_in_link_with_a_next_page_keeps_it(client):
    client.get(SIGN_IN)
    page = client.get(SIGN_IN, {"next": "/en/e-services/"}).content.decode()
    assert '<input type="hidden" name="next" value="/en/e-services/">' in page
    assert '<input type="hidden" name="next" value="">' in client.get(SIGN_IN).content.decode()


def test_a_message_waiting_for_the_visitor_is_shown_on_the_shared_page(client):
    client.get(SIGN_IN)  # the shared copy exists
    client.force_login(PersonFactory())
    response = client.post(SIGN_OUT_EVERYWHERE, follow=True)
    assert response.redirect_chain[-1][0] == SIGN_IN
    assert "You were signed out on every device." in response.content.decode()
    # Shown once: the next visit is the shared page again.
    assert "signed out on every device" not in client.get(SIGN_IN).content.decode()


def test_a_signed_in_person_gets_their_own_home_page_not_the_visitors(client):
    visitor_page = Client().get("/en/").content.decode()
    assert "Register online" in visitor_page
    client.force_login(PersonFactory())
    page = client.get("/en/").content.decode()
    assert "My dashboard" in page
    assert "Register online" not in page


def test_a_new_release_does_not_serve_the_previous_ones_pages(settings, tmp_path):
    template = tmp_path / "templates" / "home.html"
    template.parent.mkdir()
    template.write_text("<h1>Welcome</h1>")
    settings.BASE_DIR = tmp_path
    shared_pages.release_digest.cache_clear()
    try:
        before = shared_pages.release_digest()
        assert shared_pages.release_digest() == before  # every process of one release
        template.write_text("<h1>Welcome to the new portal</h1>")
        shared_pages.release_digest.cache_clear()
        assert shared_pages.release_digest() != before
    finally:
        shared_pages.release_digest.cache_clear()


@pytest.mark.parametrize(
    ("url", "copies"),
    [("/en/", lambda: caches["copies"]), (SIGN_IN, lambda: shared_pages._process_copies)],
    ids=["home, in the shared cache", "sign-in, in the process"],
)
def test_a_copy_another_release_drew_is_not_served(client, url, copies):
    name = "home" if url == "/en/" else "sign_in"
    copies().set(
        shared_pages.keys(name)[1],  # English
        ("another-release", url, "<p>The previous release's page</p>"),
        60,
    )
    page = client.get(url).content.decode()
    assert "previous release" not in page
    assert "Ministry of Interior" in page


def test_the_sign_in_page_is_kept_in_the_process_and_the_home_page_in_the_shared_cache(client):
    client.get(SIGN_IN)
    client.get("/en/")
    assert shared_pages._process_copies.get(shared_pages.keys("sign_in")[1])
    assert not shared_pages._process_copies.get(shared_pages.keys("home")[1])
    assert caches["copies"].get(shared_pages.keys("home")[1])
    assert caches["copies"].get(shared_pages.keys("sign_in")[1]) is None
