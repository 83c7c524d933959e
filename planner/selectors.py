"""Reads of the planner, always narrowed to what the user may see (another agency's plan is a 404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from planner.enums import PlanState
from planner.estimates import CRITICALITY_WEIGHT
from planner.filters import PlanFilter
from planner.models import Plan, PlanSystem, ScheduledStep
from procurement.inventory.access import Action, agency_ids_for
from procurement.inventory.enums import Criticality
from procurement.inventory.models import Agency

# A plan's input snapshot and stored Gantt data: megabytes for 1,000 systems, read by key or
# on access by the code that needs them, never loaded with the row by pages.
LARGE_FIELDS = ("input_snapshot", "gantt_json")


def current_plan(agency: Agency | None) -> Plan | None:
    """The scope's latest done plan (not a what-if scenario): the one people work from."""
    plans = Plan.objects.done().filter(agency=agency, scenario_base=None).defer(*LARGE_FIELDS)
    return plans.order_by("-finished_at", "-pk").first()


def plan_queryset(user) -> QuerySet[Plan]:
    """Plans the user may see, without their input snapshot (megabytes for 1,000 systems):
    pages read the few parts they need by key; code that needs it all loads it on access."""
    return Plan.objects.for_user(user).select_related("agency", "created_by").defer(*LARGE_FIELDS)


def plan_filter(user, params) -> PlanFilter:
    return PlanFilter(params, queryset=plan_queryset(user), user=user)


def plan_get(user, pk: int) -> Plan:
    return get_object_or_404(plan_queryset(user), pk=pk)


def agencies_to_plan(user) -> QuerySet[Agency]:
    """Agencies whose plan the user may run (transition lead there, or an administrator)."""
    return Agency.objects.for_user(user, Action.APPROVE)


def can_plan_anything(user) -> bool:
    ids = agency_ids_for(user, Action.APPROVE)
    return ids is None or bool(ids)


@dataclass(frozen=True)
class PlanPage:
    """The plan page: the run, whether the user may act on it, and what the schedule says."""

    plan: Plan
    may_run: bool
    warnings: tuple[str, ...]
    failure_lines: tuple[str, ...]

    @property
    def progress_maximum(self) -> int:
        return max(1, self.plan.parts_total)

    @property
    def criticality_weights(self) -> str:
        """How a system's days late count in the weighted lateness, in words: "low 1, moderate 2, high 3"."""
        return ", ".join(f"{Criticality(level).label.lower()} {weight}" for level, weight in CRITICALITY_WEIGHT.items())


def plan_page(user, plan: Plan, may_run: bool) -> PlanPage:
    snapshot_warnings = _snapshot_warnings(plan) if plan.state == PlanState.DONE else ()
    failure = tuple(line for line in plan.message.splitlines() if line) if plan.state == PlanState.FAILED else ()
    return PlanPage(plan, may_run, snapshot_warnings, failure)


def _snapshot_warnings(plan: Plan) -> tuple[str, ...]:
    """The snapshot's warnings alone, read by key rather than loading the whole snapshot."""
    warnings = Plan.objects.filter(pk=plan.pk).values_list("input_snapshot__warnings", flat=True).first()
    return tuple(warnings or ())


def scheduled_steps(user, plan: Plan) -> QuerySet[ScheduledStep]:
    """The plan's steps of systems the user may see, system by system in date order."""
    return (
        ScheduledStep.objects.for_user(user)
        .filter(plan=plan)
        .select_related("system", "team", "contract")
        .order_by("system__fisma_id", "start_unit", "item_id")
    )


def systems_at_risk(user, plan: Plan) -> QuerySet[PlanSystem]:
    """Systems whose planned removal is after their deadline, latest first."""
    return (
        PlanSystem.objects.for_user(user)
        .filter(plan=plan, late_days__gt=0)
        .select_related("system", "system__agency")
        .order_by("-late_days", "system__fisma_id")
    )
