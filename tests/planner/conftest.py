"""Teams for agency A (Treasury; IRS is its component) and a few IRS systems to plan."""

import pytest

from planner.enums import TeamKind
from planner.models import Team
from procurement.inventory.enums import DependencyKind
from tests.factories import SystemFactory


@pytest.fixture
def teams_a(agency_a):
    return {
        kind: Team.objects.create(agency=agency_a, kind=kind, name=f"Treasury {kind}", head_count=2)
        for kind in TeamKind.values
    }


@pytest.fixture
def irs_systems(component_a, directive, teams_a):
    return [
        SystemFactory(agency=component_a, directive=directive, fisma_id=f"IRS-{n}", dependency_kind=kind)
        for n, kind in enumerate([DependencyKind.DIRECT_API, DependencyKind.CLOUD_PLATFORM, DependencyKind.EMBEDDED], 1)
    ]
