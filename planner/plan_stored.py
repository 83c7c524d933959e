"""What follows once a plan's schedule is stored (called by services._assemble, in its transaction):
a plan moves its milestones; a what-if keeps its base's schedule when that is better."""

from __future__ import annotations

from planner.enums import PlanObjective
from planner.milestones import milestones_from_plan
from planner.models import Plan, PlanSystem, ScheduledStep
from planner.schedule_check import fits, late_items, objective_value
from planner.schedule_rows import ScheduleRows


def plan_stored(plan: Plan) -> None:
    if plan.scenario_base_id is None:
        milestones_from_plan(plan)
    else:
        scenario_keep_no_worse(plan)


# --- never worse than the base when the changes only add room --------------------------------

KEPT_BASE = (
    "The search found a schedule with {found} late systems; the base plan's schedule still fits these changes "
    "and has {kept}, so this scenario keeps it."
)


def scenario_keep_no_worse(plan: Plan) -> None:
    """After a scenario is stored: if its base's schedule still fits the scenario's inputs (the
    changes only added room) and has fewer late systems, store that schedule instead.

    The engine minimises weighted lateness within a time limit, so on its own it may trade one
    long delay for two short ones, or stop early; people comparing a what-if with its base
    expect more room never to make more systems late.
    """
    base = plan.scenario_base
    snapshot = plan.input_snapshot or {}
    if base is None or base.starts_on != plan.starts_on or plan.late_systems is None or "problem" not in snapshot:
        return
    problem = snapshot["problem"]
    base_starts = dict(ScheduledStep.objects.filter(plan=base).values_list("item_id", "start_unit"))
    if not fits(problem, base_starts):
        return
    late = {snapshot["items"][item][0] for item in late_items(problem, base_starts)}
    if len(late) >= plan.late_systems:
        return
    _store_schedule(plan, {item["id"]: base_starts[item["id"]] for item in problem["items"]}, len(late))


def _store_schedule(plan: Plan, starts: dict[str, int], late_count: int) -> None:
    warning = KEPT_BASE.format(found=plan.late_systems, kept=late_count)
    least_lateness = _proven_least_lateness(plan)  # from the search's steps, about to go
    ScheduledStep.objects.filter(plan=plan).delete()
    PlanSystem.objects.filter(plan=plan).delete()
    schedule = ScheduleRows(plan, [{"starts": starts, "late_reasons": []}])
    ScheduledStep.objects.bulk_create(schedule.steps(), batch_size=2000)
    entries = schedule.systems()
    PlanSystem.objects.bulk_create(entries, batch_size=2000)
    plan.late_systems = sum(1 for entry in entries if entry.late_days > 0)
    plan.finishes_on = max((entry.finishes_on for entry in entries if entry.finishes_on), default=None)
    plan.moved_steps = 0
    _requalify(plan, starts, least_lateness)
    plan.input_snapshot = {**plan.input_snapshot, "warnings": [*plan.input_snapshot.get("warnings", []), warning]}
    plan.save(update_fields=[*REQUALIFIED_FIELDS, "late_systems", "finishes_on", "moved_steps", "input_snapshot"])


REQUALIFIED_FIELDS = ["objective", "objective_value", "lower_bound", "gap"]


def _proven_least_lateness(plan: Plan) -> int | None:
    """A duration objective means the search proved its own schedule's lateness the least possible:
    that lateness, read from its steps. None otherwise (its bound is then about lateness already)."""
    if plan.objective != PlanObjective.DURATION:
        return None
    found = dict(ScheduledStep.objects.filter(plan=plan).values_list("item_id", "start_unit"))
    return objective_value(plan.input_snapshot["problem"], found, PlanObjective.LATENESS)


def _requalify(plan: Plan, kept: dict[str, int], least_lateness: int | None) -> None:
    """The kept schedule's own objective value and gap.

    The scenario's lower bound holds for every schedule of it, the base's among them. When the
    kept schedule is later than the least lateness the search had proven, its lateness is what
    the page reports, against that least.
    """
    if not plan.objective or plan.lower_bound is None:
        return
    problem = plan.input_snapshot["problem"]
    if least_lateness is not None and objective_value(problem, kept, PlanObjective.LATENESS) > least_lateness:
        plan.objective, plan.lower_bound = PlanObjective.LATENESS, least_lateness
    plan.objective_value = objective_value(problem, kept, plan.objective)
    plan.gap = 0.0 if plan.objective_value == 0 else (plan.objective_value - plan.lower_bound) / plan.objective_value
