"""Overdue means past the deadline: on the deadline day itself a system is not overdue.

The clock is frozen on the civilian deadline (the directive's issue date, 27 February
2026) and on the day after, so the tests do not depend on today's date.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from tests.factories import ISSUED_ON, SystemFactory

DEADLINE_DAY = ISSUED_ON  # civilian systems: cease use on the day of issue


def at_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def due_today(component_a, directive):
    system = SystemFactory(agency=component_a, directive=directive, name="Due today")
    assert system.removal_deadline == DEADLINE_DAY
    return system


def days_left_cell(client) -> str:
    table = client.get(reverse("inventory:system-list"), {"columns": ["name", "days_left"]}).context["table"]
    return strip_tags(next(iter(table.rows)).get_cell("days_left"))


def overdue_listed(client) -> list[str]:
    table = client.get(reverse("inventory:system-list"), {"overdue": "true"}).context["table"]
    return [row.record.name for row in table.rows]


def dashboard_overdue_count(client, directive) -> int:
    return client.get(reverse("inventory:directive-dashboard", args=[directive.pk])).context["overdue_count"]


@pytest.mark.parametrize(
    ("day", "overdue", "cell"),
    [(DEADLINE_DAY, False, "0"), (DEADLINE_DAY + datetime.timedelta(days=1), True, "1 day overdue")],
)
def test_overdue_starts_the_day_after_the_deadline(client, alice, directive, due_today, day, overdue, cell):
    client.force_login(alice)
    with time_machine.travel(at_noon(day), tick=False):
        assert overdue_listed(client) == (["Due today"] if overdue else [])
        assert dashboard_overdue_count(client, directive) == (1 if overdue else 0)
        assert days_left_cell(client) == cell


def test_days_overdue_are_written_once(client, alice, due_today):
    client.force_login(alice)
    with time_machine.travel(at_noon(DEADLINE_DAY + datetime.timedelta(days=88)), tick=False):
        assert days_left_cell(client) == "88 days overdue"
