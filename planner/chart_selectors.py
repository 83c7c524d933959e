"""Reads behind the charts and the baseline comparison, narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from planner import selectors
from planner.models import Plan, PlanSystem, ScheduledStep

plan_get = selectors.plan_get  # a plan the user may see, without its input snapshot


def plan_systems(user, plan: Plan) -> QuerySet[PlanSystem]:
    """The plan's systems the user may see, late ones first, then by FISMA id."""
    return (
        PlanSystem.objects.for_user(user)
        .filter(plan=plan)
        .select_related("system")
        .order_by("-late_days", "system__fisma_id", "pk")
    )


def plan_system_get(user, plan: Plan, system_id: int) -> PlanSystem:
    """One system's entry in a plan the user may see; a system the user may not see is a 404."""
    entries = (
        plan_systems(user, plan).select_related("plan").defer(*(f"plan__{name}" for name in selectors.LARGE_FIELDS))
    )
    return get_object_or_404(entries, system_id=system_id)


def system_steps(user, entry: PlanSystem) -> QuerySet[ScheduledStep]:
    return (
        ScheduledStep.objects.for_user(user)
        .filter(plan_id=entry.plan_id, system_id=entry.system_id)
        .select_related("system", "team", "contract")
        .order_by("start_unit", "item_id")
    )


def baseline_of(plan: Plan) -> Plan | None:
    """The agency's baseline, when it is another plan than this one."""
    if plan.is_baseline:
        return None
    return Plan.objects.filter(agency_id=plan.agency_id, is_baseline=True).defer(*selectors.LARGE_FIELDS).first()


def baseline_removals(user, baseline: Plan | None) -> dict[int, object] | None:
    """System id → planned removal date in the baseline (None when there is no baseline)."""
    if baseline is None:
        return None
    return dict(PlanSystem.objects.for_user(user).filter(plan=baseline).values_list("system_id", "removal_on"))


def scenarios_of(user, plan: Plan) -> list[Plan]:
    """The what-if runs of a plan, oldest first (at most 10 shown side by side)."""
    scenarios = (
        Plan.objects.for_user(user)
        .filter(scenario_base=plan)
        .select_related("created_by")
        .defer(*selectors.LARGE_FIELDS)
    )
    return list(scenarios.order_by("created_at", "pk")[:10])
