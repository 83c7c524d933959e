"""The systems list at 1280 pixels: the default columns fit without sideways scrolling, and
htmx refreshes announce the new count; the sort arrows and tags render under the CSP."""

import pytest

from tests.browser.conftest import sign_in
from tests.factories import AgencyFactory, SystemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(page):
    """The first page load of a module also starts the test server's static files: slow on a busy machine."""
    page.set_default_timeout(30_000)
    return page


@pytest.fixture
def long_values(alice, agency_a, directive):
    """Rows with the longest labels and names the defaults must hold."""
    component = AgencyFactory(name="Bureau of the Fiscal Service", abbreviation="BFS", parent=agency_a)
    for number, kind in enumerate(["cloud_platform", "embedded", "custom_model"]):
        system = SystemFactory(
            agency=component,
            directive=directive,
            name=f"Taxpayer correspondence summarisation assistant {number}",
            fisma_id=f"TREAS-BFS-2026-{number:04d}",
            dependency_kind=kind,
            criticality="moderate",
        )
        system.status = "plan_approved"
        system.save()


def test_default_columns_fit_1280_pixels(page, long_values):
    sign_in(page, "alice")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/systems/")
    region = page.locator("#results .usa-table-container--scrollable")
    overflow = region.evaluate("element => element.scrollWidth - element.clientWidth")
    widths = page.locator("#results thead th").evaluate_all(
        "cells => cells.map(cell => cell.innerText.trim() + ': ' + Math.round(cell.getBoundingClientRect().width))"
    )
    assert overflow <= 0, f"the table scrolls sideways by {overflow} px: {widths}"
    headers = page.locator("#results thead th").all_inner_texts()
    assert any("Removal deadline" in header for header in headers)
    assert any("Days left" in header for header in headers)
    assert page.locator("#results .phaseout-tag--plan_approved").count() == 3


def test_htmx_refresh_announces_the_count(page, long_values):
    sign_in(page, "alice")
    page.goto("/systems/")
    status = page.locator("#results [role=status]")
    assert "Showing 1–3 of 3 systems" in status.inner_text()
    page.get_by_label("Search").fill("assistant 1")
    page.get_by_label("Search").press("Enter")
    page.wait_for_function("() => document.querySelector('#results [role=status]').innerText.includes('1 system')")
    assert page.locator("#results [role=status]").get_attribute("aria-live") == "polite"
