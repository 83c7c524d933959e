"""Large-neighbourhood search on the makespan or the weighted tardiness, between slices of the full model.

Each step frees a neighbourhood of the best schedule and freezes the rest.
For the makespan, frozen items keep their order on every shared resource but
may still shift left, so the makespan can shrink; for weighted tardiness they
stay where they are and only the free items are modelled (submodel.py), which
keeps steps short on plans of thousands of items. A single-worker CP-SAT
solves the small remaining problem quickly. The neighbourhood grows when steps are solved to
proof without gain and shrinks when they time out, as CP-SAT does internally.

Four kinds of neighbourhood, chosen at random in proportion to how often
each has recently improved the schedule (an adaptive roulette): a random set
of items; a time window (items running one after another); a resource
conflict (items on one resource around a time where it is full); a
precedence block (an item with its predecessors and successors, outwards).

With only two cores CP-SAT's own LNS gets few calls beside its full-problem
worker (one call took 2.6 s on a 60-job instance); steering it from here
gives it many short ones.
"""

import bisect
import itertools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from planner.engine.cpsat import (
    MAKESPAN,
    ModelDefect,
    Stage,
    StageOutcome,
    build_model,
    run_stage,
    schedule_end,
)
from planner.engine.network import Network
from planner.engine.population import EvolvingBeside, PopulationSearch
from planner.engine.submodel import solve_among_fixed

STEP_SECONDS = 0.25
OPENING_SHARE = 0.2
"""Measured on hard j60 instances at 5 s: two neighbourhood searches beat the
full model beside one neighbourhood search by about 2 % of makespan; the full
model keeps a short first slice for its lower bound and the easy proofs."""
POPULATION_SHARE = 0.5
"""Of the opening slice, how long the population search runs beside the full model: on
90-job instances it stops improving after about 0.3 s, and the full model then gets
both cores back for its proofs (j901_1 went unproven with the population beside it throughout)."""
TARDINESS_OPENING_SHARE = 0.1
"""On 1,000-item plans the full tardiness model found nothing in its first second: its slice is short."""
CLOSING_SHARE = 0.15
MINIMUM_CLOSING_SECONDS = 0.05
INITIAL_SHARE = 0.3
SMALLEST_SHARE = 0.05
INITIAL_TARDINESS_ITEMS = 40
"""Tardiness steps start from about this many free items (a few systems' chains), whatever the plan's size."""
SMALLEST_TARDINESS_ITEMS = 8
RESTART_SECONDS = 0.5
"""A population whose best has not improved for this long starts again (see evolve_with_restarts)."""
RESTART_STEP_SECONDS = 0.1
DEADLINE_MARGIN_SECONDS = 0.02
"""No search starts another step or generation this close to its deadline."""
STALL_SHARE = 0.15
"""Of a makespan stage's time: neighbourhood steps that improved nothing for this long give the
rest of the stage to the full model, which proves or improves what the steps cannot reach (on
j3013_5 they stayed at 68 for 6 s where the full model finds 67 and proves it)."""


@dataclass
class SharedBest:
    """The best schedule known to every search thread, and its value for the goal being minimised."""

    starts: list[int]
    value: int
    lower_bound: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    finished: threading.Event = field(default_factory=threading.Event)
    """Set when the best is proven optimal."""
    stopped: threading.Event = field(default_factory=threading.Event)
    """Set when the searches should end: the best is proven optimal, or the search they run beside ended."""
    improved_at: float = field(default_factory=time.monotonic)

    def offer(self, starts: list[int], value: int) -> bool:
        with self.lock:
            if value > self.value:
                return False
            if value < self.value:
                self.improved_at = time.monotonic()
            self.starts, self.value = starts, value
            self._finish_if_proven()
            return True

    def worth_searching(self, until: float, stall_seconds: float) -> bool:
        """Whether a search goes on: not proven optimal, time left, and improved within `stall_seconds`."""
        now = time.monotonic()
        return (
            not self.stopped.is_set()
            and until - now > DEADLINE_MARGIN_SECONDS
            and now - self.improved_at <= stall_seconds
        )

    def raise_bound(self, bound: int) -> None:
        with self.lock:
            self.lower_bound = max(self.lower_bound, bound)
            self._finish_if_proven()

    def stop(self) -> None:
        self.stopped.set()

    def _finish_if_proven(self) -> None:
        if self.value <= self.lower_bound:
            self.finished.set()
            self.stopped.set()


NEIGHBOURHOOD_KINDS = ("random", "time window", "resource conflict", "precedence block")
REWARD_MEMORY = 0.8
SMALLEST_WEIGHT = 0.05


def value_of(network: Network, starts: list[int], goal: str) -> int:
    if goal == MAKESPAN:
        return schedule_end(network, starts)
    return sum(
        network.weights[item] * max(0, start + network.durations[item] - deadline)
        for item, (start, deadline) in enumerate(zip(starts, network.deadlines, strict=True))
        if deadline is not None
    )


def search_neighbourhoods(
    network: Network,
    shared: SharedBest,
    deadline: float,
    seed: int,
    goal: str = MAKESPAN,
    stall_seconds: float = float("inf"),
) -> int:
    """Improve `shared` until the deadline, until it is proven optimal or until no step has
    improved it for `stall_seconds`; returns steps run."""
    random_source = random.Random(seed)
    share = INITIAL_SHARE if goal == MAKESPAN else min(INITIAL_SHARE, INITIAL_TARDINESS_ITEMS / network.size)
    smallest = SMALLEST_SHARE if goal == MAKESPAN else min(SMALLEST_SHARE, SMALLEST_TARDINESS_ITEMS / network.size)
    weights = dict.fromkeys(NEIGHBOURHOOD_KINDS, 1.0)
    steps = 0
    while shared.worth_searching(deadline, stall_seconds):
        with shared.lock:
            starts, value = list(shared.starts), shared.value
        kind = random_source.choices(NEIGHBOURHOOD_KINDS, [weights[kind] for kind in NEIGHBOURHOOD_KINDS])[0]
        free = _neighbourhood(network, starts, share, kind, random_source)
        if goal == MAKESPAN:
            status, found = _solve_neighbourhood(network, starts, value, free, deadline, random_source)
        else:
            step = max(0.01, min(STEP_SECONDS, deadline - time.monotonic()))
            status, found = solve_among_fixed(network, starts, free, step, random_source.randrange(1 << 30))
        steps += 1
        reward = 0.0
        if found is not None and value_of(network, found, goal) < value:
            shared.offer(found, value_of(network, found, goal))
            reward = 1.0
        elif found is not None and found != starts:
            shared.offer(found, value)  # an equally good schedule: a move along the plateau
            reward = 0.1
        weights[kind] = max(SMALLEST_WEIGHT, REWARD_MEMORY * weights[kind] + (1 - REWARD_MEMORY) * reward)
        share = _adapt(share, status, smallest)
    return steps


def evolve_with_restarts(network: Network, shared: SharedBest, until: float, seed: int) -> int:
    """Evolve fresh populations one after another, each until its best stops improving; returns restarts.

    An activity-list population converges within a second on 90-job instances (j9013_1 sat
    at 144 from 1.2 s to 8.7 s), so a new one starts after RESTART_SECONDS without gain.
    Each population's best is offered to the other searches, but none starts from the
    shared best: one that held it gathered around it within a few generations, and its
    restarts found what the last one had (on 30 hard j90 instances the engine ended 71
    units above best-known with the shared best in each population, 64 without; the same
    on 30 others, 78 before this change, 64 after). `seed` starts this search's own
    stream of population seeds, so two searches given different seeds never repeat a population.
    """
    population_seeds = random.Random(seed)
    restarts = 0
    # No stall rule: restarts improve the shared best only now and then (see _run_neighbourhood_workers).
    while shared.worth_searching(until, float("inf")):
        population = PopulationSearch(network, MAKESPAN, seed=population_seeds.randrange(1 << 30))
        _evolve_until_converged(population, shared, until)
        best = population.best()
        if best is not None:
            shared.offer(best.starts, value_of(network, best.starts, MAKESPAN))
        restarts += 1
    return restarts


def _evolve_until_converged(population: PopulationSearch, shared: SharedBest, until: float) -> None:
    """Evolve until the population's best stops improving, the deadline comes or `shared` is stopped."""
    best, improved_at = None, time.monotonic()
    while (
        time.monotonic() - improved_at < RESTART_SECONDS
        and until - time.monotonic() > DEADLINE_MARGIN_SECONDS
        and not shared.stopped.is_set()
    ):
        population.evolve(min(RESTART_STEP_SECONDS, until - time.monotonic()))
        found = population.best()
        if found is not None and (best is None or found.fitness < best):
            best, improved_at = found.fitness, time.monotonic()


def _adapt(share: float, status: int, smallest: float) -> float:
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        return min(1.0, share * 1.15)
    return max(smallest, share * 0.9)


def _neighbourhood(
    network: Network, starts: list[int], share: float, kind: str, random_source: random.Random
) -> set[int]:
    size = min(network.size, max(2, round(share * network.size)))
    if kind == "time window":
        return _time_window(network, starts, size, random_source)
    if kind == "resource conflict":
        return _resource_conflict(network, starts, size, random_source)
    if kind == "precedence block":
        return _precedence_block(network, size, random_source)
    return set(random_source.sample(range(network.size), size))


def _time_window(network: Network, starts: list[int], size: int, random_source: random.Random) -> set[int]:
    """About `size` items whose runs are consecutive in time, from a random one on."""
    by_start = sorted(range(network.size), key=lambda item: starts[item])
    first = random_source.randrange(network.size)
    return set(by_start[first : first + size] or by_start[-size:])


def _resource_conflict(network: Network, starts: list[int], size: int, random_source: random.Random) -> set[int]:
    """The `size` users of one resource running closest to a random time: the items contending for it."""
    resources = [resource for resource in range(len(network.resource_names))]
    if not resources:
        return _time_window(network, starts, size, random_source)
    resource = random_source.choice(resources)
    users = [item for item in range(network.size) if any(used == resource for used, _ in network.demands[item])]
    if len(users) < 2:
        return _time_window(network, starts, size, random_source)
    moment = starts[random_source.choice(users)]
    users.sort(key=lambda item: abs(starts[item] - moment))
    return set(users[:size])


def _precedence_block(network: Network, size: int, random_source: random.Random) -> set[int]:
    """A random item with its predecessors and successors, breadth first until `size` items."""
    first = random_source.randrange(network.size)
    block = {first}
    frontier = [first]
    while frontier and len(block) < size:
        item = frontier.pop(0)
        for neighbour in network.predecessors[item] + network.successors[item]:
            if neighbour not in block and len(block) < size:
                block.add(neighbour)
                frontier.append(neighbour)
    if len(block) < size:  # a short chain: fill with random items so the step is worth solving
        block.update(random_source.sample(range(network.size), size - len(block)))
    return block


def _solve_neighbourhood(
    network: Network,
    starts: list[int],
    value: int,
    free: set[int],
    deadline: float,
    random_source: random.Random,
) -> tuple[int, list[int] | None]:
    """The makespan step: frozen items keep their order on each resource but may shift left."""
    model = cp_model.CpModel()
    variables = build_model(model, network, value)
    if variables is None:
        return cp_model.INFEASIBLE, None
    _freeze_order(model, network, starts, free, variables.starts)
    model.minimize(variables.makespan)
    for item, start in enumerate(starts):
        model.add_hint(variables.starts[item], start)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.01, min(STEP_SECONDS, deadline - time.monotonic()))
    solver.parameters.random_seed = random_source.randrange(1 << 30)
    # Cuts pay off on the full problem, not on small neighbourhoods solved many times.
    solver.parameters.linearization_level = 0
    status = solver.solve(model)
    if status == cp_model.MODEL_INVALID:
        raise ModelDefect(f"CP-SAT rejected a neighbourhood model: {solver.solution_info()}")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None
    return status, [int(solver.value(start)) for start in variables.starts]


def _freeze_order(
    model: cp_model.CpModel, network: Network, starts: list[int], free: set[int], start_variables: list
) -> None:
    """Frozen items keep, on each resource, the order they have in `starts`.

    Only pairs close in time are linked: that keeps the model small, and
    every pair left out only widens the search.
    """
    longest = max(network.durations, default=0)
    for users in _frozen_users_by_resource(network, free):
        for earlier, later in _order_links(network, starts, users):
            if starts[later] <= starts[earlier] + network.durations[earlier] + longest:
                model.add(start_variables[later] >= start_variables[earlier] + network.durations[earlier])


def _order_links(network: Network, starts: list[int], users: list[int]) -> list[tuple[int, int]]:
    """The pairs of one resource's users (earlier, later) where `earlier` finishes by the time `later`
    starts and no third user runs wholly between them: the resource's order follows from these links.

    Linking every such pair instead gave 2,300 constraints a step on a 90-job instance, and the
    step's time went on writing and presolving them.
    """
    by_finish = sorted(users, key=lambda item: starts[item] + network.durations[item])
    finishes = [starts[item] + network.durations[item] for item in by_finish]
    last_starts = list(itertools.accumulate((starts[item] for item in by_finish), max))
    links = []
    for later in users:
        finished = bisect.bisect_right(finishes, starts[later])  # by_finish[:finished] end by its start
        if finished:
            first_kept = bisect.bisect_right(finishes, last_starts[finished - 1], hi=finished)
            links.extend((earlier, later) for earlier in by_finish[first_kept:finished])
    return links


def _frozen_users_by_resource(network: Network, free: set[int]) -> list[list[int]]:
    users: list[list[int]] = [[] for _ in network.resource_names]
    for item in range(network.size):
        if item not in free and network.durations[item] > 0:
            for resource, _ in network.demands[item]:
                users[resource].append(item)
    return users


def minimise_with_neighbourhoods(
    network: Network, stage: Stage, floor: int, population: PopulationSearch | None = None
) -> StageOutcome:
    """Full model beside the population search, then neighbourhood search, then the full model again.

    The first slice gives the lower bound and proves the easy instances while
    the population search, on the other core, finds a better start. Then one
    search per worker improves the schedule. On the makespan with a population
    every worker evolves restarted populations (these made every improvement
    traced on 36 instances of 60 and 90 jobs) until the closing slice; otherwise
    each takes neighbourhood steps (the tardiness stage's search) until none has
    improved it for STALL_SHARE of the stage. The closing slice restarts the
    full model from their best schedule, whose value now caps the goal, to
    prove it or improve on it; on the makespan the populations go on evolving
    on one of its workers. `floor` is a lower bound on the goal known beforehand.
    """
    started = time.monotonic()
    deadline = started + stage.time_limit
    opening = _opening(network, stage, population)
    # On large plans the short opening slice may find nothing: the search starts from the hint.
    start = opening.starts or stage.hint
    if opening.status in ("OPTIMAL", "INFEASIBLE") or start is None:
        return opening
    shared = SharedBest(list(start), value_of(network, start, stage.goal), floor)
    shared.raise_bound(opening.bound)
    evolved = None if population is None else population.best()
    if evolved is not None and value_of(network, evolved.starts, stage.goal) < shared.value:
        shared.offer(evolved.starts, value_of(network, evolved.starts, stage.goal))
    evolves = _populations_fit(stage, population)
    _run_neighbourhood_workers(network, shared, deadline - stage.time_limit * CLOSING_SHARE, stage, evolves)
    closing = _close(network, stage, shared, deadline, evolves)
    bound = max(shared.lower_bound, closing.bound)
    status = "OPTIMAL" if closing.status == "OPTIMAL" or shared.value <= bound else "FEASIBLE"
    return StageOutcome(status, shared.starts, bound, time.monotonic() - started)


def _opening(network: Network, stage: Stage, population: PopulationSearch | None) -> StageOutcome:
    share = OPENING_SHARE if stage.goal == MAKESPAN else TARDINESS_OPENING_SHARE
    opening_stage = replace(stage, time_limit=stage.time_limit * share)
    if population is None:
        return run_stage(network, opening_stage)
    with EvolvingBeside(population, opening_stage.time_limit * POPULATION_SHARE):
        return run_stage(network, opening_stage)


@dataclass(frozen=True)
class WorkerTally:
    """What the searches between the full model's slices did."""

    neighbourhood_steps: int
    population_restarts: int


def _populations_fit(stage: Stage, population: PopulationSearch | None) -> bool:
    """Whether the workers evolve populations: on the makespan, with a population that was ready
    in time (not abandoned while its kernels loaded), and a second worker, which the closing
    slice keeps for the full model."""
    return stage.goal == MAKESPAN and population is not None and not population.abandoned and stage.workers > 1


def _run_neighbourhood_workers(
    network: Network, shared: SharedBest, until: float, stage: Stage, evolves: bool = False
) -> WorkerTally:
    """One search per worker until `until`: restarted populations when `evolves`, else neighbourhood steps.

    Populations run without the stall rule: their restarts improve the shared best only now
    and then, and on 30 hard j90 instances stopping them after STALL_SHARE of the stage
    without gain ended 82 units above best-known against 71 when they ran on.
    """
    with ThreadPoolExecutor(max_workers=stage.workers) as pool:
        if evolves:
            restarts = [
                pool.submit(evolve_with_restarts, network, shared, until, stage.seed + worker)
                for worker in range(stage.workers)
            ]
            return WorkerTally(0, sum(search.result() for search in restarts))
        # The full tardiness model found nothing in a second on 1,000-item plans: its steps never stall out.
        stall = stage.time_limit * STALL_SHARE if stage.goal == MAKESPAN else float("inf")
        steps = [
            pool.submit(search_neighbourhoods, network, shared, until, stage.seed + worker, stage.goal, stall)
            for worker in range(stage.workers)
        ]
        return WorkerTally(sum(step.result() for step in steps), 0)


def _close(network: Network, stage: Stage, shared: SharedBest, deadline: float, evolves: bool) -> StageOutcome:
    """The full model until the deadline, capped at the shared best; when `evolves`, on one worker
    fewer, populations evolving on the other until the slice ends, however it ends (a proof, the
    deadline, or an exception, which then reaches the caller without waiting for the deadline)."""
    remaining = deadline - time.monotonic()
    if shared.finished.is_set() or remaining < MINIMUM_CLOSING_SECONDS:
        return StageOutcome("FEASIBLE", shared.starts, shared.lower_bound, 0.0)
    if stage.goal == MAKESPAN:
        capped = replace(stage, makespan_cap=shared.value)
    else:
        capped = replace(stage, tardiness_cap=shared.value)
    closing_stage = replace(capped, time_limit=remaining, hint=list(shared.starts))
    if not evolves:
        closing = _close_with(network, closing_stage, shared)
    else:
        # Measured on 36 instances each of j60 and j90 (every 10th outside the trivial groups):
        # 7 and 22 units above best-known against 10 and 26 with both workers on the full
        # model, and as many proofs (29 and 27).
        with ThreadPoolExecutor(max_workers=1) as pool:
            # A seed no worker before had, so these populations are new ones.
            seed = stage.seed + stage.workers
            evolving = pool.submit(evolve_with_restarts, network, shared, deadline, seed)
            try:
                closing = _close_with(network, replace(closing_stage, workers=stage.workers - 1), shared)
            finally:
                shared.stop()  # the populations end with the slice, however it ended (even by raising)
            evolving.result()
    return closing


def _close_with(network: Network, closing_stage: Stage, shared: SharedBest) -> StageOutcome:
    closing = run_stage(network, closing_stage)
    if closing.starts is not None:
        shared.offer(closing.starts, value_of(network, closing.starts, closing_stage.goal))
    if closing.status == "OPTIMAL":
        shared.raise_bound(closing.bound)  # ends the populations beside it
    return closing
