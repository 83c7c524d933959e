"""A lower bound on weighted tardiness from each team's energy over the deadline windows.

For a deadline item j and any item i that must precede it (or j itself), the
path from i's end to j's end has a length L(i, j), so j finishes no earlier
than i's finish plus L(i, j), and no earlier than its own head plus duration.
Share j's weight among the items on one resource that precede it, in any
proportions summing to one (j's lateness is at least each item's end plus
its path, so at least any average of them); the weighted tardiness is then
at least what those items' units of energy cost when each unit placed in
time unit t is charged as if the item finished at t + 1, or, for a deadline
not late on its own, by the steeper charge of `_unit_charge`. The shares
start in proportion to energy (duration times demand) and move towards the
items the cheapest placement puts late (`_reshare`).

Placing every unit of energy on one resource is a transportation problem:
each item sends its energy, at most its demand per unit of time and never
before its head; each time unit takes at most the capacity. Its minimum cost
is a lower bound for that resource (CP-SAT's own bound on these plans is
close to zero). Time units are grouped into buckets, coarser far from the
deadlines, each charged at its first unit: still a lower bound. Some optimal
schedule is active, so it ends by the network's horizon, and the buckets
stop there. The bound is the largest over resources, plus, for each
resource, the unavoidable lateness of deadlines it does not touch.

No bound built on one resource alone can say much more on the benchmark's
1,000-item domain plan: with every other team left out (the paths between
its items kept), the urgency search finds a contracting schedule of weighted
tardiness 213 and CP-SAT an engineers' one of 48, where the engine's plans
of all teams are 368 to 518 at 10 s (six seeds). Contracting and assessors together,
engineers left out, already cost about 400: a bound near the optimum must
couple those two teams (docs/benchmarks.md). Not through a linear programme, though: the
one of all teams, with every precedence between completion times and these same charges,
proves 134.6 there, as much as contracting's alone. Even the time-indexed programme, where
each step does run whole (one variable per step and start, starts of schedules at most 400
late, precedences between starts, each team's capacity per unit), proves only 158.7, and
takes HiGHS 822 s: the optimum is not within reach of a linear relaxation (docs/benchmarks.md).

Its cheapest flow is still useful: where it lets each deadline finish (`TardinessBound`)
is a better first list for the urgency search than the deadlines themselves.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from planner.engine.network import Network

COST_SCALE = 1000
"""Costs are per unit of energy and fractional; scaled and rounded down to stay a bound."""
MAXIMUM_ARCS = 2_000_000
"""A resource with more item-bucket pairs than this is left out (the bound stays valid, weaker)."""
ARCS_PER_SECOND = 100_000
"""Arcs the flow solver gets through per second, on the low side (measured: 588,163 arcs in
4.6 s on a 13,426-item department, load average 4.6 on 2 cores): a flow that would not fit
the time left is not started, since it cannot be stopped once it is."""
SHARE_ROUNDS = 20
SHARE_PATIENCE = 3
SHARE_STEP = 1.0
"""Re-sharing each deadline's weight (`_reshare`): at most this many rounds, stopping after
SHARE_PATIENCE without a better bound; the step is in units of each deadline's largest gradient."""
FINE_MARGIN = 2
"""Buckets are one unit wide up to this multiple of the latest deadline (plus the longest
duration), then double in width."""


@dataclass
class _Transport:
    """One resource's transportation problem, its costs kept apart per (deadline, item) pair.

    Arcs run from each item to the buckets it may use, then from each bucket to the sink.
    A pair's entries are the item's arcs with that deadline's charge per unit of energy and
    weight on each; an arc's unit cost is the sum over pairs of share times charge.
    """

    tails: np.ndarray
    heads: np.ndarray
    capacities: np.ndarray
    supplies: np.ndarray
    entry_arcs: np.ndarray
    entry_charges: np.ndarray
    entry_pairs: np.ndarray
    pair_starts: np.ndarray
    """Where each pair's entries begin in entry_arcs, entry_charges and entry_pairs."""
    pair_deadlines: np.ndarray
    shares: np.ndarray
    """Per pair, the part of its deadline's weight the item carries; a deadline's shares sum to 1."""
    users: list[int]
    """The items whose energy the transport places, in the order of their nodes."""
    bucket_ends: np.ndarray
    """Per bucket, the unit just after its last."""


@dataclass
class _TeamBound:
    """One resource's bound: its transportation problem's least cost plus the floors it does not touch."""

    value: int
    untouched_floor: int = 0
    transport: _Transport | None = None
    flows: np.ndarray | None = None
    """The least-cost flow under the transport's current shares, where re-sharing starts."""


@dataclass(frozen=True)
class TardinessBound:
    """A lower bound on weighted tardiness, and where the relaxation that proved it puts each deadline.

    `fluid_finishes` maps each weighted deadline item on the team that sets the bound to
    when the cheapest placement of that team's energy lets it finish: the latest unit of
    energy of any item before it on that team, plus the path from there, or its earliest
    finish. The urgency search may start from these instead of the deadlines (ordering by a
    relaxation's completion times is the classic LP-based list scheduling of Hall, Schulz,
    Shmoys and Wein). Empty when no team's transport set the bound.
    """

    value: int
    fluid_finishes: dict[int, int] = field(default_factory=dict)


def tardiness_lower_bound(network: Network, until: float | None = None) -> TardinessBound:
    """A lower bound on the weighted tardiness of every feasible schedule, with its fluid finishes.

    With `until` (a time.monotonic() value) it stops there and returns the
    best bound proven so far: the floors, then each resource's bound, each
    valid on its own. A resource whose flow would not fit the time left is
    left out.
    """
    floors = _floors(network)
    strongest = _TeamBound(sum(floors.values()))
    credits = _credits(network, until)
    if not credits:
        return TardinessBound(strongest.value)
    credited_to = _credited_to(credits)
    for resource in range(len(network.resource_names)):
        if _out_of_time(until):
            break
        team = _team_bound(network, resource, credits, credited_to, floors, until)
        if team.value > strongest.value:
            strongest = team
    value, flows = _reshared(strongest, until)
    if strongest.transport is None or flows is None:
        return TardinessBound(value)
    return TardinessBound(value, _fluid_finishes(network, strongest.transport, flows, credited_to))


def _out_of_time(until: float | None) -> bool:
    return until is not None and time.monotonic() >= until


def _floors(network: Network) -> dict[int, int]:
    """Per deadline item, the weighted lateness it has even with everything else out of the way."""
    return {
        item: network.weights[item] * max(0, network.heads[item] + network.durations[item] - deadline)
        for item, deadline in enumerate(network.deadlines)
        if deadline is not None and network.weights[item] > 0
    }


def _credits(network: Network, until: float | None) -> dict[int, dict[int, int]]:
    """Deadline item j -> {item i that precedes or is j: L(i, j)}, the longest path from i's end to j's end.

    Empty when `until` passes first: a resource bound needs every deadline's paths.
    """
    credits = {}
    for item, deadline in enumerate(network.deadlines):
        if deadline is None or network.weights[item] == 0:
            continue
        if _out_of_time(until):
            return {}
        distances = {item: 0}
        stack = [item]
        while stack:
            current = stack.pop()
            for predecessor in network.predecessors[current]:
                distance = distances[current] + network.durations[current]
                if distance > distances.get(predecessor, -1):
                    distances[predecessor] = distance
                    stack.append(predecessor)
        credits[item] = distances
    return credits


def _credited_to(credits: dict[int, dict[int, int]]) -> dict[int, list[tuple[int, int]]]:
    """Item i -> [(deadline item j, L(i, j))]: the credits turned around, so that each item
    finds its own deadlines without scanning all of them (that scan was quadratic)."""
    turned: dict[int, list[tuple[int, int]]] = {}
    for deadline_item, distances in credits.items():
        for item, distance in distances.items():
            turned.setdefault(item, []).append((deadline_item, distance))
    return turned


def _team_bound(
    network: Network,
    resource: int,
    credits: dict[int, dict[int, int]],
    credited_to: dict[int, list[tuple[int, int]]],
    floors: dict[int, int],
    until: float | None,
) -> _TeamBound:
    demand = {
        item: amount for item in range(network.size) for used, amount in network.demands[item] if used == resource
    }
    users = [item for item in demand if network.durations[item] > 0]
    touched = {
        deadline_item: distances
        for deadline_item, distances in credits.items()
        if any(item in demand and network.durations[item] > 0 for item in distances)
    }
    untouched_floor = sum(floor for item, floor in floors.items() if item not in touched)
    if not touched:
        return _TeamBound(untouched_floor)
    buckets = _buckets(network)
    if len(users) * len(buckets) > _arcs_affordable(until):
        return _TeamBound(untouched_floor)
    transport = _transport(network, resource, demand, users, buckets, touched, credited_to, until)
    if transport is None or len(transport.tails) > _arcs_affordable(until):
        return _TeamBound(untouched_floor)  # building the arcs took the time the solve would have needed
    solved = _solve(transport)
    if solved is None:
        return _TeamBound(untouched_floor)
    cost, flows = solved
    return _TeamBound(untouched_floor + cost, untouched_floor, transport, flows)


def _buckets(network: Network) -> list[tuple[int, int]]:
    latest = max(deadline for deadline in network.deadlines if deadline is not None)
    fine_end = min(network.horizon, max(1, latest * FINE_MARGIN + max(network.durations)))
    buckets = [(unit, unit + 1) for unit in range(fine_end)]
    width = 2
    start = fine_end
    while start < network.horizon:
        end = min(network.horizon, start + width)
        buckets.append((start, end))
        start, width = end, width * 2
    return buckets


def _arcs_affordable(until: float | None) -> float:
    """The most item-bucket arcs worth building in the time left: the flow solver cannot be stopped."""
    if until is None:
        return MAXIMUM_ARCS
    return min(MAXIMUM_ARCS, (until - time.monotonic()) * ARCS_PER_SECOND)


def _reshared(team: _TeamBound, until: float | None) -> tuple[int, np.ndarray | None]:
    """The team's bound, raised by re-sharing each deadline's weight among its items (`_reshare`),
    and the flow that proved it.

    Only the team that sets the bound is re-shared: on the 1,000-item domain plan the
    engineers' and assessors' bounds stayed at their floors (48) over 30 rounds while the
    contractors' rose from 104 to 133 in 0.3 s.
    """
    if team.transport is None or team.flows is None:
        return team.value, None
    best, best_flows, flows, stalled = team.value, team.flows, team.flows, 0
    for _ in range(SHARE_ROUNDS):
        if stalled >= SHARE_PATIENCE or _out_of_time(until) or not _reshare(team.transport, flows):
            break
        if len(team.transport.tails) > _arcs_affordable(until):
            break  # the flow cannot be stopped once started
        solved = _solve(team.transport)
        if solved is None:
            break
        cost, flows = solved
        if team.untouched_floor + cost > best:
            best, best_flows, stalled = team.untouched_floor + cost, flows, 0
        else:
            stalled += 1
    return best, best_flows


def _fluid_finishes(
    network: Network, transport: _Transport, flows: np.ndarray, credited_to: dict[int, list[tuple[int, int]]]
) -> dict[int, int]:
    """Per weighted deadline item on the transport's team, its finish in the flow (see `TardinessBound`)."""
    users = len(transport.users)
    carrying = (transport.tails < users) & (flows > 0)
    last_end = np.zeros(users, dtype=np.int64)
    np.maximum.at(last_end, transport.tails[carrying], transport.bucket_ends[transport.heads[carrying] - users])
    finishes: dict[int, int] = {}
    for position, item in enumerate(transport.users):
        for deadline_item, path in credited_to.get(item, []):
            earliest = network.heads[deadline_item] + network.durations[deadline_item]
            finishes[deadline_item] = max(finishes.get(deadline_item, earliest), int(last_end[position]) + path)
    return finishes


def _transport(
    network: Network,
    resource: int,
    demand: dict[int, int],
    users: list[int],
    buckets: list[tuple[int, int]],
    touched: dict[int, dict[int, int]],
    credited_to: dict[int, list[tuple[int, int]]],
    until: float | None,
) -> _Transport | None:
    """The arcs and per-pair charges, each deadline's weight first shared in proportion to energy."""
    energy = {item: network.durations[item] * demand[item] for item in users}
    touched_energy = {
        deadline_item: sum(energy[item] for item in distances if item in energy)
        for deadline_item, distances in touched.items()
    }
    firsts = np.array([first for first, _ in buckets], dtype=np.int64)
    ends = np.array([end for _, end in buckets], dtype=np.int64)
    tails, heads, capacities = [], [], []
    entry_arcs, entry_charges, pair_sizes, pair_deadlines, shares = [], [], [], [], []
    arc = 0
    for position, item in enumerate(users):
        if position % 256 == 0 and _out_of_time(until):
            return None
        earliest = np.maximum(firsts, network.heads[item])
        open_buckets = np.nonzero(earliest < ends)[0]
        arcs = np.arange(arc, arc + len(open_buckets))
        arc += len(open_buckets)
        for deadline_item, path in credited_to.get(item, []):
            if deadline_item not in touched_energy or not len(arcs):
                continue
            charge = _unit_charge(network, item, earliest[open_buckets], path, deadline_item)
            entry_arcs.append(arcs)
            entry_charges.append(network.weights[deadline_item] * charge / energy[item])
            pair_sizes.append(len(arcs))
            pair_deadlines.append(deadline_item)
            shares.append(energy[item] / touched_energy[deadline_item])
        tails.append(np.full(len(open_buckets), position))
        heads.append(len(users) + open_buckets)
        capacities.append(demand[item] * (ends[open_buckets] - earliest[open_buckets]))
    sink = len(users) + len(buckets)
    tails.append(np.arange(len(users), sink))
    heads.append(np.full(len(buckets), sink))
    capacities.append(_bucket_capacities(network, resource, buckets))
    supplies = [energy[item] for item in users] + [0] * len(buckets) + [-sum(energy.values())]
    return _Transport(
        tails=np.concatenate(tails),
        heads=np.concatenate(heads),
        capacities=np.concatenate(capacities),
        supplies=np.array(supplies, dtype=np.int64),
        entry_arcs=np.concatenate(entry_arcs) if entry_arcs else np.zeros(0, dtype=np.int64),
        entry_charges=np.concatenate(entry_charges) if entry_charges else np.zeros(0),
        entry_pairs=np.repeat(np.arange(len(pair_sizes)), pair_sizes),
        pair_starts=(np.cumsum(pair_sizes) - pair_sizes).astype(np.int64),
        pair_deadlines=np.array(pair_deadlines, dtype=np.int64),
        shares=np.array(shares),
        users=users,
        bucket_ends=ends,
    )


def _solve(transport: _Transport) -> tuple[int, np.ndarray] | None:
    """The least cost under the current shares (rounded down, so still a bound), and its flows."""
    entry_values = transport.shares[transport.entry_pairs] * transport.entry_charges
    unit_costs = np.bincount(transport.entry_arcs, weights=entry_values, minlength=len(transport.tails))
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        transport.tails, transport.heads, transport.capacities, np.floor(unit_costs * COST_SCALE).astype(np.int64)
    )
    flow.set_nodes_supplies(np.arange(len(transport.supplies)), transport.supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    return flow.optimal_cost() // COST_SCALE, flow.flows(arcs)


def _reshare(transport: _Transport, flows: np.ndarray) -> bool:
    """Move each deadline's weight towards the items whose placement it charges most.

    Any shares summing to 1 per deadline give a bound (the deadline's lateness is at least
    each of its items' end plus path, so at least any average of them), and the least cost
    is concave in the shares: an exponentiated-gradient step, the gradient of a pair being
    what the current flow costs it per unit of share. False when no share would move.
    """
    if not len(transport.shares):
        return False
    gradient = np.add.reduceat(flows[transport.entry_arcs] * transport.entry_charges, transport.pair_starts)
    largest = np.zeros(int(transport.pair_deadlines.max()) + 1)
    np.maximum.at(largest, transport.pair_deadlines, gradient)
    scale = largest[transport.pair_deadlines]
    moving = scale > 0
    if not moving.any():
        return False
    step = np.where(moving, SHARE_STEP * gradient / np.where(moving, scale, 1.0), 0.0)
    weighted = transport.shares * np.exp(step)
    totals = np.zeros(len(largest))
    np.add.at(totals, transport.pair_deadlines, weighted)
    transport.shares = weighted / totals[transport.pair_deadlines]
    return True


def _unit_charge(network: Network, item: int, earliest: np.ndarray, path: int, deadline_item: int) -> np.ndarray:
    """What a unit of the item's energy placed at each of `earliest` costs one deadline, per unit of weight.

    The item ends at least one unit after each of its units, and never before its head plus
    its duration; a deadline item late even alone is charged so, with its own floor. Otherwise
    the charge is phi(x) = x + (d - 1) / 2 for x >= 1 and 0 below, x the deadline's lateness
    were the item to end just after that unit, d its duration. At most its demand per unit means
    its units take d units of time or more, all before its end C: phi averaged over them is at
    most phi averaged over the last d units before C, which is the deadline's lateness through
    the item when the item is late by d or more and less before. On the 1,000-item domain plan
    this took the bound from 76 to 104.
    """
    finish_floor = network.heads[deadline_item] + network.durations[deadline_item]
    deadline = network.deadlines[deadline_item] or 0
    if finish_floor > deadline:
        finish = np.maximum(earliest + 1, network.heads[item] + network.durations[item])
        return np.maximum(0, np.maximum(finish + path, finish_floor) - deadline)
    lateness = earliest + 1 + path - deadline
    return np.where(lateness >= 1, lateness + (network.durations[item] - 1) / 2, 0)


def _bucket_capacities(network: Network, resource: int, buckets: list[tuple[int, int]]) -> np.ndarray:
    steps = network.capacity_steps[resource]
    per_unit = np.zeros(network.horizon + 1, dtype=np.int64)
    for position, (unit, amount) in enumerate(steps):
        end = steps[position + 1][0] if position + 1 < len(steps) else network.horizon
        per_unit[min(unit, network.horizon) : min(end, network.horizon)] = amount
    prefix = np.concatenate(([0], np.cumsum(per_unit)))
    return np.array([prefix[end] - prefix[first] for first, end in buckets], dtype=np.int64)
