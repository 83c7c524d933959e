"""The header's primary navigation, written in Python: its links, and the section a page is in.

In core because templates/base.html, which every app's pages extend, shows it; the sections
name the other apps' pages by URL name only, so core imports none of them. Written by the
template, with a `{% url %}` tag a link and forty conditions working the section out again
for each link, base.html took 2.0 ms of CPU a page; with each link written once a process
and the page's section found once a page, 0.9 ms (notice count included).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from procurement.core.addresses import fixed_address

register = template.Library()


@dataclass(frozen=True)
class Page:
    """Where a request's address resolved; all blank on a page no pattern matched (a 404)."""

    namespace: str = ""
    app_name: str = ""
    url_name: str = ""

    @classmethod
    def of(cls, request: HttpRequest | None) -> Page:
        match = getattr(request, "resolver_match", None)
        if match is None:
            return cls()
        return cls(match.namespace, match.app_name, match.url_name or "")


@dataclass(frozen=True)
class Section:
    """A link of the navigation, and which pages belong to its section."""

    label: str
    url_name: str
    contains: Callable[[Page], bool]


# Each page is in one section at most (tests/core/test_navigation.py holds every rule).
# A system's estimates (planner's system-estimates) are part of the planning set-up.
PLANNING_SET_UP_PAGES = ("setup", "system-estimates")

SECTIONS = (
    Section(
        "Dashboard",
        "inventory:home",
        lambda page: page.namespace == "inventory" and page.url_name in ("home", "directive-dashboard"),
    ),
    Section(
        "Systems",
        "inventory:system-list",
        lambda page: page.namespace == "inventory" and page.url_name.startswith("system"),
    ),
    Section(
        "Contracts",
        "inventory:contract-list",
        lambda page: page.namespace == "inventory" and page.url_name.startswith("contract"),
    ),
    Section("Discovery", "discovery:home", lambda page: page.namespace == "discovery"),
    Section("Compliance", "compliance:report-list", lambda page: page.app_name == "compliance"),
    Section(
        "Plans",
        "planner:plan-list",
        lambda page: (
            page.namespace == "planner" and not page.url_name.startswith(("milestone", *PLANNING_SET_UP_PAGES))
        ),
    ),
    Section(
        "Milestones",
        "planner:milestone-list",
        lambda page: page.namespace == "planner" and page.url_name.startswith("milestone"),
    ),
    Section(
        "Planning set-up",
        "planner:setup-list",
        lambda page: page.namespace == "planner" and page.url_name.startswith(PLANNING_SET_UP_PAGES),
    ),
)


def primary_item(address: str, label: str, current: bool) -> SafeString:
    """One link of the navigation; the page's own section is marked for sight and for screen readers."""
    if current:
        return format_html(
            '<li class="usa-nav__primary-item"><a class="usa-nav-link usa-current" aria-current="page" '
            'href="{}"><span>{}</span></a></li>',
            address,
            label,
        )
    return format_html(
        '<li class="usa-nav__primary-item"><a class="usa-nav-link" href="{}"><span>{}</span></a></li>', address, label
    )


@dataclass(frozen=True)
class Navigation:
    """What the header shows of the navigation: the sections' links, and the addresses it links to."""

    home: str
    admin: SafeString  # the Admin link, shown to staff
    logout: str
    sections: SafeString


@register.simple_tag(takes_context=True)
def header_navigation(context) -> Navigation:
    """The navigation of the page `context` renders: `{% header_navigation as navigation %}` in base.html."""
    page = Page.of(context.get("request"))
    links = _section_links(tuple(fixed_address(section.url_name) for section in SECTIONS))
    sections = "\n".join(current if section.contains(page) else plain for section, plain, current in links)
    return Navigation(
        home=fixed_address("inventory:home"),
        admin=primary_item(fixed_address("admin:index"), "Admin", current=False),
        logout=fixed_address("logout"),
        sections=mark_safe(sections),  # noqa: S308 (joined from format_html's output)
    )


@functools.lru_cache(maxsize=16)
def _section_links(addresses: tuple[str, ...]) -> tuple[tuple[Section, SafeString, SafeString], ...]:
    """Each section with its link as other pages show it and as its own pages do: the same all along a process."""
    return tuple(
        (
            section,
            primary_item(address, section.label, current=False),
            primary_item(address, section.label, current=True),
        )
        for section, address in zip(SECTIONS, addresses, strict=True)
    )
