"""Earliest-deadline-first serial list scheduling: what a transition lead gets by hand.

Every item takes the deadline of its system (the earliest deadline at or after
it along its successors); items go in that order, ties in topological order,
each placed at its earliest start that fits the teams, releases and blocked
periods (the engine's serial schedule generation scheme, nothing else).
"""

from dataclasses import dataclass

import numpy as np

from planner.engine.model import Problem
from planner.engine.network import build_network
from planner.engine.sgs import forward_schedule, makespan_of, sgs_arrays, weighted_tardiness_of
from planner.engine.validation import validate


@dataclass(frozen=True)
class ListSchedule:
    starts: dict[str, int]
    weighted_tardiness: int
    late_items: int
    makespan: int


def earliest_deadline_first(problem: Problem) -> ListSchedule:
    validate(problem)
    network = build_network(problem)
    arrays = sgs_arrays(network)
    due = [float("inf")] * network.size
    for item in reversed(network.order):
        if network.deadlines[item] is not None:
            due[item] = float(network.deadlines[item])
        for successor in network.successors[item]:
            due[item] = min(due[item], due[successor])
    rank = {item: position for position, item in enumerate(network.order)}
    order = np.array(sorted(range(network.size), key=lambda item: (due[item], rank[item])), dtype=np.int64)
    starts = np.zeros(network.size, dtype=np.int64)
    if not forward_schedule(arrays, order, starts):
        raise ValueError("earliest-deadline-first found no schedule within the horizon")
    late = sum(
        1
        for item, deadline in enumerate(network.deadlines)
        if deadline is not None and starts[item] + network.durations[item] > deadline
    )
    return ListSchedule(
        starts={network.ids[item]: int(start) for item, start in enumerate(starts)},
        weighted_tardiness=int(weighted_tardiness_of(arrays, starts)),
        late_items=late,
        makespan=int(makespan_of(arrays, starts)),
    )
