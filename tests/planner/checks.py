"""Checks of a stored plan against its inputs, read back from the database in dates, not units
(and its weighted lateness in units, worked out apart from the engine)."""

import datetime
from collections import defaultdict

from django.urls import reverse

from planner.calendars import WorkCalendar
from planner.enums import REMOVAL_STEP
from planner.models import FreezeWindow, Plan, Team, TeamCapacityChange


def days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def assert_plan_holds(plan: Plan) -> None:
    """Every precedence and team capacity holds in the stored dates; no step on a weekend,
    holiday or freeze day; the systems listed late are exactly the late ones."""
    steps = {step.item_id: step for step in plan.steps.select_related("system")}
    assert steps, "the plan stores no steps"
    calendar = WorkCalendar(plan.starts_on)
    _assert_work_days(steps.values(), calendar)
    _assert_precedences(plan, steps)
    _assert_capacity(steps.values(), calendar)
    _assert_freezes(steps.values())
    _assert_late_systems(plan, steps.values())


def _assert_work_days(steps, calendar: WorkCalendar) -> None:
    for step in steps:
        assert step.starts_on >= calendar.start, step
        assert calendar.is_work_day(step.starts_on) and calendar.is_work_day(step.finishes_on), step
        worked = [day for day in days(step.starts_on, step.finishes_on) if calendar.is_work_day(day)]
        assert len(worked) == step.finish_unit - step.start_unit, step


def _assert_precedences(plan: Plan, steps: dict) -> None:
    for entry in plan.input_snapshot["problem"]["items"]:
        for predecessor in entry["predecessors"]:
            assert steps[predecessor].finishes_on < steps[entry["id"]].starts_on, (predecessor, entry["id"])


def _capacity(team: Team, changes: list[TeamCapacityChange], day: datetime.date) -> int:
    head_count = team.head_count
    for change in changes:
        if change.starts_on <= day:
            head_count = change.head_count
    return head_count


def _assert_capacity(steps, calendar: WorkCalendar) -> None:
    load: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for step in steps:
        for day in days(step.starts_on, step.finishes_on):
            if calendar.is_work_day(day):
                load[step.team_id, day] += step.head_count
    teams = {team.pk: team for team in Team.objects.filter(pk__in={team for team, _ in load})}
    changes = defaultdict(list)
    for change in TeamCapacityChange.objects.filter(team__in=teams).order_by("starts_on"):
        changes[change.team_id].append(change)
    for (team_id, day), used in load.items():
        assert used <= _capacity(teams[team_id], changes[team_id], day), (teams[team_id], day, used)


def _assert_freezes(steps) -> None:
    """A system's agency's freezes (its own calendar's, else its department's) hold no step."""
    windows = defaultdict(list)
    for window in FreezeWindow.objects.select_related("calendar"):
        windows[window.calendar.agency_id].append(window)
    for step in steps:
        agency = step.system.agency
        own = windows.get(agency.pk) or windows.get(agency.parent_id) or []
        for window in own:
            assert step.finishes_on < window.starts_on or step.starts_on > window.ends_on, (step, window)


def _assert_late_systems(plan: Plan, steps) -> None:
    removal = {step.system_id: step.finishes_on for step in steps if step.step == REMOVAL_STEP}
    for entry in plan.systems.all():
        finish = removal.get(entry.system_id)
        really_late = finish is not None and entry.deadline is not None and finish > entry.deadline
        assert (entry.late_days > 0) == really_late, entry
        if really_late:
            assert entry.late_days == (finish - entry.deadline).days
            assert entry.late_reason
    assert plan.late_systems == plan.systems.filter(late_days__gt=0).count()


def plan_urls(plan: Plan, system_id: int | None = None) -> dict[str, str]:
    """Every page an agency lead opens for a plan (one system's Gantt: `system_id`, else its first system).

    The query-count tests and `bench.plan_pages` open the same pages.
    """
    system_id = system_id or plan.systems.values_list("system_id", flat=True).first()
    return {
        "plan": reverse("planner:plan-detail", args=[plan.pk]),
        "plan, second page": reverse("planner:plan-detail", args=[plan.pk]) + "?page=2",
        "progress": reverse("planner:plan-progress", args=[plan.pk]),
        "at risk": reverse("planner:plan-at-risk", args=[plan.pk]),
        "gantt": reverse("planner:plan-gantt", args=[plan.pk]),
        "gantt data": reverse("planner:plan-gantt-data", args=[plan.pk]),
        "one system's gantt": reverse("planner:plan-gantt-system", args=[plan.pk, system_id]),
        "load by week": reverse("planner:plan-load", args=[plan.pk]),
        "load by month": reverse("planner:plan-load", args=[plan.pk]) + "?by=month",
        "scenarios": reverse("planner:plan-scenarios", args=[plan.pk]),
        "plans": reverse("planner:plan-list"),
        "milestones": reverse("planner:milestone-list") + f"?agency={plan.agency_id}&per_page=100",
        "overdue milestones": reverse("planner:milestone-list") + "?state=overdue&per_page=100",
    }


def weighted_lateness(plan: Plan) -> int:
    """Worked out from the stored steps and the snapshot's deadlines, apart from the engine."""
    items = {item["id"]: item for item in plan.input_snapshot["problem"]["items"]}
    return sum(
        items[step.item_id]["weight"] * max(0, step.finish_unit - items[step.item_id]["deadline"])
        for step in plan.steps.all()
        if items[step.item_id]["deadline"] is not None
    )


def plan_length(plan: Plan) -> int:
    """The unit after the plan's last step."""
    return max(step.finish_unit for step in plan.steps.all())
