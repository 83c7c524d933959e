"""A user's path through the inventory in a real browser, with accessibility checks."""

import csv
import io
from pathlib import Path

import pytest

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inventory(alice, component_a, directive, system_a, contract_a):
    SystemFactory(agency=component_a, directive=directive, name="Refund status bot", criticality="high")
    return system_a


def test_sign_in_filter_and_export(page, inventory):
    sign_in(page, "alice")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Cessation of use")
    page.get_by_role("link", name="Systems", exact=True).click()
    # USWDS draws its own box over the real checkbox, so a user clicks the label.
    page.locator("label.usa-checkbox__label", has_text="High").click()  # htmx refreshes the results
    page.wait_for_function("() => !document.body.innerText.includes('Taxpayer chat assistant')")
    assert "Refund status bot" in page.locator("#results").inner_text()
    assert "criticality=high" in page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [row[0] for row in rows] == ["Name", "Refund status bot"]


def test_status_change_by_keyboard(page, inventory):
    sign_in(page, "alice")
    page.goto(inventory.get_absolute_url())
    page.get_by_label("Note (optional)").focus()  # the next step's note, then its button
    page.keyboard.type("Scanned the code base")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=is now Assessed")
    assert "Scanned the code base" in page.get_by_role("table", name="Status changes, newest first").inner_text()


def test_skip_link_reaches_main_content(page, inventory):
    sign_in(page, "alice")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


@pytest.mark.parametrize(
    "path",
    ["/", "/systems/", "/systems/new/", "/contracts/", "/import/systems/", "{system}", "{contract}"],
)
def test_pages_pass_axe_wcag_aa(page, inventory, contract_a, path):
    sign_in(page, "alice")
    page.goto(path.format(system=inventory.get_absolute_url(), contract=contract_a.get_absolute_url()))
    assert axe_violations(page) == []


def test_login_page_passes_axe(page, db):
    page.goto("/accounts/login/")
    assert axe_violations(page) == []


def test_axe_check_catches_a_violation(page, db):
    """Guards the checks above: a page with an unlabelled input must fail."""
    page.goto("/accounts/login/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert [violation["id"] for violation in axe_violations(page)] == ["label"]
