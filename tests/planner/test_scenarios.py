"""Baselines and what-if scenarios: more capacity never makes more systems late; slips against
the baseline; only transition leads run scenarios; another agency's are 404."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from planner import plan_stored, scenarios, services
from planner.adjustments import Adjustments, TeamIncrease
from planner.enums import MilestoneKind, PlanObjective, PlanState
from planner.models import Milestone, Plan, ScheduledStep
from planner.schedule_check import objective_value
from planner.selectors import current_plan
from procurement.inventory.enums import DependencyKind, Role
from procurement.inventory.models import System
from tests.factories import MembershipFactory, SystemFactory, UserFactory
from tests.planner.checks import weighted_lateness

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


def run(user, agency) -> Plan:
    plan = services.plan_request(user=user, agency=agency, time_limit_seconds=2, queue=False, starts_on=MONDAY)
    return services.plan_run_now(plan.pk)


def what_if(user, base, adjustments) -> Plan:
    scenario = scenarios.scenario_request(user=user, base=base, adjustments=adjustments, queue=False)
    return services.plan_run_now(scenario.pk)


@pytest.fixture
def busy_agency(agency_a, component_a, directive, teams_a):
    """Twelve IRS systems on teams of two with deadlines spread over a year: capacity decides who is late."""
    for n in range(12):
        system = SystemFactory(
            agency=component_a,
            directive=directive,
            fisma_id=f"IRS-{n:02d}",
            dependency_kind=[DependencyKind.DIRECT_API, DependencyKind.CLOUD_PLATFORM][n % 2],
        )
        System.objects.filter(pk=system.pk).update(removal_deadline=MONDAY + datetime.timedelta(days=60 + 12 * n))
    return agency_a


@pytest.mark.parametrize("extra", [1, 2, 5])
def test_more_capacity_never_makes_more_systems_late(lena, busy_agency, teams_a, extra):
    base = run(lena, busy_agency)
    changes = Adjustments(team_increases=tuple(TeamIncrease(team.pk, extra, MONDAY) for team in teams_a.values()))
    scenario = what_if(lena, base, changes)
    assert scenario.state == PlanState.DONE and scenario.scenario_base == base
    assert scenario.late_systems <= base.late_systems
    later_only = what_if(
        lena,
        base,
        Adjustments(
            team_increases=(TeamIncrease(teams_a["engineers"].pk, extra, MONDAY + datetime.timedelta(days=60)),)
        ),
    )
    assert later_only.late_systems <= base.late_systems


def test_a_scenario_leaves_the_current_plan_and_its_milestones(lena, busy_agency, teams_a):
    base = run(lena, busy_agency)
    due = dict(Milestone.objects.filter(kind=MilestoneKind.REMOVED).values_list("pk", "due_on"))
    what_if(lena, base, Adjustments(team_increases=(TeamIncrease(teams_a["engineers"].pk, 3, MONDAY),)))
    assert current_plan(busy_agency) == base
    assert dict(Milestone.objects.filter(kind=MilestoneKind.REMOVED).values_list("pk", "due_on")) == due


def test_the_side_by_side_page_and_the_slip_against_the_baseline(
    client, lena, victor, busy_agency, teams_a, component_a
):
    base = run(lena, busy_agency)
    client.force_login(lena)
    assert client.post(reverse("planner:plan-baseline", args=[base.pk])).status_code == 302
    base.refresh_from_db()
    assert base.is_baseline
    response = client.post(
        reverse("planner:plan-scenario-run", args=[base.pk]),
        {"team": teams_a["engineers"].pk, "extra": 2, "from_date": "2026-12-01"},
    )
    scenario = Plan.objects.get(scenario_base=base)
    assert response.url == scenario.get_absolute_url()
    services.plan_run_now(scenario.pk)
    later = run(lena, busy_agency)
    client.force_login(victor)
    page = client.get(reverse("planner:plan-scenarios", args=[base.pk])).content.decode()
    assert "Treasury engineers +2 people from 2026-12-01" in page and f"#{scenario.pk}" in page
    assert "Run a what-if" not in page  # viewers see, never run
    gantt = client.get(reverse("planner:plan-gantt", args=[later.pk]))
    assert gantt.context["baseline"] == base
    assert "Slip against baseline" in gantt.content.decode()


def test_the_what_if_form_names_what_is_missing_or_wrong(client, lena, busy_agency, system_b):
    base = run(lena, busy_agency)
    client.force_login(lena)
    url = reverse("planner:plan-scenario-run", args=[base.pk])
    nothing = client.post(url, {})
    assert nothing.status_code == 400 and "Change at least one input" in nothing.content.decode()
    half = client.post(url, {"extra": 2})
    assert half.status_code == 400 and "Give the team, how many people and from when." in half.content.decode()
    foreign = client.post(url, {"deadline_system": system_b.fisma_id, "deadline": "2027-06-30"})
    assert foreign.status_code == 400
    assert foreign.context["form"].errors["deadline_system"] == [
        f"No system “{system_b.fisma_id}” in this plan's agency."
    ]
    assert not Plan.objects.filter(scenario_base=base).exists()


def test_a_later_deadline_and_a_waiver_are_applied(lena, busy_agency):
    base = run(lena, busy_agency)
    late = base.systems.filter(late_days__gt=0).select_related("system").first()
    assert late is not None
    far = datetime.date(2029, 1, 1)
    scenario = what_if(lena, base, Adjustments(deadlines={late.system_id: far}))
    assert scenario.systems.get(system_id=late.system_id).deadline == far
    waived = what_if(lena, base, Adjustments(waivers={late.system_id: far}))
    assert waived.systems.get(system_id=late.system_id).late_days == 0


def test_viewers_and_editors_cannot_run_scenarios_or_set_the_baseline(
    client, victor, alice, lena, busy_agency, teams_a
):
    base = run(lena, busy_agency)
    for user in (victor, alice):
        client.force_login(user)
        response = client.post(
            reverse("planner:plan-scenario-run", args=[base.pk]),
            {"team": teams_a["engineers"].pk, "extra": 2, "from_date": "2026-12-01"},
        )
        assert response.status_code == 403
        assert client.post(reverse("planner:plan-baseline", args=[base.pk])).status_code == 403
        with pytest.raises(PermissionDenied):
            scenarios.scenario_request(
                user=user, base=base, adjustments=Adjustments(deadlines={1: MONDAY}), queue=False
            )
    assert not Plan.objects.filter(scenario_base=base).exists()
    base.refresh_from_db()
    assert not base.is_baseline


def test_a_scenario_cannot_be_the_baseline(lena, busy_agency, teams_a):
    base = run(lena, busy_agency)
    scenario = what_if(lena, base, Adjustments(team_increases=(TeamIncrease(teams_a["engineers"].pk, 1, MONDAY),)))
    with pytest.raises(ValidationError):
        scenarios.plan_mark_baseline(user=lena, plan=scenario)


def test_another_agencys_scenarios_are_404_for_every_role(client, lena, busy_agency, agency_b, teams_a):
    base = run(lena, busy_agency)
    scenario = what_if(lena, base, Adjustments(team_increases=(TeamIncrease(teams_a["engineers"].pk, 1, MONDAY),)))
    for role in Role.values:
        outsider = UserFactory(username=f"outsider-{role}")
        MembershipFactory(user=outsider, agency=agency_b, role=role)
        client.force_login(outsider)
        for plan in (base, scenario):
            assert client.get(reverse("planner:plan-scenarios", args=[plan.pk])).status_code == 404, role
            assert client.post(reverse("planner:plan-scenario-run", args=[plan.pk]), {"extra": 1}).status_code == 404
            assert client.post(reverse("planner:plan-baseline", args=[plan.pk])).status_code == 404


def test_a_what_if_worse_than_its_base_keeps_the_bases_schedule(lena, busy_agency, teams_a):
    """The guard behind "more capacity never makes more systems late": when the search's schedule
    is worse than the base's and the base's still fits, the scenario stores the base's."""
    base = run(lena, busy_agency)
    scenario = what_if(lena, base, Adjustments(team_increases=(TeamIncrease(teams_a["engineers"].pk, 1, MONDAY),)))
    base_starts = dict(ScheduledStep.objects.filter(plan=base).values_list("item_id", "start_unit"))
    # As if the time limit had stopped the search at a worse schedule than its base's.
    Plan.objects.filter(pk=scenario.pk).update(late_systems=base.late_systems + 1, objective_value=10**9)
    scenario = Plan.objects.get(pk=scenario.pk)
    assert scenario.objective == PlanObjective.DURATION  # the search proved its lateness the least possible
    least_lateness = weighted_lateness(scenario)

    plan_stored.scenario_keep_no_worse(scenario)

    scenario.refresh_from_db()
    assert scenario.late_systems == base.late_systems
    assert dict(ScheduledStep.objects.filter(plan=scenario).values_list("item_id", "start_unit")) == base_starts
    assert "so this scenario keeps it" in scenario.input_snapshot["warnings"][-1]
    # Fewer late systems, more weighted lateness: the page says so, against the proven least.
    assert scenario.objective == PlanObjective.LATENESS
    assert scenario.objective_value == weighted_lateness(scenario) > least_lateness == scenario.lower_bound
    assert scenario.gap == pytest.approx(1 - least_lateness / scenario.objective_value)


def test_a_kept_schedules_objective_is_its_own_weighted_lateness_or_length():
    problem = {
        "items": [
            {"id": "a", "duration": 3, "deadline": 2, "weight": 2},
            {"id": "b", "duration": 1, "deadline": None, "weight": 1},
            {"id": "c", "duration": 2, "deadline": 10, "weight": 3},
        ]
    }
    starts = {"a": 1, "b": 7, "c": 0}
    assert objective_value(problem, starts, PlanObjective.LATENESS) == 2 * (1 + 3 - 2)  # c is early: not negative
    assert objective_value(problem, starts, PlanObjective.DURATION) == 8
