"""A CP-SAT model of a few free items among items fixed where they are, for the tardiness search.

Large plans make the full model slow to build at every neighbourhood step
(thousands of items); here only the free items get variables. Each frozen
item is a fixed interval taking its capacity, and bounds the free items it
is linked to by precedence. The model minimises the free items' weighted
tardiness, then the sum of their finishes (which leaves room for later work).
"""

from ortools.sat.python import cp_model

from planner.engine.cpsat import ModelDefect
from planner.engine.network import Network
from planner.engine.profile import forbidden_starts


def solve_among_fixed(
    network: Network, starts: list[int], free: set[int], time_limit: float, seed: int
) -> tuple[int, list[int] | None]:
    """The best placement of `free` with every other item kept at its start: (CP-SAT status, starts)."""
    model = cp_model.CpModel()
    placed = _free_starts(model, network, starts, free)
    if placed is None:
        return cp_model.INFEASIBLE, None
    variables, reach = placed
    for item, start in variables.items():
        for successor in network.successors[item]:
            if successor in variables:
                model.add(variables[successor] >= start + network.durations[item])
    _add_resources(model, network, starts, variables, reach)
    _minimise(model, network, variables)
    for item, start in variables.items():
        model.add_hint(start, starts[item])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.random_seed = seed
    solver.parameters.linearization_level = 0
    status = solver.solve(model)
    if status == cp_model.MODEL_INVALID:
        raise ModelDefect(f"CP-SAT rejected a fixed-neighbourhood model: {solver.solution_info()}")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None
    found = list(starts)
    for item, start in variables.items():
        found[item] = int(solver.value(start))
    return status, found


def _free_starts(
    model: cp_model.CpModel, network: Network, starts: list[int], free: set[int]
) -> tuple[dict[int, cp_model.IntVar], tuple[int, int]] | None:
    """A start variable per free item, between its fixed neighbours; and the span they can reach."""
    variables = {}
    reach_start, reach_end = network.horizon, 0
    for item in sorted(free):
        duration = network.durations[item]
        earliest = max(
            [network.releases[item]]
            + [starts[p] + network.durations[p] for p in network.predecessors[item] if p not in free]
        )
        latest = min(
            [network.horizon - duration] + [starts[s] - duration for s in network.successors[item] if s not in free]
        )
        if latest < earliest:
            return None
        domain = cp_model.Domain(earliest, latest)
        for first, last in forbidden_starts(network.blocked_periods[item], duration):
            if first <= last:
                domain = domain.intersection_with(cp_model.Domain(first, last).complement())
        if domain.is_empty():
            return None
        variables[item] = model.new_int_var_from_domain(domain, f"start_{item}")
        reach_start, reach_end = min(reach_start, earliest), max(reach_end, latest + duration)
    return variables, (reach_start, reach_end)


def _add_resources(
    model: cp_model.CpModel,
    network: Network,
    starts: list[int],
    variables: dict[int, cp_model.IntVar],
    reach: tuple[int, int],
) -> None:
    """Per resource: the free items' intervals, the fixed items that overlap their reach, and capacity dips."""
    reach_start, reach_end = reach
    for resource in range(len(network.resource_names)):
        intervals, demands = [], []
        has_free = False
        for item in range(network.size):
            amount = dict(network.demands[item]).get(resource, 0)
            duration = network.durations[item]
            if amount == 0 or duration == 0:
                continue
            if item in variables:
                intervals.append(model.new_fixed_size_interval_var(variables[item], duration, f"run_{item}"))
                has_free = True
            elif starts[item] < reach_end and starts[item] + duration > reach_start:
                intervals.append(model.new_fixed_size_interval_var(starts[item], duration, f"fixed_{item}"))
            else:
                continue
            demands.append(amount)
        if not has_free:
            continue
        peak = network.peak_capacity(resource)
        steps = network.capacity_steps[resource]
        for position, (unit, capacity) in enumerate(steps):
            end = min(steps[position + 1][0] if position + 1 < len(steps) else reach_end, reach_end)
            if capacity < peak and end > unit:
                intervals.append(model.new_fixed_size_interval_var(unit, end - unit, f"reserved_{unit}"))
                demands.append(peak - capacity)
        model.add_cumulative(intervals, demands, peak)


def _minimise(model: cp_model.CpModel, network: Network, variables: dict[int, cp_model.IntVar]) -> None:
    tardiness, finishes = [], []
    for item, start in variables.items():
        finish = start + network.durations[item]
        finishes.append(finish)
        deadline = network.deadlines[item]
        if deadline is not None and network.weights[item] > 0 and network.horizon > deadline:
            late = model.new_int_var(0, network.horizon - deadline, f"late_{item}")
            model.add(late >= finish - deadline)
            tardiness.append(network.weights[item] * late)
    # Tardiness first: no saving in finishes can pay for one unit of it.
    scale = len(variables) * (network.horizon + 1) + 1
    model.minimize(scale * sum(tardiness) + sum(finishes))
