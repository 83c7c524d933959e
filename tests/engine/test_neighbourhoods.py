"""Neighbourhood steps return only valid schedules, and never a worse one for their goal."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engine.heuristic import construct
from planner.engine.model import Problem, SolveOptions, Status
from planner.engine.neighbourhood import NEIGHBOURHOOD_KINDS, _neighbourhood, value_of
from planner.engine.network import build_network
from planner.engine.solve import solve
from planner.engine.submodel import solve_among_fixed
from planner.engine.validation import validate
from tests.engine.checks import assert_schedule_valid, result_of
from tests.engine.strategies import problems

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems(max_items=12), st.sampled_from(NEIGHBOURHOOD_KINDS), st.integers(0, 5))
def test_tardiness_step_among_fixed_items_keeps_every_rule(problem: Problem, kind: str, seed: int) -> None:
    validate(problem)
    network = build_network(problem)
    start = construct(network, "tardiness_then_makespan", time_budget=0.0)
    assert start is not None
    free = _neighbourhood(network, start.starts, 0.5, kind, random.Random(seed))
    status, found = solve_among_fixed(network, start.starts, free, 1.0, seed)
    assert found is not None, status  # the current placement of the free items is always a solution
    assert_schedule_valid(problem, result_of(problem, found))
    assert value_of(network, found, "tardiness") <= value_of(network, start.starts, "tardiness")
    assert all(found[item] == start.starts[item] for item in range(network.size) if item not in free)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_items=12))
def test_two_workers_with_population_and_neighbourhoods_keep_every_rule(problem: Problem) -> None:
    result = solve(problem, SolveOptions(time_limit_seconds=0.6, workers=2))
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE), result.message
    assert_schedule_valid(problem, result)
