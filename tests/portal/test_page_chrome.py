"""The header, brand and footer every page shares: rendered once per process and
language (accounts.templatetags.portal_fragments), with the person's own name,
sign-out token and language links filled in per request."""

import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import translate_url

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_each_person_sees_their_own_name_in_the_header_after_someone_else():
    first, second = PersonFactory(name_en="Amal Test"), PersonFactory(name_en="Badr Test")
    pages = []
    for person in (first, second):
        client = Client()
        client.force_login(person)
        pages.append(client.get("/en/e-services/").content.decode())
    assert pages[0].count("Amal Test") == 2  # the wide header and the phone menu
    assert "Badr Test" not in pages[0]
    assert pages[1].count("Badr Test") == 2
    assert "Amal Test" not in pages[1]


def test_the_sign_out_button_works_for_the_second_person_to_load_a_page():
    PersonFactory()
    earlier = Client()
    earlier.force_login(PersonFactory())
    earlier.get("/en/accounts/messages/")
    client = Client(enforce_csrf_checks=True)
    client.force_login(PersonFactory())
    page = client.get("/en/accounts/messages/").content.decode()
    token = TOKEN.search(page).group(1)
    response = client.post("/en/accounts/sign-out/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 200  # not refused for a wrong token (403)
    assert client.get("/en/accounts/messages/").status_code == 302  # signed out


def test_the_header_follows_the_language_of_each_page(client):
    client.force_login(PersonFactory())
    english = client.get("/en/accounts/messages/").content.decode()
    arabic = client.get("/ar/accounts/messages/").content.decode()
    assert "My dashboard" in english
    assert "Sign out" in english
    assert "My dashboard" not in arabic
    assert "Sign out" not in arabic
    assert 'href="/ar/my/"' in arabic
    assert 'href="/en/my/"' in english


def test_anonymous_visitors_get_the_sign_in_link_not_the_account_links(client):
    signed_in = Client()
    signed_in.force_login(PersonFactory())
    signed_in.get("/en/")
    page = client.get("/en/").content.decode()
    assert 'href="/en/accounts/sign-in/"' in page
    assert "My dashboard" not in page.split("<main")[0]
    assert "Sign out" not in page


@pytest.mark.parametrize(
    "path",
    ["/ar/", "/ar/accounts/sign-in/?next=/ar/my/", "/ar/accounts/register/?a=1&b=2"],
)
def test_the_language_switch_leads_to_the_same_page_in_english(client, path):
    page = client.get(path).content.decode()
    expected = translate_url(path, "en").replace("&", "&amp;")
    assert f'href="{expected}" lang="en"' in page


def test_a_typed_qid_never_shows_in_the_next_visitors_sign_in_form():
    person = PersonFactory()
    person.set_password("Right-Password-2026")
    person.save()
    Client().get("/en/accounts/sign-in/")  # the empty form, as everyone sees it
    failed = Client().post(
        "/en/accounts/sign-in/", {"username": person.qid, "password": "Wrong-Password-1"}
    )
    assert f'value="{person.qid}"' in failed.content.decode()  # kept for the person to fix
    page = Client().get("/en/accounts/sign-in/").content.decode()
    assert person.qid not in page
    assert 'name="username"' in page
    assert 'name="password"' in page


def test_the_phone_menu_repeats_the_header_navigation_rendered_for_this_request():
    client = Client()
    client.force_login(PersonFactory(name_en="Amal Test"))
    page = client.get("/en/accounts/requests/").content.decode()
    navigations = re.findall(
        r'<nav class="site-nav site-nav--(wide|menu)"[^>]*>(.*?)</nav>', page, re.S
    )
    assert [kind for kind, _ in navigations] == ["wide", "menu"]
    assert navigations[0][1] == navigations[1][1]
    assert "Amal Test" in navigations[0][1]


def test_select_options_escape_and_mark_the_selected_choice():
    html = Template("{% load portal_forms %}{% select_options choices selected %}").render(
        Context({"choices": [("a", "A & B"), ("<b>", "C")], "selected": "a"})
    )
    assert html == (
        '<option value="a" selected>A &amp; B</option><option value="&lt;b&gt;">C</option>'
    )
