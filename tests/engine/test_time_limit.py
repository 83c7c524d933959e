"""The engine keeps its time limit on one large part, and explains a long queue in linear time.

Found on a department whose 13,426 items share three teams: with a 30 s limit
the solve took 260 s (the heuristic's first rule, the tardiness bound and the
explanations of 1,922 late systems all ran past the limit).
"""

import dataclasses
import time

from bench.domain import generate
from planner.engine import SolveOptions, solve
from planner.engine.explain import CHAIN_LIMIT
from planner.engine.model import Problem, Resource, WorkItem
from planner.engine.network import build_network
from planner.engine.tardiness_bound import tardiness_lower_bound

LIMIT_SECONDS = 2.0
ALLOWED_SECONDS = 8.0
"""Generous: a correctness bound on a shared, loaded machine, not a speed figure."""


def congested_department(items: int) -> Problem:
    """One agency whose teams have a quarter of the generated capacity: long queues, most systems late."""
    problem = generate(items, seed=3, items_per_agency=items)
    resources = tuple(
        dataclasses.replace(
            resource,
            capacity=max(2, resource.capacity // 4),
            capacity_changes=tuple((unit, max(1, capacity // 4)) for unit, capacity in resource.capacity_changes),
        )
        for resource in problem.resources
    )
    return dataclasses.replace(problem, resources=resources)


def assert_precedences_and_capacities(problem: Problem, starts: dict[str, int]) -> None:
    """A check in linear time (the shared checks are quadratic at this size)."""
    durations = {item.id: item.duration for item in problem.items}
    end = max(starts[item.id] + item.duration for item in problem.items)
    for item in problem.items:
        assert starts[item.id] >= item.release
        for predecessor in item.predecessors:
            assert starts[predecessor] + durations[predecessor] <= starts[item.id], f"{predecessor} -> {item.id}"
    for resource in problem.resources:
        change = [0] * (end + 1)
        for item in problem.items:
            amount = item.demands.get(resource.name, 0)
            change[starts[item.id]] += amount
            change[starts[item.id] + item.duration] -= amount
        capacity = dict(resource.capacity_changes)
        used, allowed = 0, resource.capacity
        for unit in range(end):
            used += change[unit]
            allowed = capacity.get(unit, allowed)
            assert used <= allowed, f"{resource.name} overloaded at {unit}"


def test_a_large_congested_part_returns_within_its_time_limit() -> None:
    problem = congested_department(6000)
    # The compiled schedule builders load once per process (a worker's start), not per solve.
    solve(generate(200, seed=0, items_per_agency=200), SolveOptions(time_limit_seconds=0.5))
    started = time.monotonic()
    result = solve(problem, SolveOptions(time_limit_seconds=LIMIT_SECONDS, workers=2))
    elapsed = time.monotonic() - started
    assert result.components == 1  # one part: its own limit is the whole limit
    assert elapsed < ALLOWED_SECONDS, f"took {elapsed:.1f} s against a {LIMIT_SECONDS} s limit"
    assert len(result.late_reasons) > 100  # the congestion the test is about
    assert_precedences_and_capacities(problem, {item_id: entry.start for item_id, entry in result.schedule.items()})


def test_a_late_item_at_the_end_of_a_long_queue_names_only_its_nearest_chain() -> None:
    queue = tuple(WorkItem(f"step{number}", 1, {"team": 1}, deadline=1) for number in range(CHAIN_LIMIT * 3))
    result = solve(Problem(queue, (Resource("team", 1),)), SolveOptions(time_limit_seconds=1.0, deterministic=True))
    reasons = sorted(result.late_reasons, key=lambda reason: reason.lateness)
    assert len(reasons) == len(queue) - 1  # one item runs first and is on time
    last, early = reasons[-1], reasons[0]
    assert len(last.chain) == CHAIN_LIMIT and last.chain[-1] == last.item_id
    assert last.binding_resource == "team"
    assert "and earlier ones" in last.explanation
    assert len(early.chain) == 2 and "and earlier ones" not in early.explanation


def test_a_tardiness_bound_out_of_time_is_still_a_bound() -> None:
    # Forty one-unit items on a one-unit team, all due at 1: none is late on its own
    # (the floors are 0), the team's energy makes the bound positive.
    queue = tuple(WorkItem(f"step{number}", 1, {"team": 1}, deadline=1) for number in range(40))
    network = build_network(Problem(queue, (Resource("team", 1),)))
    assert tardiness_lower_bound(network).value > 0
    assert tardiness_lower_bound(network, until=time.monotonic()).value == 0  # only the floors, proven in no time
