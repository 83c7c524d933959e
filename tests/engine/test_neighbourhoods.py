"""Neighbourhood steps return only valid schedules, and never a worse one for their goal."""

import random
import time
from dataclasses import replace
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engine.cpsat import MAKESPAN, Stage
from planner.engine.heuristic import construct
from planner.engine.model import Problem, Resource, SolveOptions, Status, WorkItem
from planner.engine.neighbourhood import (
    NEIGHBOURHOOD_KINDS,
    SharedBest,
    _close,
    _neighbourhood,
    _order_links,
    _populations_fit,
    _run_neighbourhood_workers,
    evolve_with_restarts,
    search_neighbourhoods,
    value_of,
)
from planner.engine.network import build_network
from planner.engine.population import PopulationSearch
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


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 6)), min_size=1, max_size=15))
def test_order_links_imply_every_pair_where_one_user_finishes_before_the_other_starts(
    runs: list[tuple[int, int]],
) -> None:
    starts = [start for start, _ in runs]
    network = SimpleNamespace(durations=[duration for _, duration in runs])
    users = list(range(len(runs)))
    ordered = {
        (earlier, later) for earlier in users for later in users if starts[earlier] + runs[earlier][1] <= starts[later]
    }
    links = set(_order_links(network, starts, users))
    assert links <= ordered
    # None is implied by two others: a third user runs wholly between the pair.
    assert not any(
        (earlier, middle) in ordered and (middle, later) in ordered for earlier, later in links for middle in users
    )
    implied = set(links)
    while True:  # the transitive closure of the links
        longer = {(first, last) for first, middle in implied for step, last in implied if middle == step}
        if longer <= implied:
            break
        implied |= longer
    assert implied == ordered


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_items=12))
def test_two_workers_with_population_and_neighbourhoods_keep_every_rule(problem: Problem) -> None:
    result = solve(problem, SolveOptions(time_limit_seconds=0.6, workers=2))
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE), result.message
    assert_schedule_valid(problem, result)


def _chain_problem() -> Problem:
    """Twelve items on one team of two, every third waiting for the one before: steps have work to do."""
    items = []
    for index in range(12):
        waits_for = (f"w{index - 1}",) if index % 3 == 2 else ()
        items.append(WorkItem(f"w{index}", 1 + index % 3, {"engineers": 1}, predecessors=waits_for))
    return Problem(tuple(items), (Resource("engineers", 2),))


def test_only_a_better_schedule_restarts_the_stall_clock() -> None:
    shared = SharedBest([0, 1], value=10, lower_bound=0)
    shared.improved_at = 0.0
    shared.offer([1, 0], 10)  # as good: a move along the plateau, not progress
    assert shared.improved_at == 0.0
    shared.offer([0, 0], 9)
    assert shared.improved_at > 0.0


def test_neighbourhood_steps_give_up_once_nothing_has_improved_for_the_stall_time() -> None:
    network = build_network(_chain_problem())
    start = construct(network, "makespan", time_budget=0.0).starts
    shared = SharedBest(start, value_of(network, start, MAKESPAN), lower_bound=0)
    shared.improved_at = time.monotonic() - 2.0  # stalled for two seconds already
    began = time.monotonic()
    steps = search_neighbourhoods(network, shared, began + 5.0, seed=0, stall_seconds=1.0)
    assert steps == 0 and time.monotonic() - began < 1.0
    # Without a stall limit the same search steps until its deadline (the lower bound 0 is never reached).
    assert search_neighbourhoods(network, shared, time.monotonic() + 0.3, seed=0) > 0


def test_a_stalled_makespan_stage_hands_its_time_back_to_the_full_model() -> None:
    network = build_network(_chain_problem())
    start = construct(network, "makespan", time_budget=0.0).starts
    shared = SharedBest(start, value_of(network, start, MAKESPAN), lower_bound=0)
    stage = Stage(goal=MAKESPAN, time_limit=2.0, workers=2, seed=0, makespan_cap=network.horizon, hint=start)
    began = time.monotonic()
    _run_neighbourhood_workers(network, shared, began + 5.0, stage)
    # Stalled after STALL_SHARE of the stage's 2 s (a step or two more at most), long before the 5 s.
    assert time.monotonic() - began < 2.0


def _one_after_another(network) -> list[int]:
    """A valid but poor schedule: every item after the previous one, in topological order."""
    starts, clock = [0] * network.size, 0
    for item in network.order:
        starts[item], clock = clock, clock + network.durations[item]
    return starts


def test_restarted_populations_improve_the_shared_schedule_and_keep_every_rule() -> None:
    problem = _chain_problem()
    network = build_network(problem)
    poor = _one_after_another(network)
    assert_schedule_valid(problem, result_of(problem, poor))
    shared = SharedBest(poor, value_of(network, poor, MAKESPAN), lower_bound=0)
    restarts = evolve_with_restarts(network, shared, time.monotonic() + 1.5, seed=0)
    assert restarts >= 2  # twelve items converge at once: each population stops after RESTART_SECONDS
    assert shared.value < value_of(network, poor, MAKESPAN) == sum(network.durations)
    assert value_of(network, shared.starts, MAKESPAN) == shared.value
    assert_schedule_valid(problem, result_of(problem, shared.starts))


def _ready_population_and_stage(network, poor: list[int]) -> tuple[PopulationSearch, Stage]:
    """A population holding `poor`, its kernels loaded (not in the timed part), and a two-worker makespan stage."""
    population = PopulationSearch(network, "makespan")
    population.inject(poor)
    population.evolve(0.0, max_generations=1)
    return population, Stage(goal=MAKESPAN, time_limit=10.0, workers=2, seed=0, makespan_cap=network.horizon, hint=poor)


def test_with_a_population_every_worker_evolves_and_without_one_every_worker_takes_steps() -> None:
    network = build_network(_chain_problem())
    poor = _one_after_another(network)
    population, stage = _ready_population_and_stage(network, poor)
    shared = SharedBest(poor, value_of(network, poor, MAKESPAN), lower_bound=0)
    assert _populations_fit(stage, population)
    tally = _run_neighbourhood_workers(network, shared, time.monotonic() + 1.2, stage, evolves=True)
    # Twelve items converge at once: each of the two workers restarts every RESTART_SECONDS.
    assert tally.population_restarts >= 2 * stage.workers and tally.neighbourhood_steps == 0
    shared = SharedBest(poor, value_of(network, poor, MAKESPAN), lower_bound=0)
    alone = _run_neighbourhood_workers(network, shared, time.monotonic() + 0.3, stage)
    assert alone.population_restarts == 0 and alone.neighbourhood_steps > 0


def test_a_closing_slice_that_proves_the_optimum_ends_the_populations_beside_it() -> None:
    problem = _chain_problem()
    network = build_network(problem)
    poor = _one_after_another(network)
    population, stage = _ready_population_and_stage(network, poor)
    shared = SharedBest(poor, value_of(network, poor, MAKESPAN), lower_bound=0)
    began = time.monotonic()
    closing = _close(network, stage, shared, began + 8.0, evolves=_populations_fit(stage, population))
    # One CP-SAT worker proves twelve items' optimum at once; the populations, unbounded by any
    # stall, would otherwise restart until the 8 s deadline.
    assert closing.status == "OPTIMAL" and shared.finished.is_set()
    assert time.monotonic() - began < 2.0
    assert shared.value == closing.bound == value_of(network, shared.starts, MAKESPAN)
    assert_schedule_valid(problem, result_of(problem, shared.starts))


def test_a_closing_slice_that_raises_ends_the_populations_beside_it_at_once() -> None:
    network = build_network(_chain_problem())
    poor = _one_after_another(network)
    population, stage = _ready_population_and_stage(network, poor)
    # A defect of ours in the slice: a previous plan naming an item the network does not have.
    broken = replace(stage, previous_plan={network.size + 5: 0})
    shared = SharedBest(poor, value_of(network, poor, MAKESPAN), lower_bound=0)
    began = time.monotonic()
    with pytest.raises(IndexError):
        _close(network, broken, shared, began + 8.0, evolves=_populations_fit(stage, population))
    # The populations beside it stopped with it, not at the 8 s deadline; nothing was proven.
    assert time.monotonic() - began < 2.0
    assert shared.stopped.is_set() and not shared.finished.is_set()
