"""Plans built from the inventory, solved and stored: dates that hold, messages that name the
system and step, runs that fail or are cancelled leaving the previous plan as it was."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from planner import selectors, services
from planner.adjustments import Adjustments, TeamIncrease
from planner.enums import PlanObjective, PlanState, Step
from planner.models import FreezeWindow, Plan, SystemEstimate, Team, WorkCalendar
from planner.problems import PlanInputError, problem_build
from procurement.inventory.enums import DependencyKind, SystemStatus
from procurement.inventory.models import Agency, System
from tests.factories import SystemFactory
from tests.planner.checks import assert_plan_holds, plan_length, weighted_lateness

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


def run(user, agency, **options) -> Plan:
    plan = services.plan_request(
        user=user, agency=agency, time_limit_seconds=2, queue=False, starts_on=MONDAY, **options
    )
    return services.plan_run_now(plan.pk)


def test_every_demo_plan_holds():
    """loaddemo solves a first plan per department; each holds in its stored dates."""
    call_command("loaddemo", "--force", stdout=StringIO())
    plans = Plan.objects.filter(state=PlanState.DONE, agency__parent=None)
    assert plans.count() == Agency.objects.filter(parent=None).count()
    assert FreezeWindow.objects.exists()
    for plan in plans:
        assert_plan_holds(plan)
    assert sum(plan.late_systems for plan in plans) > 0


def test_remaining_steps_follow_the_workflow_status(lena, agency_a, irs_systems):
    migrating = irs_systems[0]
    System.objects.filter(pk=migrating.pk).update(status=SystemStatus.MIGRATING)
    plan = run(lena, agency_a)
    steps = list(plan.steps.filter(system=migrating).values_list("step", flat=True))
    assert steps == [Step.BUILD, Step.TEST_AUTHORIZE, Step.CUT_OVER, Step.DECOMMISSION, Step.VERIFY]
    assert_plan_holds(plan)


def test_a_contract_action_per_contract_on_the_contracting_team(lena, agency_a, irs_systems, contract_a, teams_a):
    contract_a.systems.add(irs_systems[1])
    plan = run(lena, agency_a)
    action = plan.steps.get(system=irs_systems[1], step=Step.CONTRACT_ACTION)
    assert action.contract == contract_a and action.team == teams_a["contracting"]
    assert action.contract_action == "modification"


def test_depends_on_waits_for_the_prerequisites_cut_over(lena, agency_a, component_a, directive, irs_systems, teams_a):
    """A quick cloud-platform swap waits for the cut-over of a long custom model it depends on."""
    Team.objects.filter(pk__in=[team.pk for team in teams_a.values()]).update(head_count=6)
    dependent = irs_systems[1]
    prerequisite = SystemFactory(
        agency=component_a, directive=directive, fisma_id="IRS-MODEL", dependency_kind=DependencyKind.CUSTOM_MODEL
    )
    dependent.depends_on.add(prerequisite)
    plan = run(lena, agency_a)
    before = plan.steps.get(system=prerequisite, step=Step.CUT_OVER)
    after = plan.steps.get(system=dependent, step=Step.CUT_OVER)
    assert before.finishes_on < after.starts_on
    assert_plan_holds(plan)


def test_a_freeze_window_holds_no_step(lena, agency_a, component_a, irs_systems):
    calendar = WorkCalendar.objects.create(agency=component_a, name="IRS")
    FreezeWindow.objects.create(
        calendar=calendar, starts_on=MONDAY, ends_on=MONDAY + datetime.timedelta(days=20), reason="Filing"
    )
    plan = run(lena, agency_a)
    assert plan.steps.earliest("starts_on").starts_on > MONDAY + datetime.timedelta(days=20)
    assert_plan_holds(plan)


def test_late_systems_are_late_and_say_why(lena, agency_a, irs_systems):
    plan = run(lena, agency_a)
    late = list(selectors.systems_at_risk(lena, plan))
    assert late  # the directive's deadline (D+0) passed before planning began
    assert "had passed when planning began" in late[0].late_reason and "chain:" in late[0].late_reason
    assert_plan_holds(plan)


def test_a_waiver_later_than_the_deadline_is_the_deadline(lena, agency_a, irs_systems):
    System.objects.filter(pk__in=[s.pk for s in irs_systems]).update(waiver_until=datetime.date(2030, 1, 1))
    plan = run(lena, agency_a)
    assert plan.late_systems == 0
    assert set(plan.systems.values_list("deadline", flat=True)) == {datetime.date(2030, 1, 1)}


def test_input_problems_name_the_system_and_the_step(agency_a, component_a, directive, teams_a):
    SystemFactory(
        agency=component_a, directive=directive, fisma_id="IRS-BIG", dependency_kind=DependencyKind.CUSTOM_MODEL
    )
    Team.objects.filter(pk=teams_a["engineers"].pk).update(head_count=1)
    Team.objects.filter(pk=teams_a["contracting"].pk).delete()
    with pytest.raises(PlanInputError) as raised:
        problem_build(System.objects.all(), MONDAY)
    messages = raised.value.messages
    assert "IRS-BIG Build and integrate needs 3 people of Treasury engineers, which never has more than 1" in messages
    assert "IRS-BIG Contract action: no contracting officers team in IRS or TREAS" in messages


def test_a_cycle_names_the_systems_and_steps(agency_a, irs_systems):
    first, second = irs_systems[0], irs_systems[1]
    first.depends_on.add(second)
    second.depends_on.add(first)  # the inventory refuses this; the planner must still say what is wrong
    with pytest.raises(PlanInputError) as raised:
        problem_build(System.objects.all(), MONDAY)
    assert "precedence cycle: IRS-1 Cut over -> IRS-2 Cut over -> IRS-1 Cut over" in raised.value.messages[0]


def test_estimates_and_adjustments_change_the_problem(agency_a, irs_systems, teams_a):
    system = irs_systems[0]
    SystemEstimate.objects.create(system=system, step=Step.BUILD, effort_days=40)
    built = problem_build(System.objects.all(), MONDAY)
    assert {item.id: item.duration for item in built.problem.items}[f"{system.pk}:build"] == 40
    more = Adjustments(
        team_increases=(TeamIncrease(teams_a["engineers"].pk, 3, MONDAY + datetime.timedelta(days=7)),),
        estimates={(system.pk, Step.BUILD): 5},
        deadlines={system.pk: datetime.date(2027, 6, 30)},
    )
    adjusted = problem_build(System.objects.all(), MONDAY, more)
    items = {item.id: item for item in adjusted.problem.items}
    assert items[f"{system.pk}:build"].duration == 5
    assert items[f"{system.pk}:decommission"].deadline == adjusted.calendar.units_through(datetime.date(2027, 6, 30))
    engineers = next(r for r in adjusted.problem.resources if r.name == f"team:{teams_a['engineers'].pk}")
    assert engineers.steps() == [(0, 2), (4, 5)]  # Thanksgiving is not a unit
    assert Adjustments.from_json(more.to_json()) == more


def test_a_failed_run_leaves_the_previous_plan(lena, agency_a, irs_systems, teams_a):
    previous = run(lena, agency_a)
    steps_before = list(previous.steps.values_list("item_id", "starts_on"))
    teams_a["assessors"].delete()
    failed = run(lena, agency_a)
    assert failed.state == PlanState.FAILED and "no security assessors team" in failed.message
    assert not failed.steps.exists()
    assert selectors.current_plan(agency_a) == previous
    assert list(previous.steps.values_list("item_id", "starts_on")) == steps_before


def test_a_run_cancelled_while_solving_stores_nothing(lena, agency_a, irs_systems):
    previous = run(lena, agency_a)
    plan = services.plan_request(user=lena, agency=agency_a, time_limit_seconds=2, queue=False, starts_on=MONDAY)
    part_ids = services.plan_start(plan.pk)
    assert services.plan_cancel(user=lena, plan=plan)
    for part_id in part_ids:
        services.plan_part_solve(part_id)
    plan.refresh_from_db()
    assert plan.state == PlanState.CANCELLED and not plan.steps.exists()
    assert selectors.current_plan(agency_a) == previous
    assert not services.plan_cancel(user=lena, plan=previous)  # a finished run stays done


def test_a_warm_start_says_how_many_steps_moved(lena, agency_a, irs_systems):
    first = run(lena, agency_a)
    SystemEstimate.objects.create(system=irs_systems[0], step=Step.ASSESS, effort_days=10)
    second = run(lena, agency_a)
    assert second.warm_start == first and second.moved_steps is not None
    assert second.moved_steps <= second.item_count
    assert second.input_snapshot["hint"]


def test_viewers_and_editors_cannot_run_plans(client, victor, alice, agency_a, irs_systems):
    for user in (victor, alice):
        client.force_login(user)
        response = client.post(reverse("planner:plan-run"), {"agency": agency_a.pk, "time_limit_seconds": 10})
        assert response.status_code in (302, 403)
    assert not Plan.objects.exists()


def test_a_lead_runs_a_plan_and_viewers_see_it(
    client, lena, victor, agency_a, irs_systems, django_capture_on_commit_callbacks
):
    client.force_login(lena)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("planner:plan-run"), {"agency": agency_a.pk, "time_limit_seconds": 10})
    plan = Plan.objects.get()
    assert response.url == plan.get_absolute_url()
    services.plan_run_now(plan.pk)
    client.force_login(victor)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "IRS-1" in page and "Cancel this run" not in page
    assert "IRS-1" in client.get(reverse("planner:plan-at-risk", args=[plan.pk])).content.decode()
    assert client.get(reverse("planner:plan-progress", args=[plan.pk])).status_code == 286
    assert f"#{plan.pk}" in client.get(reverse("planner:plan-list")).content.decode()


def test_the_page_says_how_late_the_plan_is_and_how_late_any_plan_must_be(client, lena, agency_a, irs_systems):
    """Twelve systems on teams of two, due in 60 days: some lateness the engine cannot prove unavoidable."""
    directive = irs_systems[0].directive
    more = [SystemFactory(agency=agency_a, directive=directive, fisma_id=f"TR-{n}") for n in range(9)]
    due = MONDAY + datetime.timedelta(days=60)
    System.objects.filter(pk__in=[system.pk for system in [*irs_systems, *more]]).update(waiver_until=due)
    plan = run(lena, agency_a)
    assert plan.state == PlanState.DONE, plan.message
    assert plan.objective == PlanObjective.LATENESS
    assert plan.objective_value == weighted_lateness(plan) > plan.lower_bound
    assert plan.gap == pytest.approx((plan.objective_value - plan.lower_bound) / plan.objective_value)
    client.force_login(lena)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f"Weighted lateness <strong>{plan.objective_value:,}</strong>" in page
    assert f"has less than <strong>{plan.lower_bound:,}</strong>" in page
    assert "criticality weight: low 1, moderate 2, high 3" in page


def test_a_plan_with_the_least_lateness_says_so_and_how_long_the_work_takes(client, lena, agency_a, irs_systems):
    plan = run(lena, agency_a)
    assert plan.late_systems and plan.objective == PlanObjective.DURATION
    assert plan.objective_value == plan_length(plan)
    client.force_login(lena)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "No plan has less weighted lateness. The work takes" in page
    assert f"{plan.objective_value:,} work days" in page


def test_another_agencys_plan_is_404_for_every_role(client, lena, bob, olga, agency_a, agency_b, irs_systems):
    plan = run(lena, agency_a)
    client.force_login(bob)
    for name in ("plan-detail", "plan-progress", "plan-at-risk"):
        assert client.get(reverse(f"planner:{name}", args=[plan.pk])).status_code == 404
    assert client.post(reverse("planner:plan-cancel", args=[plan.pk])).status_code == 404
    assert f"#{plan.pk}" not in client.get(reverse("planner:plan-list")).content.decode()
    client.force_login(olga)  # oversight reads every agency, runs and cancels nothing
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert client.post(reverse("planner:plan-cancel", args=[plan.pk])).status_code == 403


def test_the_command_prints_one_json_line(agency_a, irs_systems):
    out = StringIO()
    call_command("plan", "--agency", "TREAS", "--time-limit", "2", stdout=out)
    line = json.loads(out.getvalue())
    assert set(line) == {
        "agencies",
        "systems",
        "items",
        "late_systems",
        "finish",
        "status",
        "objective",
        "value",
        "lower_bound",
        "gap",
        "seconds",
    }
    plan = Plan.objects.get()
    assert (line["objective"], line["value"], line["lower_bound"]) == (
        plan.objective,
        plan.objective_value,
        plan.lower_bound,
    )
    assert line["systems"] == 3 and line["agencies"] == 1 and line["status"] in ("OPTIMAL", "FEASIBLE")
    assert_plan_holds(Plan.objects.get())
