"""Gantt data and pages, team load, and their access: what the chart draws is what the plan says."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planner import services
from planner.enums import Step
from planner.gantt import gantt_data
from planner.load import team_load
from planner.models import Plan
from procurement.inventory.enums import DependencyKind, Role
from tests.factories import MembershipFactory, SystemFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


def run(user, agency) -> Plan:
    plan = services.plan_request(user=user, agency=agency, time_limit_seconds=2, queue=False, starts_on=MONDAY)
    return services.plan_run_now(plan.pk)


def gantt(client, plan, **params) -> dict:
    response = client.get(reverse("planner:plan-gantt-data", args=[plan.pk]), params)
    assert response.status_code == 200
    return response.json()


def test_the_gantt_data_is_the_plans_schedule(client, lena, agency_a, irs_systems):
    dependent, prerequisite = irs_systems[0], irs_systems[2]
    dependent.depends_on.add(prerequisite)
    plan = run(lena, agency_a)
    client.force_login(lena)
    data = gantt(client, plan)
    systems = {system["fisma_id"]: system for system in data["systems"]}
    assert set(systems) == {"IRS-1", "IRS-2", "IRS-3"}
    for step in plan.steps.all():
        drawn = next(s for s in systems[step.system.fisma_id]["steps"] if s["id"] == step.item_id)
        assert (drawn["starts_on"], drawn["finishes_on"]) == (step.starts_on.isoformat(), step.finishes_on.isoformat())
        assert drawn["late_days"] == step.late_days
    assert {"from": prerequisite.pk, "to": dependent.pk} in data["links"]
    assert data["deadlines"] == [{"date": irs_systems[0].removal_deadline.isoformat(), "systems": 3}]
    late = [step for system in data["systems"] for step in system["steps"] if step["late_days"]]
    assert late and all(step["step"] == Step.DECOMMISSION for step in late)
    assert all(step["critical"] for step in late)  # a late step is the end of its critical chain
    last = max((step for system in data["systems"] for step in system["steps"]), key=lambda s: s["finishes_on"])
    assert last["critical"]


def test_one_systems_gantt_shows_it_and_what_it_waits_for(client, lena, agency_a, irs_systems):
    irs_systems[0].depends_on.add(irs_systems[2])
    plan = run(lena, agency_a)
    client.force_login(lena)
    data = gantt(client, plan, system=irs_systems[0].pk)
    assert {system["fisma_id"] for system in data["systems"]} == {"IRS-1", "IRS-3"}
    page = client.get(reverse("planner:plan-gantt-system", args=[plan.pk, irs_systems[0].pk]))
    assert page.status_code == 200 and "Decommission and purge data" in page.content.decode()


def test_the_gantt_page_has_the_chart_and_its_table(client, victor, lena, agency_a, irs_systems):
    plan = run(lena, agency_a)
    client.force_login(victor)
    page = client.get(reverse("planner:plan-gantt", args=[plan.pk])).content.decode()
    assert 'data-url="' + reverse("planner:plan-gantt-data", args=[plan.pk]) + '"' in page
    assert "planner/gantt.js" in page and "<style" not in page and "onclick" not in page
    assert all(system.fisma_id in page for system in irs_systems)  # the table alternative


def test_team_load_never_exceeds_capacity_and_counts_every_step(client, lena, agency_a, irs_systems):
    plan = run(lena, agency_a)
    loads = team_load(lena, plan)
    assert loads
    for load in loads:
        assert all(bucket.demand <= bucket.capacity for bucket in load.buckets), load.name
        planned = sum(
            (step.finish_unit - step.start_unit) * step.head_count for step in plan.steps.filter(team_id=load.team_id)
        )
        assert sum(bucket.demand for bucket in load.buckets) == planned
    client.force_login(lena)
    for by in ("week", "month"):
        page = client.get(reverse("planner:plan-load", args=[plan.pk]), {"by": by})
        assert page.status_code == 200 and "Treasury engineers" in page.content.decode()


def test_another_agencys_charts_are_404_for_every_role(client, lena, agency_a, agency_b, irs_systems, system_b):
    plan = run(lena, agency_a)
    urls = [
        reverse("planner:plan-gantt", args=[plan.pk]),
        reverse("planner:plan-gantt-data", args=[plan.pk]),
        reverse("planner:plan-gantt-system", args=[plan.pk, irs_systems[0].pk]),
        reverse("planner:plan-load", args=[plan.pk]),
    ]
    for role in Role.values:
        outsider = UserFactory(username=f"outsider-{role}")
        MembershipFactory(user=outsider, agency=agency_b, role=role)
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
    client.force_login(lena)  # a system outside the plan is not drawn through it either
    assert client.get(reverse("planner:plan-gantt-data", args=[plan.pk]), {"system": system_b.pk}).status_code == 404
    assert client.get(reverse("planner:plan-gantt-system", args=[plan.pk, system_b.pk])).status_code == 404


# --- a constant number of queries, however many systems --------------------------------------


def page_queries(client, plan) -> dict[str, int]:
    urls = {
        "plan": reverse("planner:plan-detail", args=[plan.pk]),
        "gantt": reverse("planner:plan-gantt", args=[plan.pk]),
        "gantt-data": reverse("planner:plan-gantt-data", args=[plan.pk]),
        "load": reverse("planner:plan-load", args=[plan.pk]),
        "milestones": reverse("planner:milestone-list") + f"?agency={plan.agency_id}&per_page=100",
    }
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_plan_pages_read_a_constant_number_of_queries(client, lena, agency_a, component_a, directive, teams_a):
    def add_systems(count, start):
        for n in range(start, start + count):
            SystemFactory(
                agency=component_a, directive=directive, fisma_id=f"IRS-{n}", dependency_kind=DependencyKind.DIRECT_API
            )

    add_systems(3, 1)
    client.force_login(lena)
    small = page_queries(client, run(lena, agency_a))
    add_systems(12, 10)
    large = page_queries(client, run(lena, agency_a))
    assert small == large


def test_the_gantt_data_is_stored_once_with_the_plan_and_served_as_stored(client, lena, agency_a, irs_systems):
    """Everyone who may see a plan sees every system of it (a component's people do not see
    their department's plans), so the data stored with the plan is what each of them gets."""
    plan = run(lena, agency_a)
    client.force_login(lena)
    assert json.loads(Plan.objects.get(pk=plan.pk).gantt_json) == gantt_data(lena, plan) == gantt(client, plan)
    Plan.objects.filter(pk=plan.pk).update(gantt_json='{"stored": true}')
    assert gantt(client, plan) == {"stored": True}  # served as stored, not rebuilt
    Plan.objects.filter(pk=plan.pk).update(gantt_json="")  # a plan stored before the copy existed
    assert {system["fisma_id"] for system in gantt(client, plan)["systems"]} == {"IRS-1", "IRS-2", "IRS-3"}
