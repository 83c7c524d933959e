"""Writes of the planner: plan runs from the request to the stored schedule, and cancelling them.

A run is a Plan row first (queued), queued to a worker once committed. `plan_start` claims
it, builds the problem and splits it into independent parts (`independent_parts`, packed
into at most PLANNER_MAX_PART_TASKS parts); each part is solved by `plan_part_solve`, in
parallel Celery tasks when there are several. Every part stores its own answer, so no
result backend is needed; the part that finds all parts done, holding the plan's row lock,
assembles the schedule (`_assemble`). Nothing is written to a plan's schedule unless the
run is still running at that moment, so a cancelled or failed run stores no schedule and
the agency's current plan stays as it was.
"""

from __future__ import annotations

import datetime
import logging

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from planner import selectors
from planner.adjustments import NO_ADJUSTMENTS, Adjustments
from planner.calendars import WorkCalendar
from planner.engine import ProblemError, SolveOptions, Status, independent_parts, solve
from planner.enums import REMOVAL_STEP, UNFINISHED_STATES, PlanState
from planner.milestones import milestones_from_plan
from planner.models import Plan, PlanPart, PlanSystem, ScheduledStep
from planner.problems import BuiltProblem, PlanInputError, item_label, problem_build, scope_agency_ids
from planner.snapshots import problem_from_json, problem_to_json, result_to_json
from procurement.inventory.access import Action, can
from procurement.inventory.models import Agency, System

PLAN_TASK = "planner.tasks.plan_run"
PART_TASK = "planner.tasks.plan_part_solve"
MIN_PART_SECONDS = 1.0
CHAIN_SHOWN = 6  # a late system's reason names the last steps of its chain
FAILED_MESSAGE = "The plan could not be solved. Try again; if it fails again, tell your administrator."
BAD_STATUSES = {str(Status.INFEASIBLE), str(Status.UNKNOWN)}

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
    if not Plan.objects.filter(pk=plan_id, state=PlanState.QUEUED).update(
        state=PlanState.RUNNING, started_at=timezone.now()
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
    )
    parts = PlanPart.objects.bulk_create(
        PlanPart(plan_id=plan_id, number=number, item_ids=ids) for number, ids in enumerate(chunks, start=1)
    )
    if not parts:
        plan_join(plan_id)
    return [part.pk for part in parts]


def _build(plan: Plan) -> BuiltProblem:
    """The problem of the systems in the plan's scope that its user may see (an operator's: all)."""
    systems = System.objects.all() if plan.created_by is None else System.objects.for_user(plan.created_by)
    scope = scope_agency_ids(plan.agency)
    if scope is not None:
        systems = systems.filter(agency__in=scope)
    return problem_build(systems, plan.starts_on, Adjustments.from_json(plan.adjustments))


def _chunks(built: BuiltProblem) -> list[list[str]]:
    """Independent parts packed into at most PLANNER_MAX_PART_TASKS bins, biggest first."""
    if not built.problem.items:
        return []
    bins: list[list[str]] = [[] for _ in range(getattr(settings, "PLANNER_MAX_PART_TASKS", 8))]
    for part in independent_parts(built.problem):
        smallest = min(bins, key=len)
        smallest.extend(item.id for item in part.items)
    return [ids for ids in bins if ids]


def _snapshot(plan: Plan, built: BuiltProblem) -> dict:
    """What went in: the problem in units, what each item means, the calendar start, warnings."""
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
    part = PlanPart.objects.select_related("plan").get(pk=part_id)
    plan = part.plan
    if plan.state != PlanState.RUNNING or not PlanPart.objects.filter(pk=part_id, state=PlanState.QUEUED).update(
        state=PlanState.RUNNING
    ):
        return
    snapshot = plan.input_snapshot
    ids = set(part.item_ids)
    problem = problem_from_json(snapshot["problem"], ids)
    share = plan.time_limit_seconds * len(ids) / max(1, plan.item_count)
    options = SolveOptions(
        time_limit_seconds=max(MIN_PART_SECONDS, share),
        workers=getattr(settings, "PLANNER_SOLVER_WORKERS", 2),
        hint={item: unit for item, unit in snapshot["hint"].items() if item in ids} or None,
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
        if plan.parts_done < plan.parts_total:
            plan.save(update_fields=["parts_done", "late_so_far"])
            return
        _assemble(plan, done)


def _assemble(plan: Plan, results: list[dict]) -> None:
    schedule = _Schedule(plan, results)
    ScheduledStep.objects.bulk_create(schedule.steps(), batch_size=2000)
    entries = schedule.systems()
    PlanSystem.objects.bulk_create(entries, batch_size=2000)
    plan.engine_status, plan.lower_bound, plan.gap = schedule.quality()
    plan.late_systems = sum(1 for entry in entries if entry.late_days > 0)
    plan.finishes_on = max((entry.finishes_on for entry in entries if entry.finishes_on), default=None)
    plan.moved_steps = _moved_steps(plan) if plan.warm_start_id else None
    plan.state = PlanState.DONE
    plan.finished_at = timezone.now()
    plan.seconds = (plan.finished_at - plan.started_at).total_seconds()
    plan.save()
    milestones_from_plan(plan)  # planner.milestones: system and phase milestones follow the plan


class _Schedule:
    """The parts' starts turned into dated steps and per-system entries."""

    def __init__(self, plan: Plan, results: list[dict]) -> None:
        self.plan, self.results = plan, results
        snapshot = plan.input_snapshot
        self.calendar = WorkCalendar(plan.starts_on)
        self.items = snapshot["items"]
        self.systems_facts = snapshot["systems"]
        self.teams = snapshot["teams"]
        self.problem = {entry["id"]: entry for entry in snapshot["problem"]["items"]}
        self.capacities = {name: (capacity, changes) for name, capacity, changes in snapshot["problem"]["resources"]}
        self.starts = {item: start for result in results for item, start in result["starts"].items()}
        self.reasons = {reason["item"]: reason for result in results for reason in result["late_reasons"]}
        self._steps: list[ScheduledStep] = []

    def steps(self) -> list[ScheduledStep]:
        for identifier, start in self.starts.items():
            system_id, step, team_id, head_count, contract_id, action = self.items[identifier]
            finish = start + self.problem[identifier]["duration"]
            first, last = self.calendar.span(start, finish)
            self._steps.append(
                ScheduledStep(
                    plan=self.plan,
                    system_id=system_id,
                    item_id=identifier,
                    step=step,
                    contract_id=contract_id,
                    contract_action=action,
                    team_id=team_id,
                    head_count=head_count,
                    start_unit=start,
                    finish_unit=finish,
                    starts_on=first,
                    finishes_on=last,
                    late_days=self._late_days(system_id, step, last),
                )
            )
        return self._steps

    def _late_days(self, system_id: int, step: str, last: datetime.date) -> int:
        deadline = self.systems_facts[str(system_id)][1]
        if step != REMOVAL_STEP or deadline is None:
            return 0
        return max(0, (last - datetime.date.fromisoformat(deadline)).days)

    def systems(self) -> list[PlanSystem]:
        by_system: dict[int, list[ScheduledStep]] = {}
        for step in self._steps:
            by_system.setdefault(step.system_id, []).append(step)
        entries = []
        for pk, (_, deadline) in self.systems_facts.items():
            steps = by_system.get(int(pk), [])
            removal = next((step for step in steps if step.step == REMOVAL_STEP), None)
            late = removal.late_days if removal else 0
            entries.append(
                PlanSystem(
                    plan=self.plan,
                    system_id=int(pk),
                    deadline=deadline,
                    starts_on=min((s.starts_on for s in steps), default=None),
                    removal_on=removal.finishes_on if removal else None,
                    finishes_on=max((s.finishes_on for s in steps), default=None),
                    late_days=late,
                    late_reason=self._reason(removal) if late else "",
                )
            )
        return entries

    def _reason(self, removal: ScheduledStep) -> str:
        """The engine's reason in words: "held by Contracting officers (2) from 3 Mar; chain: ..."."""
        deadline = datetime.date.fromisoformat(self.systems_facts[str(removal.system_id)][1])
        clauses = []
        if deadline < self.plan.starts_on:
            clauses.append(f"deadline {deadline:%-d %b %Y} had passed when planning began")
        reason = self.reasons.get(removal.item_id)
        if reason is not None:
            chain = reason["chain"]
            since = f"{self.calendar.date_of(self.starts[chain[0]]):%-d %b %Y}"
            if reason["resource"]:
                team = self.teams.get(reason["resource"].split(":")[1], "a team")
                clauses.append(f"held by {team} ({self._capacity(reason['resource'], chain)}) from {since}")
            else:
                clauses.append(f"held by its own chain of steps from {since}")
            shown = [self._label(item) for item in chain[-CHAIN_SHOWN:]]
            clauses.append("chain: " + ("… -> " if len(chain) > CHAIN_SHOWN else "") + " -> ".join(shown))
        return "; ".join(clauses)

    def _capacity(self, resource: str, chain: list[str]) -> int:
        """The team's head count when the chain's last item started."""
        capacity, changes = self.capacities[resource]
        unit = self.starts[chain[-1]]
        for from_unit, value in sorted(changes):
            if from_unit <= unit:
                capacity = value
        return capacity

    def _label(self, identifier: str) -> str:
        system_id, step, _, _, _, action = self.items[identifier]
        return item_label(self.systems_facts[str(system_id)][0], step, action)

    def quality(self) -> tuple[str, int, float]:
        """Worst status of the parts; bound and gap of the whole, as the engine reports them."""
        statuses = {result["status"] for result in self.results}
        status = str(Status.FEASIBLE) if str(Status.FEASIBLE) in statuses else str(Status.OPTIMAL)
        tardiness = sum(result["weighted_tardiness"] or 0 for result in self.results)
        tardiness_bound = sum(result["tardiness_lower_bound"] for result in self.results)
        if tardiness > tardiness_bound:
            value, bound = tardiness, tardiness_bound
        else:
            value = max((step.finish_unit for step in self._steps), default=0)
            bound = min(value, max((result["makespan_lower_bound"] for result in self.results), default=0))
        return status, bound, 0.0 if value == 0 else (value - bound) / value


def _moved_steps(plan: Plan) -> int:
    previous = dict(ScheduledStep.objects.filter(plan_id=plan.warm_start_id).values_list("item_id", "starts_on"))
    current = ScheduledStep.objects.filter(plan=plan).values_list("item_id", "starts_on")
    return sum(1 for item, day in current.iterator() if item in previous and previous[item] != day)


def plan_fail(plan_id: int, message: str) -> None:
    """Ends an unfinished run as failed; it stores no schedule."""
    Plan.objects.filter(pk=plan_id, state__in=UNFINISHED_STATES).update(
        state=PlanState.FAILED, message=message[:4000], finished_at=timezone.now()
    )


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
