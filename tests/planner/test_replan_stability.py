"""A re-plan starts from the current plan: nothing moves without a change, and a changed
estimate moves nothing in a part that shares no team and no link with its system."""

import datetime
from decimal import Decimal

import pytest

from planner import services
from planner.enums import Step, TeamKind
from planner.models import Plan, ScheduledStep, Team
from planner.setup_services import EstimateEdit, system_estimates_save
from tests.factories import SystemFactory

MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture
def dod_systems(agency_b, directive):
    for kind in TeamKind.values:
        Team.objects.create(agency=agency_b, kind=kind, name=f"Defense {kind}", head_count=2)
    return [SystemFactory(agency=agency_b, directive=directive, fisma_id=f"DOD-{n}") for n in range(1, 4)]


def run_all(root) -> Plan:
    """Every agency in one plan, warm-started from the current one, as a lead's request is."""
    plan = services.plan_request(user=root, agency=None, time_limit_seconds=2, queue=False, starts_on=MONDAY)
    return services.plan_run_now(plan.pk)


def step_dates(plan: Plan, **filters) -> dict[str, tuple]:
    steps = ScheduledStep.objects.filter(plan=plan, **filters)
    return {
        item: (starts, finishes) for item, starts, finishes in steps.values_list("item_id", "starts_on", "finishes_on")
    }


def test_an_unchanged_replan_moves_no_step(root, irs_systems, dod_systems):
    first = run_all(root)
    again = run_all(root)
    assert again.warm_start == first and first.parts_total == 2
    assert again.moved_steps == 0
    assert step_dates(again) == step_dates(first)


def test_a_changed_estimate_leaves_an_unrelated_part_where_it_was(root, lena, irs_systems, dod_systems):
    first = run_all(root)
    changed = irs_systems[0]
    build = ScheduledStep.objects.get(plan=first, system=changed, step=Step.BUILD)
    longer = Decimal(2 * (build.finish_unit - build.start_unit))
    system_estimates_save(user=lena, system=changed, edits=[EstimateEdit(Step.BUILD, longer)])
    again = run_all(root)
    assert again.warm_start == first and again.moved_steps is not None
    assert ScheduledStep.objects.get(plan=again, system=changed, step=Step.BUILD).finishes_on > build.finishes_on
    defense = {"system__agency__abbreviation": "DOD"}
    assert step_dates(again, **defense) == step_dates(first, **defense) != {}
