"""A lower bound on weighted tardiness from the Lagrangian relaxation of the time-indexed model.

In the time-indexed model each item picks one start; each team's capacity
holds in every unit. Pricing that capacity (a multiplier per team and unit)
instead of enforcing it leaves one problem per precedence tree: place the
items of the tree, each at its own cost for each start (its lateness plus
the price of the units it would use), earliest first along precedences.
Every price vector gives a lower bound (Möhring, Schulz, Stork and Uetz,
"Solving project scheduling problems by minimum cut computations",
Management Science 2003); subgradient steps raise the prices of overloaded
units and the best bound found is kept.

What is relaxed, each keeping the bound valid (every feasible schedule, or
every schedule at most as late as a known one, stays a solution of the
relaxation, at no more cost):
- Items after which no weighted deadline follows cost nothing: left out.
- An item with several predecessors keeps only the one that ends latest at
  the earliest (the heads from all of them still bound its start); each tree
  is then solved exactly by dynamic programming over time.
- With a known schedule of weighted tardiness `upper`, a deadline item j
  finishes by its deadline plus upper // w_j in any schedule at least as
  good, which gives every item a latest finish and the time grid its end;
  without one, the network's horizon does.
Releases and precedences give the earliest starts, blocked periods and
units where a team has less capacity than the item's demand forbid starts,
and the horizon bounds every finish, as in the real problem.

How strong it is depends on the plan. On 150 small random plans (the
property test's generator, 300 steps each) it summed to 1,138 against
proven optima summing to 1,142, above the transportation bound of
tardiness_bound.py (949) on 32 plans and below it on none. On the
benchmark's domain plans it is weak: on the 1,000-item plan (seed 0) the
best it can reach at all (its linear programme, solved by column generation)
is 48, the floor of items late even alone, below the transportation bound's
76; pricing the dropped cross-system links too gives 54. On 200-item plans
it reached the transportation bound after seconds of steps or not at all.
Likely why: part of a system may run early and the rest late, and teams of
11 to 41 against demands of 1 or 2 leave such fractions room.
"""

import math
import time
from dataclasses import dataclass

import numpy as np

from planner.engine.network import Network
from planner.engine.profile import forbidden_starts

STEP_SCALE = 2.0
"""The first Polyak step is this multiple of the distance to the target. On a 200-item domain
plan 4 diverged (0), 1 stalled at 30 and 2 reached 127 in 2 s (the transportation bound then said 143)."""
PATIENCE = 20
"""Steps without a better bound before the step is halved."""
SMALLEST_SCALE = 1e-3
"""Below this step scale the prices no longer move enough to be worth the time."""
TOLERANCE = 1e-7
"""Relative slack taken off each bound for floating-point error before rounding it up."""
MAXIMUM_CELLS = 5_000_000
"""Items times time units above which the relaxation is not built (40 MB per array of costs, and
a step holds a few): the bound is then 0."""


@dataclass(frozen=True)
class _Relaxation:
    """The priced problem on a grid of `units` time units, over the items that cost something."""

    items: np.ndarray
    durations: np.ndarray
    base_costs: np.ndarray
    """Per item and start 0..units: its weighted lateness, or inf where the start is not allowed."""
    parents: np.ndarray
    """Per item (position in `items`), its kept predecessor's position, -1 for a root."""
    levels: list[np.ndarray]
    """Positions by depth in their tree, roots first."""
    sibling_groups: list[list[np.ndarray]]
    """Per level, its non-root positions split into groups with distinct parents."""
    demand_items: np.ndarray
    demand_resources: np.ndarray
    demand_amounts: np.ndarray
    demand_groups: list[np.ndarray]
    """The demand triples split into groups with distinct items."""
    windows: np.ndarray
    """Per demand triple, its (resource, duration) pair's row in the window prices."""
    window_pairs: np.ndarray
    """The distinct (resource, duration) pairs: items sharing one pay the same price per unit of demand."""
    capacity: np.ndarray
    """Per resource and unit."""


def lagrangian_tardiness_bound(
    network: Network, until: float | None = None, upper: int | None = None, iterations: int | None = None
) -> int:
    """The best Lagrangian bound found by `until` (a time.monotonic() value) or after `iterations`.

    `upper` is the weighted tardiness of a known schedule: it shortens the grid
    and aims the steps, and the bound is then one on schedules at most that late,
    which include every optimal one.
    """
    if _done(until, iterations, 0):
        return 0
    relaxation = _relax(network, upper)
    if relaxation is None:
        return 0
    prices = np.zeros(relaxation.capacity.shape)
    best = 0
    target = None if upper is None else float(upper)
    scale, stale, count = STEP_SCALE, 0, 0
    while not _done(until, iterations, count) and scale >= SMALLEST_SCALE:
        value, starts = _solve_priced(relaxation, prices)
        if not math.isfinite(value):
            return best  # no placement of some tree fits its windows: no schedule is that good
        count += 1
        bound = math.ceil(value - TOLERANCE * (1.0 + abs(value)))
        if bound > best:
            best, stale = bound, 0
        else:
            stale += 1
        if target is not None and best >= target:
            break
        if stale >= PATIENCE:
            scale, stale = scale / 2, 0
        prices = _step(relaxation, prices, starts, value, _aim(target, best), scale)
        if prices is None:
            break
    return best


def _done(until: float | None, iterations: int | None, count: int) -> bool:
    if iterations is not None and count >= iterations:
        return True
    return until is not None and time.monotonic() >= until


def _aim(target: float | None, best: int) -> float:
    """Where the steps aim: the known schedule's tardiness, else a little above the best bound."""
    if target is not None:
        return target
    return best * 1.1 + 1.0


def _relax(network: Network, upper: int | None) -> _Relaxation | None:
    items = _costly_items(network)
    if not items:
        return None
    latest_finish = _latest_finishes(network, items, upper)
    units = max(latest_finish[item] for item in items)
    if units <= 0 or units * len(items) > MAXIMUM_CELLS:
        return None
    capacity = _capacity_grid(network, units)
    order = np.array(items, dtype=np.int64)
    durations = np.array([network.durations[item] for item in items], dtype=np.int64)
    base_costs = _base_costs(network, items, latest_finish, units, capacity)
    if not np.isfinite(base_costs.min(axis=1)).all():
        return None  # an empty window: no schedule is that good (upper was not one), or none fits
    parents, levels = _forest(network, items)
    sibling_groups = [
        _distinct_groups(parents[level[parents[level] >= 0]], level[parents[level] >= 0]) for level in levels
    ]
    demand_items, demand_resources, demand_amounts = _demand_triples(network, items)
    demand_groups = _distinct_groups(demand_items, np.arange(len(demand_items)))
    pairs = np.stack([demand_resources, durations[demand_items]], axis=1).reshape(-1, 2)
    window_pairs, windows = np.unique(pairs, axis=0, return_inverse=True)
    return _Relaxation(
        order,
        durations,
        base_costs,
        parents,
        levels,
        sibling_groups,
        demand_items,
        demand_resources,
        demand_amounts,
        demand_groups,
        windows.reshape(-1),
        window_pairs,
        capacity,
    )


def _distinct_groups(keys: np.ndarray, values: np.ndarray) -> list[np.ndarray]:
    """`values` split so that no group holds two with the same key: the first of each key, the second...

    Adding rows by key one group at a time then needs no unbuffered np.add.at."""
    seen: dict[int, int] = {}
    ranks = np.zeros(len(keys), dtype=np.int64)
    for index, key in enumerate(keys.tolist()):
        ranks[index] = seen.get(key, 0)
        seen[key] = ranks[index] + 1
    return [values[ranks == rank] for rank in range(int(ranks.max()) + 1)] if len(keys) else []


def _costly_items(network: Network) -> list[int]:
    """Items that are, or precede, a deadline item of positive weight, in topological order."""
    marked = [False] * network.size
    stack = [
        item for item, deadline in enumerate(network.deadlines) if deadline is not None and network.weights[item] > 0
    ]
    for item in stack:
        marked[item] = True
    while stack:
        for predecessor in network.predecessors[stack.pop()]:
            if not marked[predecessor]:
                marked[predecessor] = True
                stack.append(predecessor)
    return [item for item in network.order if marked[item]]


def _latest_finishes(network: Network, items: list[int], upper: int | None) -> dict[int, int]:
    """Per costly item, the latest finish of any feasible schedule at most `upper` late."""
    latest = {}
    for item in reversed(items):
        finish = network.horizon
        deadline, weight = network.deadlines[item], network.weights[item]
        if upper is not None and deadline is not None and weight > 0:
            finish = min(finish, deadline + upper // weight)
        for successor in network.successors[item]:
            if successor in latest:
                finish = min(finish, latest[successor] - network.durations[successor])
        latest[item] = finish
    return latest


def _capacity_grid(network: Network, units: int) -> np.ndarray:
    grid = np.zeros((len(network.resource_names), units), dtype=np.int64)
    for resource, steps in enumerate(network.capacity_steps):
        for position, (unit, amount) in enumerate(steps):
            end = steps[position + 1][0] if position + 1 < len(steps) else units
            grid[resource, min(unit, units) : min(end, units)] = amount
    return grid


def _base_costs(
    network: Network, items: list[int], latest_finish: dict[int, int], units: int, capacity: np.ndarray
) -> np.ndarray:
    starts = np.arange(units + 1, dtype=np.int64)  # an item may end at the grid's end, a 0-unit one start there
    costs = np.zeros((len(items), units + 1))
    for position, item in enumerate(items):
        duration, deadline = network.durations[item], network.deadlines[item]
        row = costs[position]
        if deadline is not None:
            row += network.weights[item] * np.maximum(0, starts + duration - deadline)
        allowed = (starts >= network.heads[item]) & (starts + duration <= latest_finish[item])
        for first, last in forbidden_starts(network.blocked_periods[item], duration):
            allowed &= (starts < first) | (starts > last)
        for resource, amount in network.demands[item]:
            allowed &= _fits(capacity[resource] < amount, duration)
        row[~allowed] = np.inf
    return costs


def _fits(short: np.ndarray, duration: int) -> np.ndarray:
    """Per start up to the grid's end, whether the window [start, start + duration) avoids every short unit."""
    prefix = np.concatenate(([0], np.cumsum(short)))
    starts = np.arange(len(short) + 1)
    ends = np.minimum(starts + duration, len(short))
    return prefix[ends] - prefix[starts] == 0


def _forest(network: Network, items: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each item's kept predecessor: the one whose earliest finish is latest."""
    position = {item: index for index, item in enumerate(items)}
    parents = np.full(len(items), -1, dtype=np.int64)
    depth = np.zeros(len(items), dtype=np.int64)
    for index, item in enumerate(items):  # topological: a parent's depth is known first
        predecessors = network.predecessors[item]
        if predecessors:
            kept = max(predecessors, key=lambda other: network.heads[other] + network.durations[other])
            parents[index] = position[kept]
            depth[index] = depth[parents[index]] + 1
    levels = [np.nonzero(depth == level)[0] for level in range(int(depth.max()) + 1)]
    return parents, levels


def _demand_triples(network: Network, items: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    triples = [
        (position, resource, amount)
        for position, item in enumerate(items)
        if network.durations[item] > 0
        for resource, amount in network.demands[item]
    ]
    array = np.array(triples, dtype=np.int64).reshape(-1, 3)
    return array[:, 0], array[:, 1], array[:, 2]


def _solve_priced(relaxation: _Relaxation, prices: np.ndarray) -> tuple[float, np.ndarray]:
    """The relaxation's value at these prices and the starts that reach it."""
    costs = relaxation.base_costs.copy()
    _add_prices(relaxation, prices, costs)
    best_after = _collapse_trees(relaxation, costs)
    starts = _place(relaxation, costs)
    roots = relaxation.levels[0]
    value = float(best_after[roots, 0].sum()) - float((prices * relaxation.capacity).sum())
    return value, starts


def _add_prices(relaxation: _Relaxation, prices: np.ndarray, costs: np.ndarray) -> None:
    """Each start's cost gains the price of the units the item would use from it."""
    units = prices.shape[1]
    cumulative = np.zeros((prices.shape[0], units + 1))
    np.cumsum(prices, axis=1, out=cumulative[:, 1:])
    window_prices = np.full((len(relaxation.window_pairs), units + 1), np.inf)
    for row, (resource, duration) in enumerate(relaxation.window_pairs.tolist()):
        # Starts 0..units - duration: the ones whose window ends within the grid.
        window_prices[row, : units - duration + 1] = (
            cumulative[resource, duration:] - cumulative[resource, : units - duration + 1]
        )
    for group in relaxation.demand_groups:
        items = relaxation.demand_items[group]
        costs[items] += relaxation.demand_amounts[group][:, None] * window_prices[relaxation.windows[group]]


def _collapse_trees(relaxation: _Relaxation, costs: np.ndarray) -> np.ndarray:
    """Deepest first, each item's cost gains its subtrees' cheapest placement after it finishes.

    Returns, per item and start, the cheapest cost of its subtree starting at that unit or later.
    """
    width = costs.shape[1]  # starts 0..units
    best_after = np.empty_like(costs)
    for depth in range(len(relaxation.levels) - 1, -1, -1):
        level = relaxation.levels[depth]
        best_after[level] = np.minimum.accumulate(costs[level][:, ::-1], axis=1)[:, ::-1]
        for children in relaxation.sibling_groups[depth]:
            parents = relaxation.parents[children]
            for duration in np.unique(relaxation.durations[parents]).tolist():
                chosen = relaxation.durations[parents] == duration
                costs[parents[chosen], : width - duration] += best_after[children[chosen], duration:]
                costs[parents[chosen], width - duration :] = np.inf
    return best_after


def _place(relaxation: _Relaxation, costs: np.ndarray) -> np.ndarray:
    """Roots at their cheapest start, then each item at its cheapest start after its kept predecessor."""
    width = costs.shape[1]  # starts 0..units
    starts = np.zeros(len(relaxation.items), dtype=np.int64)
    columns = np.arange(width)
    for level in relaxation.levels:
        parents = relaxation.parents[level]
        earliest = np.where(parents >= 0, starts[parents] + relaxation.durations[parents], 0)
        masked = np.where(columns[None, :] >= earliest[:, None], costs[level], np.inf)
        starts[level] = np.argmin(masked, axis=1)
    return starts


def _step(
    relaxation: _Relaxation, prices: np.ndarray, starts: np.ndarray, value: float, aim: float, scale: float
) -> np.ndarray | None:
    """A projected Polyak subgradient step, or None when the relaxed schedule needs no more prices."""
    units = prices.shape[1]
    usage = np.zeros((prices.shape[0], units + 1))
    begins = starts[relaxation.demand_items]
    ends = np.minimum(begins + relaxation.durations[relaxation.demand_items], units)
    np.add.at(usage, (relaxation.demand_resources, begins), relaxation.demand_amounts)
    np.add.at(usage, (relaxation.demand_resources, ends), -relaxation.demand_amounts)
    gradient = np.cumsum(usage, axis=1)[:, :units] - relaxation.capacity
    gradient[(prices <= 0) & (gradient < 0)] = 0  # the projection would undo these moves
    norm = float((gradient * gradient).sum())
    if norm == 0:
        return None
    step = scale * max(aim - value, 1e-3 * (1.0 + abs(value))) / norm
    return np.maximum(0.0, prices + step * gradient)
