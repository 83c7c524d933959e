"""Compliance in a real browser: a waiver asked for and decided by someone else (the decision
by keyboard alone), the component's then the department's signature, and the oversight
page's labelled tables."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.compliance import selectors, services
from procurement.compliance.enums import WaiverStatus
from procurement.compliance.models import Waiver
from tests.browser.conftest import axe_violations, sign_in
from tests.compliance.conftest import hank, ivy, policy  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_waiver_requested_then_approved_by_keyboard(page, alice, hank, system_a, policy):  # noqa: F811
    sign_in(page, "alice")
    page.goto(reverse("compliance:waiver-request", args=[system_a.pk]))
    page.get_by_label("Category").select_option("no_alternative")
    page.get_by_label("Justification").fill("The replacement is not authorised yet.")
    page.get_by_label("Alternatives considered").fill("Two vendors; neither holds an ATO.")
    page.get_by_label("Compensating mitigations").fill("Logging on; no sensitive prompts.")
    page.get_by_label("Phase-out plan").fill("Cut over by June.")
    until = timezone.localdate() + datetime.timedelta(days=60)
    page.get_by_label("Requested end date").fill(until.isoformat())
    page.get_by_role("button", name="Request").click()
    page.wait_for_url("**/waivers/*/")
    waiver = Waiver.objects.get(system=system_a)
    assert waiver.status == WaiverStatus.REQUESTED
    assert page.get_by_role("heading", name="Decide").count() == 0  # the requester never decides

    page.context.clear_cookies()
    sign_in(page, "hank")
    page.goto(reverse("compliance:waiver-detail", args=[waiver.pk]))
    page.get_by_label("Approve").focus()  # then the keyboard alone: choose, note, submit
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # past Deny, in the same radio group, to the note
    page.keyboard.type("Mitigations are adequate.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Mitigations are adequate.")
    waiver.refresh_from_db()
    assert waiver.status == WaiverStatus.APPROVED and waiver.decided_by == hank
    system_a.refresh_from_db()
    assert system_a.waiver_until == until


@pytest.fixture
def current_reports(directive, agency_a, component_a, system_a):
    number = selectors.current_period_number(directive, timezone.localdate())
    return [
        services.status_report_generate(directive=directive, agency=agency, number=number)
        for agency in (component_a, agency_a)
    ]


def sign(page, report, signer: str) -> None:
    page.goto(report.get_absolute_url())
    page.get_by_role("button", name=f"Sign as {signer}").click()
    page.wait_for_selector(f"text=Signed by {signer}")


def test_the_component_signs_then_the_department(page, ivy, hank, current_reports):  # noqa: F811
    component_report, department_report = current_reports
    sign_in(page, "hank")
    page.goto(department_report.get_absolute_url())
    assert "Every component must sign first. Not yet signed: IRS." in page.inner_text("main")
    page.context.clear_cookies()
    sign_in(page, "ivy")
    sign(page, component_report, "Ivy Designee")
    page.context.clear_cookies()
    sign_in(page, "hank")
    sign(page, department_report, "Hank Head")
    department_report.refresh_from_db()
    assert department_report.is_signed


def test_oversight_tables_are_labelled(page, olga, system_a, system_b):
    sign_in(page, "olga")
    page.goto(reverse("compliance:oversight"))
    assert page.get_by_role("heading", level=1).inner_text() == "Oversight"
    table = page.get_by_role("table", name="Departments: reports signed this period, progress, waivers")
    assert "Department of the Treasury" in table.inner_text() and "no plan" in table.inner_text()
    assert page.get_by_role("heading", name="Burndown per department").is_visible()
    treasury = page.get_by_role("region", name="Department of the Treasury")
    treasury.get_by_text("As a table").click()
    burndown = page.get_by_role(
        "table", name="Systems remaining in Department of the Treasury against the straight line"
    )
    assert burndown.get_by_role("columnheader", name="Straight line").is_visible()
    assert page.get_by_role("img", name="Burndown of Department of the Treasury").count() == 1
    assert axe_violations(page) == []
