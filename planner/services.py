"""Writes of the planner: plan runs from the request to the stored schedule, and cancelling them.

A run is a Plan row first (queued), queued to a worker once committed. `plan_start` claims
it, builds the problem and splits it into independent parts (`independent_parts`, packed
into at most PLANNER_MAX_PART_TASKS parts); each part is solved by `plan_part_solve`, in
parallel Celery tasks when there are several. Every part stores its own answer, so no
result backend is needed; the part that finds all parts done, holding the plan's row lock,
assembles the schedule (`_assemble`). Nothing is written to a plan's schedule unless the
run is still running at that moment, so a cancelled or failed run stores no schedule and
the agency's current plan stays as it was.

The engine (OR-Tools, pandas, numba) takes seconds to import, so this module imports it, and
the modules that import it (planner.problems, planner.snapshots), only inside the functions a
worker runs to solve: the web process, which only records, cancels and shows runs, never loads it.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from planner import selectors
from planner.adjustments import NO_ADJUSTMENTS, Adjustments
from planner.enums import UNFINISHED_STATES, PlanState
from planner.gantt import whole_plan_gantt_json
from planner.models import Plan, PlanPart, PlanSystem, ScheduledStep
from planner.plan_stored import plan_stored
from planner.schedule_rows import ScheduleRows
from procurement.inventory.access import Action, can
from procurement.inventory.models import Agency, System

if TYPE_CHECKING:
    from planner.problems import BuiltProblem

PLAN_TASK = "planner.tasks.plan_run"
PART_TASK = "planner.tasks.plan_part_solve"
MIN_PART_SECONDS = 1.0
FAILED_MESSAGE = "The plan could not be solved. Try again; if it fails again, tell your administrator."
# The engine's Status values as a part's stored result spells them (snapshots.result_to_json).
BAD_STATUSES = {"INFEASIBLE", "UNKNOWN"}

logger = logging.getLogger(__name__)


def planner_queue() -> str:
    return getattr(settings, "PLANNER_CELERY_QUEUE", "celery")


def may_run_plan(user, agency: Agency | None) -> bool:
    """Transition leads of the agency (or its department); every agency: administrators."""
    if agency is None:
        return user.is_superuser
    return can(user, Action.APPROVE, agency.pk)


def plan_request(
    *,
    user,
    agency: Agency | None,
    time_limit_seconds: float = 30,
    warm_start: bool = True,
    starts_on: datetime.date | None = None,
    adjustments: Adjustments = NO_ADJUSTMENTS,
    queue: bool = True,
) -> Plan:
    """Records a plan run and, once committed, queues it for a worker (unless `queue` is false)."""
    if not may_run_plan(user, agency):
        raise PermissionDenied("Only a transition lead of the agency may run its plan.")
    previous = selectors.current_plan(agency) if warm_start else None
    plan = Plan.objects.create(
        agency=agency,
        created_by=user,
        starts_on=starts_on or timezone.localdate(),
        time_limit_seconds=time_limit_seconds,
        warm_start=previous,
        adjustments=adjustments.to_json(),
    )
    if queue:
        destination = planner_queue()
        transaction.on_commit(lambda: current_app.send_task(PLAN_TASK, args=[plan.pk], queue=destination))
    return plan


def plan_run_for_operator(*, agency: Agency | None, time_limit_seconds: float, warm_start: bool = True) -> Plan:
    """A plan run by whoever runs the server (the `plan` command, loaddemo): every system of the
    scope, no user to scope by, solved here and now."""
    plan = Plan.objects.create(
        agency=agency,
        created_by=None,
        starts_on=timezone.localdate(),
        time_limit_seconds=time_limit_seconds,
        warm_start=selectors.current_plan(agency) if warm_start else None,
    )
    return plan_run_now(plan.pk)


def plan_run_now(plan_id: int) -> Plan:
    """Runs a recorded plan here and now, parts one after another (the `plan` command, the demo)."""
    for part_id in plan_start(plan_id):
        plan_part_solve(part_id)
    return Plan.objects.get(pk=plan_id)


def plan_start(plan_id: int) -> list[int]:
    """Claims a queued run, builds and splits its problem; returns the parts left to solve."""
    from planner.problems import PlanInputError  # the engine: see the module's docstring

    now = timezone.now()
    if not Plan.objects.filter(pk=plan_id, state=PlanState.QUEUED).update(
        state=PlanState.RUNNING, started_at=now, heartbeat_at=now
    ):
        return []
    plan = Plan.objects.select_related("agency", "created_by").get(pk=plan_id)
    try:
        built = _build(plan)
    except PlanInputError as error:
        plan_fail(plan_id, "\n".join(error.messages))
        return []
    chunks = _chunks(built)
    Plan.objects.filter(pk=plan_id, state=PlanState.RUNNING).update(
        input_snapshot=_snapshot(plan, built),
        parts_total=len(chunks),
        system_count=len(built.systems),
        item_count=len(built.items),
        heartbeat_at=timezone.now(),
    )
    parts = PlanPart.objects.bulk_create(
        PlanPart(plan_id=plan_id, number=number, item_ids=ids) for number, ids in enumerate(chunks, start=1)
    )
    if not parts:
        plan_join(plan_id)
    return [part.pk for part in parts]


def _build(plan: Plan) -> BuiltProblem:
    """The problem of the systems in the plan's scope that its user may see (an operator's: all)."""
    from planner.problems import problem_build, scope_agency_ids

    systems = System.objects.all() if plan.created_by is None else System.objects.for_user(plan.created_by)
    scope = scope_agency_ids(plan.agency)
    if scope is not None:
        systems = systems.filter(agency__in=scope)
    return problem_build(systems, plan.starts_on, Adjustments.from_json(plan.adjustments))


def _chunks(built: BuiltProblem) -> list[list[str]]:
    """Independent parts packed into at most PLANNER_MAX_PART_TASKS bins, biggest first."""
    from planner.engine import independent_parts

    if not built.problem.items:
        return []
    bins: list[list[str]] = [[] for _ in range(settings.PLANNER_MAX_PART_TASKS)]
    for part in independent_parts(built.problem):
        smallest = min(bins, key=len)
        smallest.extend(item.id for item in part.items)
    return [ids for ids in bins if ids]


def _snapshot(plan: Plan, built: BuiltProblem) -> dict:
    """What went in: the problem in units, what each item means, the calendar start, warnings."""
    from planner.snapshots import problem_to_json

    return {
        "starts_on": plan.starts_on.isoformat(),
        "problem": problem_to_json(built.problem),
        "items": {
            identifier: [f.system_id, f.step, f.team_id, f.head_count, f.contract_id, f.contract_action]
            for identifier, f in built.items.items()
        },
        "systems": {
            str(pk): [s.fisma_id, s.deadline.isoformat() if s.deadline else None] for pk, s in built.systems.items()
        },
        "teams": {str(pk): name for pk, name in built.teams.items()},
        "warnings": built.warnings,
        "hint": _hint(plan, built),
    }


def _hint(plan: Plan, built: BuiltProblem) -> dict[str, int]:
    """The previous plan's starts in this plan's units, for the items both have."""
    if plan.warm_start_id is None:
        return {}
    rows = ScheduledStep.objects.filter(plan_id=plan.warm_start_id).values_list("item_id", "starts_on")
    return {item: built.calendar.units_before(day) for item, day in rows.iterator() if item in built.items}


def plan_part_solve(part_id: int) -> None:
    """Solves one part if its plan still runs, stores the answer, then joins the plan."""
    from planner.engine import ProblemError, SolveOptions, solve
    from planner.snapshots import problem_from_json, result_to_json

    part = PlanPart.objects.select_related("plan").get(pk=part_id)
    plan = part.plan
    if plan.state != PlanState.RUNNING or not PlanPart.objects.filter(pk=part_id, state=PlanState.QUEUED).update(
        state=PlanState.RUNNING
    ):
        return
    _heartbeat(plan.pk)
    snapshot = plan.input_snapshot
    ids = set(part.item_ids)
    problem = problem_from_json(snapshot["problem"], ids)
    share = plan.time_limit_seconds * len(ids) / max(1, plan.item_count)
    options = SolveOptions(
        time_limit_seconds=max(MIN_PART_SECONDS, share),
        workers=settings.PLANNER_SOLVER_WORKERS,
        hint={item: unit for item, unit in snapshot["hint"].items() if item in ids} or None,
        replan_tolerance=settings.PLANNER_REPLAN_TOLERANCE_PERCENT / 100,
    )
    try:
        result = solve(problem, options)
    except ProblemError as error:
        plan_fail(plan.pk, "; ".join(error.issues))
        return
    PlanPart.objects.filter(pk=part_id).update(state=PlanState.DONE, result=result_to_json(result))
    plan_join(plan.pk)


def plan_join(plan_id: int) -> None:
    """Counts the parts done and, when the last is in, stores the schedule: under the plan's row lock."""
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan_id)
        if plan.state != PlanState.RUNNING:
            return
        done = list(plan.parts.filter(state=PlanState.DONE).values_list("result", flat=True))
        bad = [result for result in done if result["status"] in BAD_STATUSES]
        if bad:
            _fail_locked(plan, bad[0]["message"] or FAILED_MESSAGE)
            return
        plan.parts_done = len(done)
        plan.late_so_far = sum(result["late_items"] for result in done)
        plan.heartbeat_at = timezone.now()
        if plan.parts_done < plan.parts_total:
            plan.save(update_fields=["parts_done", "late_so_far", "heartbeat_at"])
            return
        _assemble(plan, done)


ASSEMBLED_FIELDS = [
    "engine_status",
    "objective",
    "objective_value",
    "lower_bound",
    "gap",
    "late_systems",
    "finishes_on",
    "moved_steps",
    "state",
    "finished_at",
    "seconds",
    "parts_done",
    "late_so_far",
    "heartbeat_at",
]


def _assemble(plan: Plan, results: list[dict]) -> None:
    schedule = ScheduleRows(plan, results)
    ScheduledStep.objects.bulk_create(schedule.steps(), batch_size=2000)
    entries = schedule.systems()
    PlanSystem.objects.bulk_create(entries, batch_size=2000)
    quality = schedule.quality()
    plan.engine_status, plan.objective, plan.objective_value = quality.status, quality.objective, quality.value
    plan.lower_bound, plan.gap = quality.bound, quality.gap
    plan.late_systems = sum(1 for entry in entries if entry.late_days > 0)
    plan.finishes_on = max((entry.finishes_on for entry in entries if entry.finishes_on), default=None)
    plan.moved_steps = _moved_steps(plan) if plan.warm_start_id else None
    plan.state = PlanState.DONE
    plan.finished_at = timezone.now()
    plan.seconds = (plan.finished_at - plan.started_at).total_seconds()
    plan.save(update_fields=ASSEMBLED_FIELDS)  # not the input snapshot: megabytes, unchanged
    plan_stored(plan)  # milestones follow a plan; a what-if keeps its base's schedule when better
    plan.gantt_json = whole_plan_gantt_json(plan)
    plan.save(update_fields=["gantt_json"])
    transaction.on_commit(_refresh_statistics)


# The tables a stored plan adds thousands of rows to. Until PostgreSQL's statistics know of
# them, it expects one row per plan and joins steps to systems by nested loops: 1.5-3.5 s per
# page of a new 1,000-system plan instead of 15 ms. Autovacuum refreshes them only later.
GROWN_TABLES = ("planner_scheduledstep", "planner_plansystem", "planner_milestone")


def _refresh_statistics() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(GROWN_TABLES)}")


def _moved_steps(plan: Plan) -> int:
    previous = dict(ScheduledStep.objects.filter(plan_id=plan.warm_start_id).values_list("item_id", "starts_on"))
    current = ScheduledStep.objects.filter(plan=plan).values_list("item_id", "starts_on")
    return sum(1 for item, day in current.iterator() if item in previous and previous[item] != day)


def plan_fail(plan_id: int, message: str) -> None:
    """Ends an unfinished run as failed; it stores no schedule."""
    Plan.objects.filter(pk=plan_id, state__in=UNFINISHED_STATES).update(
        state=PlanState.FAILED, message=message[:4000], finished_at=timezone.now()
    )


def _heartbeat(plan_id: int) -> None:
    Plan.objects.filter(pk=plan_id, state=PlanState.RUNNING).update(heartbeat_at=timezone.now())


def stuck_margin() -> datetime.timedelta:
    """How long past its time limit a run may go without progress (building and storing
    1,000 systems take well under a minute each) before it counts as stuck."""
    return datetime.timedelta(seconds=getattr(settings, "PLANNER_STUCK_MARGIN_SECONDS", 600))


def queued_limit() -> datetime.timedelta:
    """How long a run may wait for a worker to pick it up (behind other runs) before it fails."""
    return datetime.timedelta(seconds=getattr(settings, "PLANNER_QUEUED_LIMIT_SECONDS", 3600))


STUCK_RUNNING = (
    "This run stopped making progress: no part reported for {silent} minutes (its time limit is {limit} "
    "seconds), so its worker most likely stopped. The previous plan stays as it was; run it again."
)
STUCK_QUEUED = (
    "No worker picked this run up within {silent} minutes. The previous plan stays as it was; check that a "
    "worker is running (make run starts one) and run it again."
)


def plans_stuck_fail(now: datetime.datetime | None = None) -> int:
    """Fails the runs whose worker is gone: running with no progress for longer than their time
    limit plus `stuck_margin`, or queued for longer than `queued_limit`. They store nothing, so
    each agency's current plan stays as it was. Returns how many were failed."""
    now = now or timezone.now()
    failed = 0
    for row in Plan.objects.filter(state__in=UNFINISHED_STATES).values(
        "pk", "state", "created_at", "heartbeat_at", "started_at", "time_limit_seconds"
    ):
        reason = _stuck_reason(row, now)
        if reason:  # only if unchanged since read: a part reporting meanwhile keeps its run alive
            still = Plan.objects.filter(pk=row["pk"], state=row["state"], heartbeat_at=row["heartbeat_at"])
            if still.update(state=PlanState.FAILED, message=reason, finished_at=now):
                logger.warning("Plan #%s failed: %s", row["pk"], reason)
                failed += 1
    return failed


def _stuck_reason(row: dict, now: datetime.datetime) -> str:
    """Why the run counts as stuck, for its page; blank while it may still be working."""
    if row["state"] == PlanState.QUEUED:
        waited = now - row["created_at"]
        return STUCK_QUEUED.format(silent=_minutes(waited)) if waited > queued_limit() else ""
    silent = now - (row["heartbeat_at"] or row["started_at"] or row["created_at"])
    allowed = datetime.timedelta(seconds=row["time_limit_seconds"]) + stuck_margin()
    if silent <= allowed:
        return ""
    return STUCK_RUNNING.format(silent=_minutes(silent), limit=round(row["time_limit_seconds"]))


def _minutes(span: datetime.timedelta) -> int:
    return round(span.total_seconds() / 60)


def plan_part_fail(part_id: int) -> None:
    """A part's task crashed: its plan fails (and stores no schedule)."""
    plan_id = PlanPart.objects.filter(pk=part_id).values_list("plan_id", flat=True).first()
    if plan_id is not None:
        plan_fail(plan_id, FAILED_MESSAGE)


def _fail_locked(plan: Plan, message: str) -> None:
    plan.state, plan.message, plan.finished_at = PlanState.FAILED, message[:4000], timezone.now()
    plan.save(update_fields=["state", "message", "finished_at"])


def plan_cancel(*, user, plan: Plan) -> bool:
    """Stops a queued or running plan; False when it had already finished."""
    if not may_run_plan(user, plan.agency):
        raise PermissionDenied("Only a transition lead of the agency may cancel its plan.")
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()  # waits for a join storing the schedule
        return bool(
            Plan.objects.filter(pk=plan.pk, state__in=UNFINISHED_STATES).update(
                state=PlanState.CANCELLED, message=f"Cancelled by {user.get_username()}.", finished_at=timezone.now()
            )
        )
