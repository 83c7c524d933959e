"""Team load: person-days of work asked of each team against the person-days it has, per week
or month. Read from a done plan's steps and the capacities in its input snapshot.

`bucket_load` is plain arithmetic (no database); `team_load` reads a plan in three queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

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


def capacity_at(capacity: int, changes: Iterable[tuple[int, int]], unit: int) -> int:
    for from_unit, value in sorted(changes):
        if from_unit <= unit:
            capacity = value
    return capacity


def bucket_load(
    steps: Iterable[tuple[int, int, int]],
    capacity: tuple[int, list[tuple[int, int]]],
    calendar: WorkCalendar,
    last_unit: int,
    size: str,
) -> tuple[LoadBucket, ...]:
    """Per bucket: demand from (start unit, finish unit, head count) steps, capacity per work day."""
    demand = [0] * (last_unit + 1)
    for start, finish, head_count in steps:
        demand[start] += head_count
        if finish <= last_unit:
            demand[finish] -= head_count
    head_count, changes = capacity
    totals: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0])
    running = 0
    for unit in range(last_unit):
        running += demand[unit]
        bucket = totals[bucket_start(calendar.date_of(unit), size)]
        bucket[0] += running
        bucket[1] += capacity_at(head_count, changes, unit)
    return tuple(LoadBucket(day, d, c) for day, (d, c) in sorted(totals.items()))


def resources_of(plan: Plan) -> list:
    """The snapshot's resources, read by key: the whole snapshot is megabytes for 1,000 systems."""
    value = Plan.objects.filter(pk=plan.pk).values_list("input_snapshot__problem__resources", flat=True).first()
    return value or []


def team_load(user, plan: Plan, size: str = WEEK) -> tuple[TeamLoad, ...]:
    """Every team the plan uses, with its demand from the steps the user may see."""
    steps: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    last_unit = 0
    for team_id, start, finish, head_count in (
        ScheduledStep.objects.for_user(user)
        .filter(plan=plan)
        .values_list("team_id", "start_unit", "finish_unit", "head_count")
    ):
        steps[team_id].append((start, finish, head_count))
        last_unit = max(last_unit, finish)
    # By key: pages load plans without their snapshot, and touching it would read all of it.
    resources = {name: (capacity, changes) for name, capacity, changes in resources_of(plan)}
    calendar = WorkCalendar(plan.starts_on)
    names = dict(Team.objects.filter(pk__in=[pk for pk in steps if pk]).values_list("pk", "name"))
    return tuple(
        TeamLoad(
            team_id,
            names[team_id],
            bucket_load(team_steps, resources.get(team_resource(team_id), (0, [])), calendar, last_unit, size),
        )
        for team_id, team_steps in sorted(steps.items(), key=lambda pair: names.get(pair[0], ""))
        if team_id in names
    )


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
