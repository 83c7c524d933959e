"""Team load: person-days of work asked of each team against the person-days it has, per week
or month. Read from a done plan's steps and the capacities in its input snapshot.

`bucket_load` is plain arithmetic (no database); `team_loads` reads any number of plans in
three queries (the what-if page compares up to a dozen).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Sum, Value

from planner.calendars import WorkCalendar
from planner.item_names import team_resource
from planner.models import Plan, ScheduledStep, Team

WEEK, MONTH = "week", "month"


@dataclass(frozen=True)
class LoadBucket:
    starts_on: datetime.date
    demand: int  # person-days of planned work
    capacity: int  # person-days the team has

    @property
    def over(self) -> bool:
        return self.demand > self.capacity

    @property
    def percent(self) -> int:
        return round(100 * self.demand / self.capacity) if self.capacity else (0 if not self.demand else 999)


@dataclass(frozen=True)
class TeamLoad:
    team_id: int
    name: str
    buckets: tuple[LoadBucket, ...]

    @property
    def peak(self) -> int:
        return max((max(b.demand, b.capacity) for b in self.buckets), default=0)


def bucket_start(day: datetime.date, size: str) -> datetime.date:
    if size == MONTH:
        return day.replace(day=1)
    return day - datetime.timedelta(days=day.weekday())


def demand_changes(steps: Iterable[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """(unit, change in people at work) from (start unit, finish unit, head count) steps."""
    changes = []
    for start, finish, head_count in steps:
        changes += [(start, head_count), (finish, -head_count)]
    return changes


def bucket_load(
    changes: Iterable[tuple[int, int]],
    capacity: tuple[int, list[tuple[int, int]]],
    calendar: WorkCalendar,
    last_unit: int,
    size: str,
) -> tuple[LoadBucket, ...]:
    """Per bucket: demand from the (unit, change in people at work) pairs, capacity per work day
    from the head count and its (from unit, head count) changes (the later change wins)."""
    people = [0] * (last_unit + 1)
    for unit, change in changes:
        if unit <= last_unit:
            people[unit] += change
    head_count, capacity_changes = capacity
    capacity_changes = sorted(capacity_changes)
    totals: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0])
    running, next_change = 0, 0
    for unit in range(last_unit):
        running += people[unit]
        while next_change < len(capacity_changes) and capacity_changes[next_change][0] <= unit:
            head_count = capacity_changes[next_change][1]
            next_change += 1
        bucket = totals[bucket_start(calendar.date_of(unit), size)]
        bucket[0] += running
        bucket[1] += head_count
    return tuple(LoadBucket(day, d, c) for day, (d, c) in sorted(totals.items()))


def team_load(user, plan: Plan, size: str = WEEK) -> tuple[TeamLoad, ...]:
    """Every team the plan uses, with its demand from the steps the user may see."""
    return team_loads(user, [plan], size)[plan.pk]


def team_loads(user, plans: list[Plan], size: str = WEEK) -> dict[int, tuple[TeamLoad, ...]]:
    """Plan id -> every team the plan uses, with its demand from the steps the user may see.

    The steps are summed in the database into the units where the people at work change
    (a few hundred rows per team instead of every step), for all the plans at once."""
    changes, last_units = _demand_changes(user, [plan.pk for plan in plans])
    resources = _resources(plans)
    team_ids = {team_id for by_team in changes.values() for team_id in by_team if team_id}
    names = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    loads = {}
    for plan in plans:
        calendar, last_unit = WorkCalendar(plan.starts_on), last_units.get(plan.pk, 0)
        by_team = changes.get(plan.pk, {})
        loads[plan.pk] = tuple(
            TeamLoad(
                team_id,
                names[team_id],
                bucket_load(
                    team_changes,
                    resources.get(plan.pk, {}).get(team_resource(team_id), (0, [])),
                    calendar,
                    last_unit,
                    size,
                ),
            )
            for team_id, team_changes in sorted(by_team.items(), key=lambda pair: names.get(pair[0], ""))
            if team_id in names
        )
    return loads


def _demand_changes(user, plan_ids: list[int]) -> tuple[dict[int, dict[int, list]], dict[int, int]]:
    """Plan id -> team id -> (unit, change in people at work); and each plan's last finish unit."""
    steps = ScheduledStep.objects.for_user(user).filter(plan_id__in=plan_ids).order_by()
    starts = steps.values("plan_id", "team_id", unit=F("start_unit"), finish=Value(False))
    finishes = steps.values("plan_id", "team_id", unit=F("finish_unit"), finish=Value(True))
    rows = starts.annotate(change=Sum("head_count")).union(finishes.annotate(change=-Sum("head_count")), all=True)
    changes: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    last_units: dict[int, int] = defaultdict(int)
    for row in rows:
        changes[row["plan_id"]][row["team_id"]].append((row["unit"], row["change"]))
        if row["finish"]:
            last_units[row["plan_id"]] = max(last_units[row["plan_id"]], row["unit"])
    return changes, last_units


def _resources(plans: list[Plan]) -> dict[int, dict[str, tuple[int, list]]]:
    """Plan id -> resource name -> (capacity, changes), read by key: the whole snapshot is
    megabytes for 1,000 systems."""
    rows = Plan.objects.filter(pk__in=[plan.pk for plan in plans]).values_list(
        "pk", "input_snapshot__problem__resources"
    )
    return {pk: {name: (capacity, changes) for name, capacity, changes in value or []} for pk, value in rows}


CHART_HEIGHT = 120
BAR_WIDTH = {WEEK: 10, MONTH: 36}


@dataclass(frozen=True)
class LoadBar:
    x: int
    y: int
    width: int
    height: int
    bucket: LoadBucket


@dataclass(frozen=True)
class LoadPicture:
    """One team's load drawn as SVG numbers: demand bars and a capacity step line."""

    team: TeamLoad
    width: int
    height: int
    bars: tuple[LoadBar, ...]
    capacity_points: str
    ticks: tuple[tuple[int, str], ...]


def load_picture(team: TeamLoad, size: str = WEEK) -> LoadPicture:
    step = BAR_WIDTH[size]
    peak = max(1, team.peak)
    scale = CHART_HEIGHT / peak
    bars, points, ticks = [], [], []
    for index, bucket in enumerate(team.buckets):
        x = index * step
        height = round(bucket.demand * scale)
        bars.append(LoadBar(x + 1, CHART_HEIGHT - height, step - 2, height, bucket))
        top = CHART_HEIGHT - round(bucket.capacity * scale)
        points.extend([f"{x},{top}", f"{x + step},{top}"])
        if size == MONTH or bucket.starts_on.day <= 7:  # one label a month
            ticks.append((x, bucket.starts_on.strftime("%b %y")))
    return LoadPicture(team, len(team.buckets) * step, CHART_HEIGHT, tuple(bars), " ".join(points), tuple(ticks))
