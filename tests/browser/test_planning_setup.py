"""A transition lead sets up planning with the keyboard alone: a freeze window and a team's head-count change."""

import datetime
import re

import pytest

from planner.enums import TeamKind
from planner.models import FreezeWindow, Team, TeamCapacityChange
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def engineers(agency_a):
    return Team.objects.create(agency=agency_a, kind=TeamKind.ENGINEERS, name="Treasury engineers", head_count=2)


def type_into(page, label: str, text: str) -> None:
    """Moves focus with Tab until the field labelled `label` has it, then types: no mouse."""
    target = page.get_by_label(re.compile(f"^{label}\\b"))  # the name ends in the required mark
    for _ in range(200):
        if target.evaluate("element => element === document.activeElement"):
            page.keyboard.type(text, delay=30)  # a date field takes month, day and year in turn
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {label}")


def test_freeze_window_and_team_change_by_keyboard(page, lena, agency_a, engineers):
    page.set_default_timeout(30_000)  # 2 shared cores: a slow page is no failure here
    sign_in(page, "lena")
    page.goto(f"/setup/{agency_a.pk}/")
    assert axe_violations(page) == []

    type_into(page, "First frozen day", "12142026")  # Chromium's date field takes the digits in order
    type_into(page, "Last frozen day", "12182026")
    type_into(page, "Reason", "Year-end close")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("text=Added the freeze")
    window = FreezeWindow.objects.get()
    assert (window.starts_on, window.ends_on, window.reason) == (
        datetime.date(2026, 12, 14),
        datetime.date(2026, 12, 18),
        "Year-end close",
    )

    page.keyboard.press("Tab")  # focus starts again from the top of the new page
    type_into(page, "From", "06012027")
    type_into(page, "Head count from then", "4")
    type_into(page, "Why", "Two contractors join")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits "Add head-count change"
    page.wait_for_selector("text=Treasury engineers has 4 people from 2027-06-01.")
    change = TeamCapacityChange.objects.get()
    assert (change.team, change.starts_on, change.head_count) == (engineers, datetime.date(2027, 6, 1), 4)
    table = page.get_by_role("table", name="Head-count changes of Treasury engineers").inner_text()
    assert "2027-06-01" in table and "Two contractors join" in table
