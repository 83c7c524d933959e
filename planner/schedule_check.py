"""Does a given schedule fit a problem? Plain Python over the stored problem JSON, no database.

A what-if that only adds room (more people, later deadlines, smaller estimates) keeps its
base plan's schedule feasible; `planner.scenarios` uses this check to know when it may fall
back to that schedule.
"""

from __future__ import annotations

from collections import defaultdict

from planner.enums import PlanObjective


def fits(problem: dict, starts: dict[str, int]) -> bool:
    """Every item has a start, after its predecessors, outside its blocked periods, within capacity."""
    items = problem["items"]
    if any(item["id"] not in starts for item in items):
        return False
    return _precedences_hold(items, starts) and _outside_blocks(items, starts) and _within_capacity(problem, starts)


def late_items(problem: dict, starts: dict[str, int]) -> set[str]:
    """Items whose finish passes their deadline (in units)."""
    return {
        item["id"]
        for item in problem["items"]
        if item["deadline"] is not None and starts[item["id"]] + item["duration"] > item["deadline"]
    }


def objective_value(problem: dict, starts: dict[str, int], objective: str) -> int:
    """The schedule's weighted lateness (in units times weight) or its length in units."""
    items = problem["items"]
    if objective == PlanObjective.LATENESS:
        return sum(
            item["weight"] * max(0, starts[item["id"]] + item["duration"] - item["deadline"])
            for item in items
            if item["deadline"] is not None
        )
    return max((starts[item["id"]] + item["duration"] for item in items), default=0)


def _precedences_hold(items: list[dict], starts: dict[str, int]) -> bool:
    finish = {item["id"]: starts[item["id"]] + item["duration"] for item in items}
    return all(
        starts[item["id"]] >= finish[predecessor]
        for item in items
        for predecessor in item["predecessors"]
        if predecessor in finish
    )


def _outside_blocks(items: list[dict], starts: dict[str, int]) -> bool:
    for item in items:
        start, end = starts[item["id"]], starts[item["id"]] + item["duration"]
        overlaps = any(start < block_end and block_start < end for block_start, block_end in item["blocked"])
        if item["duration"] and overlaps:
            return False
    return True


def _within_capacity(problem: dict, starts: dict[str, int]) -> bool:
    use: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for item in problem["items"]:
        for resource, amount in item["demands"].items():
            for unit in range(starts[item["id"]], starts[item["id"]] + item["duration"]):
                use[resource][unit] += amount
    for name, capacity, changes in problem["resources"]:
        steps = sorted(changes)
        for unit, amount in use.get(name, {}).items():
            if amount > _capacity_at(capacity, steps, unit):
                return False
    return True


def _capacity_at(capacity: int, steps: list, unit: int) -> int:
    for from_unit, value in steps:
        if from_unit <= unit:
            capacity = value
    return capacity
