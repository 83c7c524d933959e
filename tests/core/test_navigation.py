"""The header's primary navigation (core.templatetags.navigation): its links, and the section a page is in."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve, reverse, set_script_prefix

LINK = re.compile(r'<a class="usa-nav-link( usa-current)?"( aria-current="page")? href="([^"]*)"><span>([^<]+)</span>')
SECTIONS = ["Dashboard", "Systems", "Contracts", "Discovery", "Compliance", "Plans", "Milestones", "Planning set-up"]


def marked(page: str) -> list[str]:
    """The sections marked current, for sight and for screen readers alike."""
    links = LINK.findall(page)
    assert [label for current, _, _, label in links if current] == [label for _, aria, _, label in links if aria]
    return [label for current, _, _, label in links if current]


def header_sections(path: str) -> str:
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    return Template("{% load navigation %}{% header_navigation as navigation %}{{ navigation.sections }}").render(
        Context({"request": request})
    )


# One page or more for each section's rule, and the pages on either side of it; no page is in
# two sections (base.html's conditions matched URL names in any namespace, and marked
# discovery's home as the Dashboard too, and a system's estimates as Systems and Plans).
@pytest.mark.parametrize(
    ("url_name", "args", "sections"),
    [
        ("inventory:home", [], ["Dashboard"]),
        ("inventory:directive-dashboard", [1], ["Dashboard"]),
        ("inventory:directive-revise", [1], []),
        ("inventory:system-list", [], ["Systems"]),
        ("inventory:system-bulk-preview", [], ["Systems"]),
        ("inventory:contract-detail", [1], ["Contracts"]),
        ("inventory:import-upload", ["systems"], []),
        ("discovery:candidates", [1], ["Discovery"]),
        ("discovery:home", [], ["Discovery"]),
        ("discovery:systems-scan", [1], ["Discovery"]),
        ("compliance:waiver-list", [], ["Compliance"]),
        ("compliance:feed-list", [], ["Compliance"]),
        ("planner:plan-list", [], ["Plans"]),
        ("planner:plan-gantt", [1], ["Plans"]),
        ("planner:system-estimates", [1], ["Planning set-up"]),
        ("planner:milestone-detail", [1], ["Milestones"]),
        ("planner:setup", [1], ["Planning set-up"]),
        ("planner:setup-team-edit", [1], ["Planning set-up"]),
        ("reminders:milestone", [1], []),
        ("core:export-job", ["00000000-0000-0000-0000-000000000001"], []),
        ("login", [], []),
    ],
)
def test_each_page_marks_its_own_section(url_name, args, sections):
    assert marked(header_sections(reverse(url_name, args=args))) == sections


def test_a_page_no_pattern_matched_marks_no_section():
    request = RequestFactory().get("/nowhere/")
    page = Template("{% load navigation %}{% header_navigation as navigation %}{{ navigation.sections }}").render(
        Context({"request": request})
    )
    assert marked(page) == [] and [label for *_, label in LINK.findall(page)] == SECTIONS


def test_the_links_follow_the_script_prefix_the_site_is_served_under():
    try:
        set_script_prefix("/phaseout/")
        links = LINK.findall(header_sections("/systems/"))
    finally:
        set_script_prefix("/")
    assert [address for _, _, address, _ in links][:2] == ["/phaseout/", "/phaseout/systems/"]
    assert [address for _, _, address, _ in LINK.findall(header_sections("/systems/"))][:2] == ["/", "/systems/"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "section"),
    [
        ("inventory:home", "Dashboard"),
        ("inventory:system-list", "Systems"),
        ("inventory:contract-list", "Contracts"),
        ("discovery:home", "Discovery"),  # victor's one agency: its discovery page
        ("compliance:waiver-list", "Compliance"),
        ("planner:plan-list", "Plans"),
        ("planner:milestone-list", "Milestones"),
        ("planner:setup-list", "Planning set-up"),
        ("reminders:notifications", "Notifications"),
    ],
)
def test_one_section_is_marked_on_a_page_of_each(client, victor, url_name, section):
    client.force_login(victor)
    response = client.get(reverse(url_name), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert marked(page) == [section]
    labels = [label for *_, label in LINK.findall(page)]
    assert labels == [*SECTIONS, "Notifications"]


@pytest.mark.django_db
def test_staff_see_the_admin_link_and_everyone_signs_out_with_a_form(client, root):
    client.force_login(root)
    page = client.get(reverse("inventory:system-list")).content.decode()
    assert '<a class="usa-nav-link" href="/admin/"><span>Admin</span></a>' in page
    assert '<form method="post" action="/accounts/logout/" class="margin-0"><input type="hidden"' in page


@pytest.mark.django_db
def test_signed_out_pages_show_the_logo_link_without_the_navigation(client):
    page = client.get(reverse("login")).content.decode()
    assert '<a href="/" title="Phaseout home">Phaseout</a>' in page
    assert "Primary navigation" not in page and LINK.findall(page) == []


@pytest.mark.django_db
def test_others_do_not_see_the_admin_link(client, alice):
    client.force_login(alice)
    page = client.get(reverse("inventory:system-list")).content.decode()
    assert 'href="/admin/"' not in page
