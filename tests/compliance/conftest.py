"""Compliance fixtures on top of the named users (tests/conftest.py).

hank is the head of agency A (the Department of the Treasury), so an official of its
component IRS too; ivy is the IRS's own designee; alice (editor of A) requests waivers.
"""

import datetime

import pytest
import time_machine

from procurement.compliance.enums import OfficialKind, WaiverCategory
from procurement.compliance.models import AgencyOfficial, DirectivePolicy
from procurement.inventory.enums import Role
from tests.factories import MembershipFactory, UserFactory

TODAY = datetime.date(2026, 3, 20)  # period 1 of the 27 February 2026 directive


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 20, 15, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def hank(agency_a):
    user = UserFactory(username="hank", first_name="Hank", last_name="Head")
    MembershipFactory(user=user, agency=agency_a, role=Role.VIEWER)  # an official reads through a membership
    AgencyOfficial.objects.create(user=user, agency=agency_a, kind=OfficialKind.AGENCY_HEAD)
    return user


@pytest.fixture
def ivy(component_a):
    user = UserFactory(username="ivy", first_name="Ivy", last_name="Designee")
    MembershipFactory(user=user, agency=component_a, role=Role.VIEWER)
    AgencyOfficial.objects.create(user=user, agency=component_a, kind=OfficialKind.DESIGNEE)
    return user


@pytest.fixture
def policy(directive):
    return DirectivePolicy.objects.create(
        directive=directive,
        allowed_categories=[WaiverCategory.NATIONAL_SECURITY, WaiverCategory.NO_VIABLE_ALTERNATIVE],
    )


def waiver_fields(**changes):
    fields = {
        "category": WaiverCategory.NO_VIABLE_ALTERNATIVE,
        "justification": "The replacement model is not authorised yet.",
        "alternatives_considered": "Two other vendors; neither holds an ATO.",
        "compensating_mitigations": "Traffic limited to non-sensitive prompts; logging on.",
        "phase_out_plan": "Cut over to the authorised model by June.",
        "requested_until": TODAY + datetime.timedelta(days=90),
    }
    return fields | changes
