"""The Gantt chart in a real browser: drawn from its JSON under the strict CSP, opened by
keyboard, zoomed, and with no axe-core (WCAG 2.1 AA) violations on the chart pages."""

import datetime

import pytest

from planner import services
from tests.browser.conftest import axe_violations, browser, csp_violations, page, sign_in  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plan(lena, agency_a, irs_systems, victor):
    irs_systems[0].depends_on.add(irs_systems[2])
    request = services.plan_request(
        user=lena, agency=agency_a, time_limit_seconds=2, queue=False, starts_on=datetime.date(2026, 11, 23)
    )
    return services.plan_run_now(request.pk)


def test_the_gantt_is_drawn_opened_and_zoomed(page, plan, csp_violations):  # noqa: F811
    sign_in(page, "victor")
    page.goto(f"/plans/{plan.pk}/gantt/")
    page.wait_for_selector("[data-gantt].is-ready")
    chart = page.locator(".phaseout-gantt__svg")
    assert page.locator(".phaseout-gantt__summary").count() == 3
    assert page.locator(".phaseout-gantt__deadline").count() == 1
    assert page.locator(".phaseout-gantt__link").count() == 1  # IRS-1 waits for IRS-3's cut-over
    width_in_weeks = float(chart.get_attribute("width"))
    toggle = page.get_by_role("button", name="IRS-1", exact=False).first
    toggle.focus()
    page.keyboard.press("Enter")
    assert page.locator("[data-system][aria-expanded='true']").count() == 1
    assert page.locator(".phaseout-gantt__bar").count() >= 5
    page.get_by_role("button", name="Months").click()
    assert float(page.locator(".phaseout-gantt__svg").get_attribute("width")) < width_in_weeks / 2
    assert axe_violations(page) == []
    assert csp_violations == []


def test_chart_pages_pass_axe(page, plan):  # noqa: F811
    sign_in(page, "lena")
    for path in (f"/plans/{plan.pk}/load/", f"/plans/{plan.pk}/scenarios/", "/milestones/"):
        page.goto(path)
        assert axe_violations(page) == [], path
