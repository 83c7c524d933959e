"""Constructive heuristic: serial schedule generation with priority rules and
forward-backward improvement.

It gives CP-SAT its first solution as a hint and is the answer on its own
when the time limit is too short for the model, or the problem too large.
"""

import heapq
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.engine.evaluation import Score, score
from planner.engine.model import Objective, Period
from planner.engine.network import Network
from planner.engine.profile import CapacityProfile, forbidden_starts
from planner.engine.sgs import INFEASIBLE, INT, improved_schedule, sgs_arrays

IMPROVEMENT_ROUNDS = 4
COMPILED_ITEMS = 5000
"""Above this many items each rule is decoded once by the compiled scheme of sgs.py, with one
round of double justification, and there is no sampling: the scheme below scans capacity unit
by unit in Python and took 94 s for its first rule and improvement round on a 13,426-item part
whose systems queue for three teams (a 10 s limit; load average 9 on 2 cores)."""


@dataclass(frozen=True)
class HeuristicSchedule:
    starts: list[int]
    score: Score
    schedules_built: int


@dataclass(frozen=True)
class _Pass:
    """One direction of the schedule generation scheme."""

    predecessors: list[list[int]]
    releases: Sequence[int]
    forbidden: list[list[Period]]
    profile: CapacityProfile


def construct(
    network: Network,
    objective: Objective,
    seed: int = 0,
    time_budget: float = 1.0,
    max_iterations: int = 1000,
    hint: dict[int, int] | None = None,
) -> HeuristicSchedule | None:
    """The best schedule found by the rules then biased random sampling."""
    deadline = time.monotonic() + time_budget
    if network.size > COMPILED_ITEMS:
        return _construct_compiled(network, objective, deadline, hint)
    profile = CapacityProfile.from_steps(network.capacity_steps, network.horizon)
    forward = _Pass(network.predecessors, network.releases, _forbidden(network, network.blocked_periods), profile)
    random_source = random.Random(seed)
    rules = _rules(network, hint)
    best: list[int] | None = None
    built = 0
    for iteration in range(max_iterations):
        if iteration > 0 and time.monotonic() > deadline:
            break
        keys = _priority_keys(network, rules, iteration, random_source)
        starts = schedule(network, forward, keys)
        built += 1
        if starts is None:
            continue
        starts, improvement_built = improve(network, forward, starts, objective, deadline)
        built += improvement_built
        if best is None or score(network, starts, objective) < score(network, best, objective):
            best = starts
    return None if best is None else HeuristicSchedule(best, score(network, best, objective), built)


def _construct_compiled(
    network: Network, objective: Objective, deadline: float, hint: dict[int, int] | None
) -> HeuristicSchedule | None:
    """The best of the rules, each decoded and double-justified by the compiled scheme; the first always."""
    arrays = sgs_arrays(network)
    tardiness_first = objective != "makespan" and network.has_deadlines()
    best: list[int] | None = None
    built = 0
    for number, keys in enumerate(_rules(network, hint)):
        if number > 0 and time.monotonic() > deadline:
            break
        starts, fitness = improved_schedule(arrays, _activity_list(network, keys), tardiness_first)
        built += 1
        if fitness == INFEASIBLE:
            continue
        found = [int(start) for start in starts]
        if best is None or score(network, found, objective) < score(network, best, objective):
            best = found
    return None if best is None else HeuristicSchedule(best, score(network, best, objective), built)


def _activity_list(network: Network, keys: Sequence[float]) -> np.ndarray:
    """The precedence-feasible list that takes the eligible item with the lowest key first."""
    waiting = [len(item_predecessors) for item_predecessors in network.predecessors]
    eligible = [(keys[item], item) for item, count in enumerate(waiting) if count == 0]
    heapq.heapify(eligible)
    order = []
    while eligible:
        _, item = heapq.heappop(eligible)
        order.append(item)
        for successor in network.successors[item]:
            waiting[successor] -= 1
            if waiting[successor] == 0:
                heapq.heappush(eligible, (keys[successor], successor))
    return np.array(order, dtype=INT)


def schedule(network: Network, direction: _Pass, keys: Sequence[float]) -> list[int] | None:
    """Serial SGS: take eligible items by key, place each at its earliest fit."""
    profile = direction.profile.copy()
    waiting = [len(item_predecessors) for item_predecessors in direction.predecessors]
    successors = _invert(direction.predecessors)
    eligible = [(keys[item], item) for item, count in enumerate(waiting) if count == 0]
    heapq.heapify(eligible)
    earliest = list(direction.releases)
    starts = [0] * network.size
    while eligible:
        _, item = heapq.heappop(eligible)
        duration = network.durations[item]
        start = profile.earliest_fit(network.demands[item], duration, earliest[item], direction.forbidden[item])
        if start is None:
            return None
        profile.reserve(network.demands[item], start, duration)
        starts[item] = start
        for successor in successors[item]:
            earliest[successor] = max(earliest[successor], start + duration)
            waiting[successor] -= 1
            if waiting[successor] == 0:
                heapq.heappush(eligible, (keys[successor], successor))
    return starts


def improve(
    network: Network, forward: _Pass, starts: list[int], objective: Objective, deadline: float
) -> tuple[list[int], int]:
    """Forward-backward improvement: right-justify, then left-justify, while it helps.

    The first round always runs; later ones only while time is left.
    """
    best = starts
    built = 0
    for round_number in range(IMPROVEMENT_ROUNDS):
        if round_number > 0 and time.monotonic() > deadline:
            break
        backward_starts = _right_justified(network, forward, best)
        built += 1
        if backward_starts is None:
            break
        candidate = schedule(network, forward, [float(start) for start in backward_starts])
        built += 1
        if candidate is None or score(network, candidate, objective) >= score(network, best, objective):
            break
        best = candidate
    return best, built


def _right_justified(network: Network, forward: _Pass, starts: list[int]) -> list[int] | None:
    """Each item as late as possible, in order of decreasing finish.

    Release dates are ignored here: this pass only proposes an order for the
    next forward pass, which respects them.
    """
    end = max(start + duration for start, duration in zip(starts, network.durations, strict=True))
    mirrored_blocked = [
        tuple((end - period_end, end - period_start) for period_start, period_end in periods)
        for periods in network.blocked_periods
    ]
    backward = _Pass(
        network.successors, [0] * network.size, _forbidden(network, mirrored_blocked), forward.profile.mirrored(end)
    )
    keys = [-(start + duration) for start, duration in zip(starts, network.durations, strict=True)]
    mirrored_starts = schedule(network, backward, keys)
    if mirrored_starts is None:
        return None
    return [end - start - duration for start, duration in zip(mirrored_starts, network.durations, strict=True)]


def _rules(network: Network, hint: dict[int, int] | None) -> list[list[float]]:
    """Deterministic priority rules; lower key goes first."""
    latest_start = [float(network.horizon - tail) for tail in network.tails]
    due_latest_start = _due_latest_start(network)
    rules = [
        [min(due, latest) for due, latest in zip(due_latest_start, latest_start, strict=True)],
        latest_start,
        [-float(len(successors)) for successors in network.successors],
    ]
    if network.has_deadlines():
        # Earliest deadline first, what a transition lead does by hand, goes first: on the
        # benchmark's domain plans it beat the rules above by 8 to 20 % (bench/edf.py).
        rules.insert(0, _system_deadlines(network))
    if hint:
        rules.insert(0, [float(hint.get(item, network.heads[item])) for item in range(network.size)])
    return rules


def _priority_keys(
    network: Network, rules: list[list[float]], iteration: int, random_source: random.Random
) -> list[float]:
    if iteration < len(rules):
        return rules[iteration]
    # Biased random sampling around the best rule keeps the sampled orders
    # close to good ones while still exploring.
    base = rules[0]
    spread = max(1.0, sum(network.durations) / max(1, network.size))
    return [key + random_source.uniform(0.0, 2.0 * spread) for key in base]


def _system_deadlines(network: Network) -> list[float]:
    """The earliest deadline at or after each item along its successors (its system's deadline)."""
    due = [float("inf")] * network.size
    for item in reversed(network.order):
        deadline = network.deadlines[item]
        if deadline is not None:
            due[item] = float(deadline)
        for successor in network.successors[item]:
            due[item] = min(due[item], due[successor])
    return due


def _due_latest_start(network: Network) -> list[float]:
    """Latest start that lets every downstream deadline be met."""
    latest = [float("inf")] * network.size
    for item in reversed(network.order):
        deadline = network.deadlines[item]
        if deadline is not None:
            latest[item] = float(deadline - network.durations[item])
        for successor in network.successors[item]:
            latest[item] = min(latest[item], latest[successor] - network.durations[item])
    return latest


def _forbidden(network: Network, blocked_periods: list[tuple[Period, ...]]) -> list[list[Period]]:
    return [
        forbidden_starts(periods, duration)
        for periods, duration in zip(blocked_periods, network.durations, strict=True)
    ]


def _invert(predecessors: list[list[int]]) -> list[list[int]]:
    successors: list[list[int]] = [[] for _ in predecessors]
    for item, item_predecessors in enumerate(predecessors):
        for predecessor in item_predecessors:
            successors[predecessor].append(item)
    return successors
