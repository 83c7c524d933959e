"""Reminder fixtures: the component IRS under agency A (Treasury), its people and a clock.

alice owns milestones at IRS; irene leads IRS (the component's transition lead); lena leads
Treasury (the agency's lead). Sweeps take `now` explicitly, as UTC instants.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from procurement.inventory.enums import Role
from tests.factories import MembershipFactory, UserFactory
from tests.reminders.factories import MilestoneFactory

NEW_YORK = ZoneInfo("America/New_York")


def at(day: str, hour: int = 9, minute: int = 0, zone=NEW_YORK) -> datetime.datetime:
    """A wall-clock time in `zone` as a UTC instant."""
    local = datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=zone)
    return local.astimezone(datetime.UTC)


@pytest.fixture
def irene(component_a):
    user = UserFactory(username="irene")
    MembershipFactory(user=user, agency=component_a, role=Role.TRANSITION_LEAD)
    return user


@pytest.fixture
def make_milestone(component_a, directive, alice):
    def make(due_on: str, **fields):
        fields.setdefault("agency", component_a)
        fields.setdefault("owner", alice)
        return MilestoneFactory(directive=directive, due_on=datetime.date.fromisoformat(due_on), **fields)

    return make
