"""The strong CP-SAT model of the RCPSP with due dates.

Beyond intervals, cumulatives and precedences it adds what lets the solver
prune early: start domains cut to [head, upper bound - tail] and free of
blocked periods, makespan >= start + tail for every item, a makespan floor
from the critical path and from resource energy, and a no-overlap over the
items that can never run together on a resource (each needs more than half).
"""

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.engine.network import Network
from planner.engine.profile import forbidden_starts
from planner.engine.search import configure_search

MAKESPAN = "makespan"
TARDINESS = "tardiness"


@dataclass(frozen=True)
class Stage:
    """One optimisation run: what to minimise and under which caps."""

    goal: str
    time_limit: float
    workers: int
    seed: int
    makespan_cap: int
    tardiness_cap: int | None = None
    hint: list[int] | None = None
    previous_plan: dict[int, int] | None = None
    """Items whose move from their previous start is penalised (item -> start)."""
    deterministic: bool = False


@dataclass(frozen=True)
class StageOutcome:
    status: str
    starts: list[int] | None
    bound: int
    seconds: float


@dataclass
class ModelVariables:
    starts: list[cp_model.IntVar]
    intervals: list[cp_model.IntervalVar]
    makespan: cp_model.IntVar
    tardiness: cp_model.LinearExpr | int = 0
    late: dict[int, cp_model.IntVar] = field(default_factory=dict)
    stays: dict[int, cp_model.IntVar] = field(default_factory=dict)


def schedule_end(network: Network, starts: list[int]) -> int:
    return max((start + duration for start, duration in zip(starts, network.durations, strict=True)), default=0)


def run_stage(network: Network, stage: Stage) -> StageOutcome:
    started = time.monotonic()
    model = cp_model.CpModel()
    variables = build_model(model, network, stage.makespan_cap)
    if variables is None:
        return StageOutcome("INFEASIBLE", None, 0, time.monotonic() - started)
    add_tardiness(model, network, variables, stage)
    scale = _add_objective(model, network, variables, stage)
    if stage.hint is not None:
        _add_hint(model, network, variables, stage.hint, stage.previous_plan or {})
    solver = cp_model.CpSolver()
    # Building the model spends the same time budget as searching it, by the wall clock; in a
    # deterministic run the budget is CP-SAT's deterministic time, which the build must not change.
    search_limit = stage.time_limit if stage.deterministic else stage.time_limit - (time.monotonic() - started)
    configure_search(solver, search_limit, stage.workers, stage.seed, network.size, stage.deterministic)
    if stage.previous_plan and not stage.deterministic:
        # With the interleaved search of a deterministic run, OR-Tools 9.15 aborts the whole
        # process on a repaired hint ("Check failed: heuristics.fixed_search != nullptr").
        solver.parameters.repair_hint = True
    status = solver.solve(model)
    return _outcome(solver, status, variables, scale, time.monotonic() - started)


class ModelDefect(RuntimeError):
    """CP-SAT found our model invalid: a bug of ours, never an answer about the problem."""


def build_model(model: cp_model.CpModel, network: Network, makespan_cap: int) -> ModelVariables | None:
    """The model, or None when a bound already proves nothing finishes by `makespan_cap`."""
    if network.makespan_floor() > makespan_cap:
        return None  # the critical-path and energy floors are valid lower bounds
    starts, intervals = [], []
    for item in range(network.size):
        domain = _start_domain(network, item, makespan_cap)
        if domain is None:
            return None
        start = model.new_int_var_from_domain(domain, f"start_{item}")
        starts.append(start)
        intervals.append(model.new_fixed_size_interval_var(start, network.durations[item], f"run_{item}"))
    makespan = model.new_int_var(network.makespan_floor(), max(makespan_cap, 0), MAKESPAN)
    for item in range(network.size):
        for successor in network.successors[item]:
            model.add(starts[successor] >= starts[item] + network.durations[item])
        model.add(makespan >= starts[item] + network.tails[item])
    _add_resources(model, network, intervals, makespan_cap)
    return ModelVariables(starts, intervals, makespan)


def _start_domain(network: Network, item: int, makespan_cap: int) -> cp_model.Domain | None:
    earliest, latest = network.heads[item], makespan_cap - network.tails[item]
    if latest < earliest:
        return None
    domain = cp_model.Domain(earliest, latest)
    for first, last in forbidden_starts(network.blocked_periods[item], network.durations[item]):
        if first <= last:
            domain = domain.intersection_with(cp_model.Domain(first, last).complement())
    return None if domain.is_empty() else domain


def _add_resources(
    model: cp_model.CpModel, network: Network, intervals: list[cp_model.IntervalVar], makespan_cap: int
) -> None:
    users: list[list[tuple[int, int]]] = [[] for _ in network.resource_names]
    for item in range(network.size):
        for resource, amount in network.demands[item]:
            if network.durations[item] > 0:
                users[resource].append((item, amount))
    for resource, resource_users in enumerate(users):
        peak = network.peak_capacity(resource)
        demands = [amount for _, amount in resource_users]
        resource_intervals = [intervals[item] for item, _ in resource_users]
        for interval, amount in _reservations(model, network.capacity_steps[resource], peak, makespan_cap):
            resource_intervals.append(interval)
            demands.append(amount)
        if resource_users:
            model.add_cumulative(resource_intervals, demands, peak)
        exclusive = [intervals[item] for item, amount in resource_users if 2 * amount > peak]
        if len(exclusive) > 1:
            model.add_no_overlap(exclusive)


def _reservations(
    model: cp_model.CpModel, steps: list[tuple[int, int]], peak: int, makespan_cap: int
) -> list[tuple[cp_model.IntervalVar, int]]:
    """Fixed intervals taking up capacity where it dips below its peak."""
    reservations = []
    for position, (unit, capacity) in enumerate(steps):
        end = steps[position + 1][0] if position + 1 < len(steps) else makespan_cap
        end = min(end, makespan_cap)
        if capacity < peak and end > unit:
            interval = model.new_fixed_size_interval_var(unit, end - unit, f"reserved_{unit}")
            reservations.append((interval, peak - capacity))
    return reservations


def add_tardiness(model: cp_model.CpModel, network: Network, variables: ModelVariables, stage: Stage) -> None:
    terms = []
    for item in range(network.size):
        deadline = network.deadlines[item]
        weight = network.weights[item]
        if deadline is None or weight == 0:
            continue
        latest_finish = stage.makespan_cap
        if latest_finish <= deadline:
            continue
        late = model.new_int_var(0, latest_finish - deadline, f"late_{item}")
        model.add(late >= variables.starts[item] + network.durations[item] - deadline)
        variables.late[item] = late
        terms.append(weight * late)
    variables.tardiness = sum(terms) if terms else 0
    if stage.tardiness_cap is not None and terms:
        model.add(variables.tardiness <= stage.tardiness_cap)


def _add_objective(model: cp_model.CpModel, network: Network, variables: ModelVariables, stage: Stage) -> int:
    """Set the objective; returns the factor the main goal is scaled by.

    With a previous plan the objective becomes goal * (n + 1) + moved items:
    moving is only ever chosen when it does not worsen the goal.
    """
    goal = variables.makespan if stage.goal == MAKESPAN else variables.tardiness
    if not stage.previous_plan:
        model.minimize(goal)
        return 1
    moved = []
    for item, previous_start in stage.previous_plan.items():
        stays = model.new_bool_var(f"stays_{item}")
        model.add(variables.starts[item] == previous_start).only_enforce_if(stays)
        variables.stays[item] = stays
        moved.append(1 - stays)
    scale = len(moved) + 1
    model.minimize(scale * goal + sum(moved))
    return scale


def _add_hint(
    model: cp_model.CpModel,
    network: Network,
    variables: ModelVariables,
    starts: list[int],
    previous_plan: dict[int, int],
) -> None:
    for item, start in enumerate(starts):
        model.add_hint(variables.starts[item], start)
    model.add_hint(variables.makespan, schedule_end(network, starts))
    for item, late in variables.late.items():
        deadline = network.deadlines[item] or 0
        model.add_hint(late, max(0, starts[item] + network.durations[item] - deadline))
    for item, stays in variables.stays.items():
        model.add_hint(stays, int(starts[item] == previous_plan[item]))


def _outcome(
    solver: cp_model.CpSolver, status: int, variables: ModelVariables, scale: int, seconds: float
) -> StageOutcome:
    name = solver.status_name(status)
    if status == cp_model.MODEL_INVALID:
        raise ModelDefect(f"CP-SAT rejected the model: {solver.solution_info()}")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return StageOutcome(name, None, 0, seconds)
    starts = [solver.value(start) for start in variables.starts]
    # The bound is on scale * goal + moved, with moved < scale.
    bound = int(solver.best_objective_bound)
    goal_bound = max(0, -(-(bound - scale + 1) // scale)) if scale > 1 else bound
    return StageOutcome(name, starts, goal_bound, seconds)
