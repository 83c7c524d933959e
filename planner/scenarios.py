"""Baselines and what-if scenarios: writes, and the side-by-side comparison they feed.

A scenario is a plan run of the same agency from the same start day with `Adjustments`
(a team +N from a date, a later deadline, a waiver, a changed estimate), linked to the
plan it changes (`scenario_base`) and warm-started from it: the base's schedule is where
the search begins, so a scenario that only adds room starts from a schedule at least as
good. Scenarios set no milestones and never become the agency's current plan.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from planner import services
from planner.adjustments import Adjustments, TeamIncrease
from planner.enums import PlanState, Step
from planner.load import TeamLoad, team_loads
from planner.models import Plan, Team
from procurement.inventory.models import Agency, System


def plan_mark_baseline(*, user, plan: Plan) -> Plan:
    """Makes a done plan (not a scenario) its agency's one baseline, replacing the previous one."""
    if not services.may_run_plan(user, plan.agency):
        raise PermissionDenied("Only a transition lead of the agency may choose its baseline.")
    if plan.state != PlanState.DONE or plan.scenario_base_id is not None:
        raise ValidationError("Only a finished plan that is not a what-if scenario can be the baseline.")
    with transaction.atomic():
        Plan.objects.filter(agency=plan.agency, is_baseline=True).exclude(pk=plan.pk).update(is_baseline=False)
        Plan.objects.filter(pk=plan.pk).update(is_baseline=True)
    plan.is_baseline = True
    return plan


def scenario_request(*, user, base: Plan, adjustments: Adjustments, queue: bool = True) -> Plan:
    """Records a what-if run of `base` with `adjustments`; queued to a worker once committed."""
    if base.state != PlanState.DONE or base.scenario_base_id is not None:
        raise ValidationError("A what-if scenario starts from a finished plan that is not itself a scenario.")
    if adjustments == Adjustments():
        raise ValidationError("Change at least one input: a team, a deadline, a waiver or an estimate.")
    with transaction.atomic():  # linked before the worker can pick it up (it is queued on commit)
        plan = services.plan_request(
            user=user,
            agency=base.agency,
            time_limit_seconds=base.time_limit_seconds,
            warm_start=False,
            starts_on=base.starts_on,
            adjustments=adjustments,
            queue=queue,
        )
        Plan.objects.filter(pk=plan.pk).update(scenario_base=base, warm_start=base)
    plan.scenario_base, plan.warm_start = base, base
    return plan


# --- adjustments in words -------------------------------------------------------------------


def adjustments_in_words(adjustments: Adjustments, teams: dict[int, str], systems: dict[int, str]) -> list[str]:
    """Each change as a sentence: "Treasury engineers +2 from 2027-01-04"."""
    words = [
        f"{teams.get(c.team_id, 'a team')} {c.extra:+d} {'person' if abs(c.extra) == 1 else 'people'}"
        f" from {c.from_date:%Y-%m-%d}"
        for c in adjustments.team_increases
    ]
    words += [f"{systems.get(pk, 'a system')} deadline {day:%Y-%m-%d}" for pk, day in adjustments.deadlines.items()]
    words += [f"{systems.get(pk, 'a system')} waiver until {day:%Y-%m-%d}" for pk, day in adjustments.waivers.items()]
    words += [
        f"{systems.get(pk, 'a system')} {Step(step).label.lower()}: {days} work days"
        for (pk, step), days in adjustments.estimates.items()
    ]
    return words


def adjustments_build(
    *,
    team: Team | None = None,
    extra: int | None = None,
    from_date: datetime.date | None = None,
    deadline_system: System | None = None,
    deadline: datetime.date | None = None,
    waiver_system: System | None = None,
    waiver_until: datetime.date | None = None,
    estimate_system: System | None = None,
    estimate_step: str = "",
    estimate_days: Decimal | None = None,
) -> Adjustments:
    """One change of each kind at most, from the scenario form's cleaned fields."""
    return Adjustments(
        team_increases=(TeamIncrease(team.pk, extra, from_date),) if team and extra and from_date else (),
        deadlines={deadline_system.pk: deadline} if deadline_system and deadline else {},
        waivers={waiver_system.pk: waiver_until} if waiver_system and waiver_until else {},
        estimates={(estimate_system.pk, estimate_step): estimate_days}
        if estimate_system and estimate_step and estimate_days
        else {},
    )


# --- side by side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPeak:
    name: str
    peak_percent: int
    weeks_over: int


@dataclass(frozen=True)
class ScenarioColumn:
    """One plan in the comparison: what changed, and how it came out."""

    plan: Plan
    role: str  # "Baseline", "This plan" or "What-if"
    changes: tuple[str, ...]
    late_delta: int | None  # against the first column
    finish_delta: int | None  # days
    teams: tuple[TeamPeak, ...]


def team_peaks(loads: tuple[TeamLoad, ...]) -> tuple[TeamPeak, ...]:
    return tuple(
        TeamPeak(load.name, max((b.percent for b in load.buckets), default=0), sum(1 for b in load.buckets if b.over))
        for load in loads
    )


def comparison(user, plan: Plan, baseline: Plan | None, scenarios: list[Plan]) -> list[ScenarioColumn]:
    """The baseline (if any), this plan and its scenarios, each against the first column."""
    plans = ([baseline] if baseline and baseline.pk != plan.pk else []) + [plan] + scenarios
    teams = dict(Team.objects.filter(agency__in=_agencies(plans)).values_list("pk", "name"))
    changed = {pk for p in plans for pk in _system_ids(Adjustments.from_json(p.adjustments))}
    systems = dict(System.objects.for_user(user).filter(pk__in=changed).values_list("pk", "fisma_id"))
    first = plans[0]
    loads = team_loads(user, [other for other in plans if other.state == PlanState.DONE])  # one read for all
    columns = []
    for other in plans:
        done = other.state == PlanState.DONE
        role = "Baseline" if other.is_baseline else ("What-if" if other.scenario_base_id else "This plan")
        columns.append(
            ScenarioColumn(
                plan=other,
                role=role,
                changes=tuple(adjustments_in_words(Adjustments.from_json(other.adjustments), teams, systems)),
                late_delta=_delta(other.late_systems, first.late_systems) if done else None,
                finish_delta=(other.finishes_on - first.finishes_on).days
                if done and other.finishes_on and first.finishes_on
                else None,
                teams=team_peaks(loads[other.pk]) if done else (),
            )
        )
    return columns


def _delta(value: int | None, reference: int | None) -> int | None:
    return None if value is None or reference is None else value - reference


def _agencies(plans: list[Plan]) -> set[int]:
    """Every plan compared is of one agency (scenarios copy their base's); and its components."""
    agency_id = plans[0].agency_id
    return Agency.objects.with_components(agency_id) if agency_id else set()


def _system_ids(adjustments: Adjustments) -> set[int]:
    return set(adjustments.deadlines) | set(adjustments.waivers) | {pk for pk, _ in adjustments.estimates}
