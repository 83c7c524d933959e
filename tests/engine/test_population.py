"""The population search returns only schedules that keep every rule, and improves on its start."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engine.evaluation import score
from planner.engine.model import Problem, Resource, WorkItem
from planner.engine.network import build_network
from planner.engine.population import PopulationSearch
from planner.engine.psplib import psplib_directory, read_instance
from planner.engine.sgs import forward_schedule, makespan_of, peak_crossover, random_list, seed_random, sgs_arrays
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


def _six_items(predecessors_of_two: tuple[str, ...] = ()) -> Problem:
    """Six one-day items on a team of two; w2 may wait for others."""
    items = tuple(WorkItem(f"w{n}", 1, {"engineers": 1}, predecessors_of_two if n == 2 else ()) for n in range(6))
    return Problem(items, (Resource("engineers", 2),))


# The mother runs w0 alone on day 0, w1 alone on day 1, then w2 with w3 and w4 with w5: her
# busiest two days are days 2 and 3, so w2, w3, w4 and w5 pass on whole, in her order.
MOTHER = [0, 1, 2, 2, 3, 3]
FATHER = [3, 0, 5, 1, 4, 2]


@pytest.mark.parametrize(
    ("predecessors_of_two", "child"),
    [
        # The block goes where the father has its first item (w3, first), the rest in his order.
        ((), [2, 3, 4, 5, 0, 1]),
        # w2 must wait for w0, which the father places after the block: the rest of the block goes
        # first, w2 as soon as it may.
        (("w0",), [3, 4, 5, 0, 2, 1]),
    ],
)
def test_the_peak_crossover_passes_on_the_mothers_busiest_stretch_whole(
    predecessors_of_two: tuple[str, ...], child: list[int]
) -> None:
    arrays = sgs_arrays(build_network(_six_items(predecessors_of_two)))
    made = peak_crossover(arrays, np.array(MOTHER), np.array(FATHER), 2)
    assert made.tolist() == child


@SETTINGS
@given(problems(max_items=12), st.integers(0, 1000), st.integers(1, 40))
def test_the_peak_crossover_keeps_every_precedence(problem: Problem, seed: int, length: int) -> None:
    validate(problem)
    arrays = sgs_arrays(build_network(problem))
    seed_random(seed)
    mother = np.empty(len(problem.items), dtype=np.int64)
    if not forward_schedule(arrays, random_list(arrays, np.zeros(len(problem.items)), 5.0), mother):
        return  # nothing fits the default horizon: no mother to take a stretch from
    # A father who places late what the mother starts early, as far as precedence lets him: the
    # block's predecessors then come after the block's place in his list, the case to get right.
    father = random_list(arrays, -mother.astype(np.float64), 2.0)
    child = peak_crossover(arrays, mother, father, min(length, max(1, makespan_of(arrays, mother))))
    assert sorted(child.tolist()) == list(range(len(problem.items)))
    position = {item: index for index, item in enumerate(child.tolist())}
    by_id = {item.id: number for number, item in enumerate(problem.items)}
    for number, item in enumerate(problem.items):
        for predecessor in item.predecessors:
            assert position[by_id[predecessor]] < position[number]
