"""At risk comes from the planner: the latest stored plan's finish against today's deadline in force."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from planner.enums import PlanState
from planner.models import Plan, PlanSystem
from procurement.compliance import risk, services
from procurement.inventory.models import System
from tests.compliance.test_waivers import approve, request
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db


def stored_plan(agency, finishes: dict, minutes_ago: int = 0, **fields) -> Plan:
    """A done plan as the planner stores it: one row per system with its planned finish."""
    plan = Plan.objects.create(
        agency=agency,
        starts_on=datetime.date(2026, 3, 1),
        state=PlanState.DONE,
        finished_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        **fields,
    )
    for system, day in finishes.items():
        PlanSystem.objects.create(plan=plan, system=system, finishes_on=day, deadline=system.removal_deadline)
    return plan


def after(system, days=1):
    return system.removal_deadline + datetime.timedelta(days=days)


def test_no_plan_is_none_not_zero(directive, component_a, system_a):
    assert risk.at_risk_by_agency(directive, {component_a.pk}) == {component_a.pk: None}
    report = services.status_report_generate(directive=directive, agency=component_a, number=1)
    assert report.summary["at_risk"] is None


def test_a_system_planned_after_its_deadline_is_at_risk(directive, agency_a, component_a, system_a):
    on_time = SystemFactory(agency=component_a, directive=directive)
    stored_plan(agency_a, {system_a: after(system_a), on_time: on_time.removal_deadline})
    report = services.status_report_generate(directive=directive, agency=component_a, number=1)
    assert report.summary["at_risk"] == 1


def test_the_latest_plan_wins_and_what_ifs_do_not_count(directive, agency_a, component_a, system_a):
    older = stored_plan(agency_a, {system_a: after(system_a)}, minutes_ago=10)
    stored_plan(agency_a, {system_a: system_a.removal_deadline}, scenario_base=older)  # a what-if, newer
    assert risk.at_risk_by_agency(directive, {component_a.pk})[component_a.pk] == 1
    stored_plan(component_a, {system_a: system_a.removal_deadline}, minutes_ago=5)  # the component's, newer
    assert risk.at_risk_by_agency(directive, {component_a.pk})[component_a.pk] == 0


def test_a_waiver_in_force_moves_the_deadline(directive, agency_a, alice, hank, system_a, policy):
    stored_plan(agency_a, {system_a: after(system_a, days=30)})
    assert risk.at_risk_by_agency(directive, {system_a.agency_id})[system_a.agency_id] == 1
    approve(hank, request(alice, system_a))  # 90 days past today, later than the planned finish
    assert risk.at_risk_by_agency(directive, {system_a.agency_id})[system_a.agency_id] == 0


def test_a_removed_system_is_not_at_risk(directive, agency_a, system_a):
    stored_plan(agency_a, {system_a: after(system_a)})
    System.objects.filter(pk=system_a.pk).update(status="removed")
    assert risk.at_risk_by_agency(directive, {system_a.agency_id})[system_a.agency_id] == 0


def test_oversight_shows_at_risk_and_no_plan(client, olga, directive, agency_a, system_a, system_b):
    stored_plan(agency_a, {system_a: after(system_a)})
    client.force_login(olga)
    response = client.get(reverse("compliance:oversight"))
    rows = {row.department.abbreviation: row for row in response.context["rows"]}
    assert rows["TREAS"].at_risk == 1
    assert rows["DOD"].at_risk is None
    assert "no plan" in response.content.decode()
