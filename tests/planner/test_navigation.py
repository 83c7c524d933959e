"""The header marks the planner's section a page belongs to: plans, milestones or the set-up."""

import re

import pytest
from django.urls import reverse

NAV_LINK = re.compile(
    r'<a class="usa-nav-link( usa-current)?"( aria-current="page")? href="[^"]*"><span>([^<]+)</span>'
)


def current_sections(page: str) -> list[str]:
    """The sections marked current, for sight and for screen readers alike."""
    links = NAV_LINK.findall(page)
    assert [label for marked, _, label in links if marked] == [label for _, aria, label in links if aria]
    return [label for marked, _, label in links if marked]


@pytest.mark.parametrize(
    ("url_name", "section"),
    [
        ("planner:plan-list", "Plans"),
        ("planner:milestone-list", "Milestones"),
        ("planner:setup-list", "Planning set-up"),
    ],
)
def test_one_planner_section_is_current(client, victor, url_name, section):
    client.force_login(victor)
    page = client.get(reverse(url_name)).content.decode()
    assert current_sections(page) == [section]


def test_the_set_up_of_an_agency_is_in_the_set_up_section(client, victor, agency_a):
    client.force_login(victor)
    page = client.get(reverse("planner:setup", args=[agency_a.pk])).content.decode()
    assert current_sections(page) == ["Planning set-up"]
    assert f'href="{reverse("planner:setup-list")}"><span>Planning set-up</span>' in page
