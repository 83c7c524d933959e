"""Population search: an activity-list genetic algorithm with forward-backward improvement.

Hartmann's (1998) activity-list GA (two-point crossover that keeps lists
precedence-feasible, adjacent-swap mutation, survival of the best of parents
and children). Half the children come instead from a peak crossover after
Valls, Ballestín and Quintanilla (2008), which passes on whole the stretch
where a parent packs its resources best (sgs.peak_crossover). Every child is
improved by double justification (Valls, Ballestín and Quintanilla 2005):
right-justify, then left-justify in the order of the right-justified starts,
kept when it is no worse. Each improved child's list is re-read from its
schedule (by start), as Debels and Vanhoucke's scatter search does, so the
population holds the justified orders.

The generations run compiled and without the GIL (sgs.py); the driver gives
them a clock from Python, a few generations per call. Fitness is the
makespan, or weighted tardiness first and then makespan.
"""

import threading
import time
from dataclasses import dataclass

import numpy as np

from planner.engine.model import Objective
from planner.engine.network import Network
from planner.engine.sgs import (
    INFEASIBLE,
    INT,
    SgsArrays,
    generations,
    improved_schedule,
    order_by_start,
    random_population,
    seed_random,
    sgs_arrays,
)

POPULATION = 200
MUTATION_RATE = 0.1
"""Measured with restarted populations alone on nine hard 90-job instances (2 threads, 10 s), as the
sum of makespans above best-known: 40 lists at a rate of 0.05 gave 41; 100 lists 37; a rate of 0.15
34; 100 lists at 0.15 29; 200 lists at 0.1 or 0.15 25; 400 lists at 0.15 29; 200 at 0.2 30. A small
population suits a budget of a few thousand schedules; the compiled scheme builds tens of thousands a
second, and a small one converged before its restarts could help."""
GENERATIONS_PER_CALL = 4
STEP_SECONDS = 0.05
JOIN_SECONDS = 0.2


@dataclass(frozen=True)
class PopulationResult:
    starts: list[int]
    fitness: int
    schedules_built: int
    generations: int


class PopulationSearch:
    """A population of activity lists for one network, evolved on demand.

    Creating it and injecting schedules (the heuristic's best, another
    search's schedule) call no compiled code: the first call of a process
    loads numba's kernels, which took 8 s on a loaded machine, and that cost
    belongs in the thread beside CP-SAT, not before it. Injected schedules
    join when the population is next filled or evolved.
    """

    def __init__(self, network: Network, objective: Objective, seed: int = 0, size: int = POPULATION) -> None:
        self.arrays: SgsArrays = sgs_arrays(network)
        self.tardiness_first = objective != "makespan" and network.has_deadlines()
        self.size = size
        self.generations = 0
        self.schedules_built = 0
        self.seed = seed
        self.pending: list[list[int]] = []
        self.random_seeded = False
        self.abandoned = False
        self.lists = np.empty((0, network.size), dtype=INT)
        self.fitness = np.empty(0, dtype=INT)
        self.starts = np.empty((0, network.size), dtype=INT)
        self.priority = _latest_starts(network).astype(np.float64)
        self.spread = float(max(1.0, np.mean(self.arrays.durations) if network.size else 1.0))

    def seed_population(self, starting_schedules: list[list[int]]) -> None:
        """Fill the population: the given and injected schedules, then biased random lists around latest starts."""
        if not self.random_seeded:
            seed_random(self.seed)
            self.random_seeded = True
        self.pending.extend(starting_schedules)
        while self.pending:
            self._absorb(self.pending.pop(0))
        missing = self.size - len(self.fitness)
        if missing > 0:
            lists, starts, fitness = random_population(
                self.arrays, self.priority, self.spread, missing, self.tardiness_first
            )
            self.schedules_built += 3 * missing
            self._merge(lists, starts, fitness)

    def inject(self, starts: list[int]) -> None:
        """Add a schedule found elsewhere (justified first, when the population is next filled)."""
        self.pending.append(list(starts))

    def _absorb(self, starts: list[int]) -> None:
        given = np.array(starts, dtype=INT)
        order = order_by_start(self.arrays, given)
        improved, fitness = improved_schedule(self.arrays, order, self.tardiness_first)
        self.schedules_built += 3
        if fitness == INFEASIBLE:
            return
        self._merge(order_by_start(self.arrays, improved)[None, :], improved[None, :], np.array([fitness]))

    def evolve(self, seconds: float, max_generations: int | None = None) -> None:
        """Run generations until `seconds` pass (or `max_generations`, for a deterministic run).

        A population not yet full is filled first, so that cost falls in the caller's thread.
        """
        if len(self.fitness) < self.size or self.pending:
            self.seed_population([])
        if len(self.fitness) < 2:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline or max_generations is not None:
            if max_generations is not None and max_generations <= 0:
                break
            calls = GENERATIONS_PER_CALL if max_generations is None else min(GENERATIONS_PER_CALL, max_generations)
            built = generations(
                self.arrays, self.lists, self.starts, self.fitness, calls, MUTATION_RATE, self.tardiness_first
            )
            self.schedules_built += built
            self.generations += calls
            if max_generations is not None:
                max_generations -= calls

    def best(self) -> PopulationResult | None:
        if self.abandoned or not len(self.fitness) or self.fitness[0] == INFEASIBLE:
            return None
        return PopulationResult(
            [int(start) for start in self.starts[0]], int(self.fitness[0]), self.schedules_built, self.generations
        )

    def elite(self, count: int) -> list[list[int]]:
        """The `count` best distinct schedules, best first; never one that did not fit the horizon."""
        feasible = self.starts[self.fitness != INFEASIBLE]
        return [[int(start) for start in row] for row in feasible[:count]]

    def _merge(self, lists: np.ndarray, starts: np.ndarray, fitness: np.ndarray) -> None:
        self.lists, self.starts, self.fitness = _survivors(
            np.concatenate((self.lists, lists)),
            np.concatenate((self.starts, starts)),
            np.concatenate((self.fitness, fitness)),
            self.size,
        )


def _latest_starts(network: Network) -> np.ndarray:
    """Latest start against the horizon and every downstream deadline: the LFT rule, due-date aware."""
    latest = np.array([network.horizon - tail for tail in network.tails], dtype=np.float64)
    for item in reversed(network.order):
        deadline = network.deadlines[item]
        if deadline is not None:
            latest[item] = min(latest[item], deadline - network.durations[item])
        for successor in network.successors[item]:
            latest[item] = min(latest[item], latest[successor] - network.durations[item])
    return latest


def _survivors(
    lists: np.ndarray, starts: np.ndarray, fitness: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best `size`, best first, one copy of each schedule."""
    order = np.argsort(fitness, kind="mergesort")
    _, first = np.unique(starts[order], axis=0, return_index=True)
    kept = order[np.sort(first)][:size]
    return lists[kept], starts[kept], fitness[kept]


class EvolvingBeside:
    """Evolve a population in a thread while the caller runs something else (CP-SAT).

        with EvolvingBeside(population, seconds):
            outcome = run_stage(...)

    The thread stops when the block ends or `seconds` pass, whichever is first;
    the compiled generations hold no GIL, so both really run at once.
    """

    def __init__(self, population: PopulationSearch, seconds: float) -> None:
        self.population = population
        self.seconds = seconds
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PopulationSearch:
        self.thread.start()
        return self.population

    def __exit__(self, *exception: object) -> None:
        self.stop.set()
        self.thread.join(JOIN_SECONDS)
        if self.thread.is_alive():
            # Still loading the kernels or filling a large population: the caller goes on
            # without it rather than wait, and never reads it while the thread writes.
            self.population.abandoned = True

    def _run(self) -> None:
        seed_random(self.population.seed + self.population.generations)  # numba's random state is per thread
        deadline = time.monotonic() + self.seconds
        while not self.stop.is_set() and time.monotonic() < deadline:
            self.population.evolve(min(STEP_SECONDS, deadline - time.monotonic()))
