"""The population search returns only schedules that keep every rule, and improves on its start."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engine.evaluation import score
from planner.engine.model import Problem, Resource, WorkItem
from planner.engine.network import build_network
from planner.engine.population import PopulationSearch
from planner.engine.psplib import psplib_directory, read_instance
from planner.engine.validation import validate
from tests.engine.checks import assert_schedule_valid, recomputed_lateness, result_of
from tests.engine.strategies import problems

# Skipped on a machine without the PSPLIB data, but never in CI, where shared/ is always there.
needs_psplib = pytest.mark.skipif(
    not psplib_directory().is_dir() and not os.environ.get("CI"), reason="PSPLIB data not found (set PSPLIB_DIR)"
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems(max_items=12), st.sampled_from(["makespan", "tardiness_then_makespan"]), st.integers(0, 3))
def test_every_schedule_in_the_population_keeps_every_rule(problem: Problem, objective: str, seed: int) -> None:
    validate(problem)
    network = build_network(problem)
    population = PopulationSearch(network, objective, seed=seed, size=8)
    population.seed_population([])
    population.evolve(0.0, max_generations=5)
    best = population.best()
    assert best is not None  # the default horizon always leaves room
    for starts in population.elite(8):
        result = result_of(problem, starts)
        assert_schedule_valid(problem, result)
    # Fitness is what the schedule really scores: weighted tardiness against every deadline, then makespan.
    found = score(network, best.starts, objective)
    lateness = recomputed_lateness(problem, result_of(problem, best.starts))
    weights = {item.id: item.weight for item in problem.items}
    if objective == "makespan" or not network.has_deadlines():
        assert best.fitness == found.makespan
    else:
        assert found.weighted_tardiness == sum(weights[item_id] * late for item_id, late in lateness.items())
        assert best.fitness == found.weighted_tardiness * (network.horizon + 1) + found.makespan


@SETTINGS
@given(problems(max_items=10))
def test_a_hard_horizon_is_kept_or_nothing_is_returned(problem: Problem) -> None:
    validate(problem)
    tight = Problem(problem.items, problem.resources, horizon=build_network(problem).critical_path_bound())
    network = build_network(tight)
    population = PopulationSearch(network, "makespan", size=6)
    population.seed_population([])
    population.evolve(0.0, max_generations=3)
    for starts in population.elite(6):
        assert_schedule_valid(tight, result_of(tight, starts))


def test_injected_schedule_is_kept_and_never_worsened() -> None:
    items = tuple(WorkItem(f"w{n}", 1 + n % 3, {"engineers": 1}, deadline=4, weight=1 + n % 2) for n in range(6))
    problem = Problem(items, (Resource("engineers", 2),))
    network = build_network(problem)
    good = [0, 0, 1, 2, 3, 4]  # a valid plan: at most two engineers busy at once
    assert_schedule_valid(problem, result_of(problem, good))
    population = PopulationSearch(network, "tardiness_then_makespan", size=4)
    population.seed_population([good])
    population.evolve(0.0, max_generations=10)
    assert score(network, population.best().starts, "tardiness_then_makespan") <= score(
        network, good, "tardiness_then_makespan"
    )


@needs_psplib
def test_beats_its_random_start_on_a_90_job_instance() -> None:
    network = build_network(read_instance(psplib_directory() / "j90" / "j9013_1.sm").problem)
    population = PopulationSearch(network, "makespan", seed=1)
    population.seed_population([])
    first = population.best().fitness
    population.evolve(0.0, max_generations=30)
    assert population.best().fitness < first
    assert population.best().schedules_built > 30 * 40
