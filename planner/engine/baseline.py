"""A plain CP-SAT model, the benchmark's yardstick for the strong one.

Intervals, one cumulative per resource and precedences, minimising the
makespan over a sum-of-durations horizon: nothing else, no hint, default
search. It handles the PSPLIB shape only (constant capacities, no release
dates, deadlines or blocked periods).
"""

import time

from ortools.sat.python import cp_model

from planner.engine.model import Problem, Result, Status

STATUSES = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
}


def solve_plain(problem: Problem, time_limit: float, workers: int, seed: int = 0) -> Result:
    started = time.monotonic()
    model = cp_model.CpModel()
    horizon = sum(item.duration for item in problem.items)
    starts = {item.id: model.new_int_var(0, horizon, f"start_{item.id}") for item in problem.items}
    intervals = {
        item.id: model.new_fixed_size_interval_var(starts[item.id], item.duration, f"run_{item.id}")
        for item in problem.items
    }
    durations = {item.id: item.duration for item in problem.items}
    for item in problem.items:
        for predecessor in item.predecessors:
            model.add(starts[item.id] >= starts[predecessor] + durations[predecessor])
    for resource in problem.resources:
        users = [item for item in problem.items if item.demands.get(resource.name, 0) > 0]
        model.add_cumulative(
            [intervals[item.id] for item in users], [item.demands[resource.name] for item in users], resource.capacity
        )
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, [starts[item.id] + item.duration for item in problem.items])
    model.minimize(makespan)
    return _solve(model, makespan, time_limit, workers, seed, started)


def _solve(
    model: cp_model.CpModel, makespan: cp_model.IntVar, time_limit: float, workers: int, seed: int, started: float
) -> Result:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    value = int(solver.value(makespan)) if found else None
    bound = int(solver.best_objective_bound) if found else 0
    return Result(
        status=STATUSES.get(status, Status.UNKNOWN),
        schedule={},
        weighted_tardiness=0 if found else None,
        makespan=value,
        lower_bound=bound,
        gap=None if value is None else (value - bound) / max(1, value),
        seconds=time.monotonic() - started,
        makespan_lower_bound=bound,
    )
