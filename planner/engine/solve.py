"""The engine's entry point: `solve(problem, options) -> Result`."""

import time

from planner.engine.decompose import independent_parts
from planner.engine.evaluation import lateness
from planner.engine.explain import explain_lateness
from planner.engine.model import ItemSchedule, LateReason, Problem, Result, SolveOptions, Status
from planner.engine.part_solver import PartOutcome, solve_part
from planner.engine.validation import validate

STATUS_SEVERITY = [Status.OPTIMAL, Status.FEASIBLE, Status.UNKNOWN, Status.INFEASIBLE]


def solve(problem: Problem, options: SolveOptions | None = None) -> Result:
    """Validate, split into independent parts, solve each, and explain lateness.

    Raises ProblemError for a malformed problem. Parts are solved one after
    another, each given a share of the time limit in proportion to its size;
    time a part leaves unused passes to the next.
    """
    options = options or SolveOptions()
    started = time.monotonic()
    validate(problem)
    parts = independent_parts(problem) if options.decompose else [problem]
    outcomes = []
    items_left = len(problem.items)
    for part in parts:
        remaining = options.time_limit_seconds - (time.monotonic() - started)
        share = remaining * len(part.items) / max(1, items_left)
        if options.deterministic:  # a fixed share: another part's wall time must not change this one's answer
            share = options.time_limit_seconds * len(part.items) / len(problem.items)
        outcomes.append(solve_part(part, options, max(0.0, share)))
        items_left -= len(part.items)
    return _combine(outcomes, options, time.monotonic() - started)


def _combine(outcomes: list[PartOutcome], options: SolveOptions, seconds: float) -> Result:
    status = max((outcome.status for outcome in outcomes), key=STATUS_SEVERITY.index, default=Status.OPTIMAL)
    if status in (Status.INFEASIBLE, Status.UNKNOWN):
        message = "no schedule satisfies every precedence, capacity and blocked period within the horizon"
        if status == Status.UNKNOWN:
            message = "no schedule found within the time limit"
        return Result(status, {}, None, None, 0, None, seconds, components=len(outcomes), message=message)
    schedule: dict[str, ItemSchedule] = {}
    reasons: list[LateReason] = []
    for outcome in outcomes:
        schedule.update(_item_schedules(outcome))
        reasons.extend(explain_lateness(outcome.network, outcome.starts or []))
    tardiness = sum(_weighted_tardiness(outcome) for outcome in outcomes)
    makespan = max((entry.finish for entry in schedule.values()), default=0)
    tardiness_bound = sum(outcome.tardiness_bound for outcome in outcomes)
    makespan_bound = max((outcome.makespan_bound for outcome in outcomes), default=0)
    value, bound = _reported_objective(options, tardiness, tardiness_bound, makespan, makespan_bound)
    return Result(
        status=status,
        schedule=schedule,
        weighted_tardiness=tardiness,
        makespan=makespan,
        lower_bound=bound,
        gap=0.0 if value == 0 else (value - bound) / value,
        seconds=seconds,
        late_reasons=tuple(reasons),
        moved_items=_moved_items(schedule, options.hint),
        components=len(outcomes),
        makespan_lower_bound=makespan_bound,
        tardiness_lower_bound=tardiness_bound,
    )


def _item_schedules(outcome: PartOutcome) -> dict[str, ItemSchedule]:
    network, starts = outcome.network, outcome.starts or []
    return {
        network.ids[item]: ItemSchedule(
            network.ids[item], start, start + network.durations[item], lateness(network, item, start)
        )
        for item, start in enumerate(starts)
    }


def _weighted_tardiness(outcome: PartOutcome) -> int:
    network, starts = outcome.network, outcome.starts or []
    return sum(network.weights[item] * lateness(network, item, start) for item, start in enumerate(starts))


def _reported_objective(
    options: SolveOptions, tardiness: int, tardiness_bound: int, makespan: int, makespan_bound: int
) -> tuple[int, int]:
    """The objective the gap is about: tardiness until it is proven, then makespan."""
    if options.objective == "tardiness_then_makespan" and tardiness > tardiness_bound:
        return tardiness, tardiness_bound
    return makespan, min(makespan, makespan_bound)


def _moved_items(schedule: dict[str, ItemSchedule], hint: dict[str, int] | None) -> int | None:
    if hint is None:
        return None
    return sum(1 for item_id, start in hint.items() if item_id in schedule and schedule[item_id].start != start)
