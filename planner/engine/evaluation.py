"""Score a schedule the same way everywhere: lateness, weighted tardiness, makespan."""

from dataclasses import dataclass

from planner.engine.model import Objective
from planner.engine.network import Network


@dataclass(frozen=True, order=True)
class Score:
    """Compared lexicographically: tardiness first, then makespan."""

    weighted_tardiness: int
    makespan: int


def lateness(network: Network, item: int, start: int) -> int:
    deadline = network.deadlines[item]
    if deadline is None:
        return 0
    return max(0, start + network.durations[item] - deadline)


def score(network: Network, starts: list[int], objective: Objective) -> Score:
    makespan = max((start + duration for start, duration in zip(starts, network.durations, strict=True)), default=0)
    if objective == "makespan":
        return Score(0, makespan)
    tardiness = sum(network.weights[item] * lateness(network, item, start) for item, start in enumerate(starts))
    return Score(tardiness, makespan)
