"""Security headers as a real browser sees them: no CSP violation, htmx still works, no caching, lockout page.

The `page` fixture fails any test whose pages broke the Content-Security-Policy.
"""

import pytest

from tests.browser.conftest import PASSWORD, axe_violations, sign_in
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inventory(alice, component_a, directive, system_a, contract_a):
    SystemFactory(agency=component_a, directive=directive, name="Refund status bot", criticality="high")
    return system_a


def test_pages_keep_their_content_security_policy(page, inventory, contract_a, csp_violations):
    sign_in(page, "alice")
    for path in ["/", "/systems/", "/systems/new/", "/contracts/", "/import/systems/", "/no/such/page/"]:
        response = page.goto(path)
        assert "default-src 'self'" in response.headers["content-security-policy"], path
    page.goto(inventory.get_absolute_url())
    page.goto(contract_a.get_absolute_url())
    page.wait_for_load_state("load")
    assert csp_violations == []


def test_admin_keeps_the_content_security_policy(page, root, directive):
    sign_in(page, "root")
    admin_pages = [
        "/admin/",
        "/admin/inventory/agency/",
        f"/admin/inventory/directive/{directive.pk}/change/",
        "/admin/inventory/user/add/",
        "/admin/axes/accessfailurelog/",
    ]
    for path in admin_pages:
        response = page.goto(path)
        assert response.status == 200, path


def test_htmx_filter_refresh_works_under_the_policy(page, inventory):
    responses = []
    page.on("response", lambda response: responses.append(response))
    sign_in(page, "alice")
    page.goto("/systems/")
    page.evaluate("window.notReloaded = true")
    page.locator("label.usa-checkbox__label", has_text="High").click()
    page.wait_for_function("() => !document.querySelector('#results').innerText.includes('Taxpayer chat assistant')")
    assert "Refund status bot" in page.locator("#results").inner_text()
    assert page.evaluate("window.notReloaded"), "the filter reloaded the page instead of swapping the results"
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None  # no agency data kept there
    fragment = next(response for response in responses if response.request.headers.get("hx-request") == "true")
    assert "no-store" in fragment.headers["cache-control"]
    stylesheet = next(response for response in responses if response.url.endswith("phaseout.css"))
    assert "no-store" not in stylesheet.headers.get("cache-control", "")


def test_a_policy_violation_is_caught(page, db, csp_violations):
    """Guards the checks above: an inline style, as htmx would inject it, must be reported."""
    page.goto("/accounts/login/")
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>.x { color: red }</style>')")
    assert any("style-src" in violation for violation in csp_violations)
    csp_violations.clear()


def test_lockout_page_is_accessible_and_holds_for_the_right_password(page, alice, settings):
    page.goto("/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("wrong password")
        with page.expect_response(lambda response: response.request.method == "POST") as answer:
            page.get_by_role("button", name="Sign in").click()
        if answer.value.status == 429:
            break
        page.goto("/accounts/login/")
    assert answer.value.status == 429
    assert page.get_by_role("heading", level=1).inner_text() == "Sign-in paused"
    assert "Try again after" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to sign in").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign-in paused"
