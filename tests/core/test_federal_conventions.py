"""What people expect of a federal site: the government banner, a system-use notice at
sign-in, a skip link to the results, sort arrows, the favicon, the current page marked in
the navigation, and an admin titled Phaseout."""

import re

import pytest
from django.urls import reverse


def body(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_sign_in_shows_the_banner_and_the_system_use_notice(client, db):
    page = body(client.get(reverse("login")))
    assert 'class="usa-banner"' in page and "An official website of the United States government" in page
    notice = page.index("System use notice")
    assert "U.S. Government-authorized use only" in page and "monitor" in page
    assert notice < page.index('name="password"')  # read before signing in
    assert 'rel="icon"' in page and "favicons/favicon.ico" in page


def test_list_has_a_skip_link_to_its_results(client, alice, system_a):
    client.force_login(alice)
    page = body(client.get(reverse("inventory:system-list")))
    assert '<a class="usa-skipnav" href="#results">' in page and 'id="results"' in page


def test_sortable_headers_carry_arrows_that_follow_the_sort(client, alice, system_a):
    client.force_login(alice)
    page = body(client.get(reverse("inventory:system-list")))
    assert page.count("#sort_arrow") == 8  # every default column sorts
    page = body(client.get(reverse("inventory:system-list"), {"sort": "-criticality"}))
    assert page.count("#arrow_downward") == 1 and page.count("#sort_arrow") == 7
    assert 'aria-sort="descending"' in page


@pytest.mark.parametrize(
    ("url_name", "current"),
    [("inventory:system-list", "Systems"), ("inventory:contract-list", "Contracts"), ("inventory:home", "Dashboard")],
)
def test_the_current_section_is_marked_in_the_navigation(client, alice, system_a, url_name, current):
    client.force_login(alice)
    page = body(client.get(reverse(url_name), follow=True))
    marked = re.findall(r'usa-current"\s+aria-current="page"[^>]*><span>([^<]+)</span>', page)
    assert marked == [current]


def test_the_admin_is_titled_phaseout(client, root):
    client.force_login(root)
    page = body(client.get(reverse("admin:index")))
    assert "Phaseout administration" in page and "Django administration" not in page
