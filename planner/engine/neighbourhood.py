"""Large-neighbourhood search on the makespan, between two slices of the full model.

Each step frees a neighbourhood of the best schedule (the items running in a
random time window, or a random set of items) and freezes the rest: frozen
items keep their order on every shared resource but may still shift left, so
the makespan can shrink. A single-worker CP-SAT solves the small remaining
problem quickly. The neighbourhood grows when steps are solved to proof
without gain and shrinks when they time out, as CP-SAT does internally.

With only two cores CP-SAT's own LNS gets few calls beside its full-problem
worker (one call took 2.6 s on a 60-job instance); steering it from here
gives it many short ones.
"""

import random
import threading
import time
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from planner.engine.cpsat import ModelDefect, Stage, StageOutcome, build_model, run_stage, schedule_end
from planner.engine.network import Network

STEP_SECONDS = 0.25
OPENING_SHARE = 0.2
"""Measured on hard j60 instances at 5 s: two neighbourhood searches beat the
full model beside one neighbourhood search by about 2 % of makespan; the full
model keeps a short first slice for its lower bound and the easy proofs."""
CLOSING_SHARE = 0.15
MINIMUM_CLOSING_SECONDS = 0.05
INITIAL_SHARE = 0.3
SMALLEST_SHARE = 0.05


@dataclass
class SharedBest:
    """The best schedule known to every search thread."""

    starts: list[int]
    makespan: int
    lower_bound: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    finished: threading.Event = field(default_factory=threading.Event)

    def offer(self, starts: list[int], makespan: int) -> bool:
        with self.lock:
            if makespan > self.makespan:
                return False
            self.starts, self.makespan = starts, makespan
            if self.makespan <= self.lower_bound:
                self.finished.set()
            return True

    def raise_bound(self, bound: int) -> None:
        with self.lock:
            self.lower_bound = max(self.lower_bound, bound)
            if self.makespan <= self.lower_bound:
                self.finished.set()


def search_neighbourhoods(network: Network, shared: SharedBest, deadline: float, seed: int) -> int:
    """Improve `shared` until the deadline or until it is proven optimal; returns steps run."""
    random_source = random.Random(seed)
    share = INITIAL_SHARE
    steps = 0
    while not shared.finished.is_set() and deadline - time.monotonic() > 0.02:
        with shared.lock:
            starts, makespan = list(shared.starts), shared.makespan
        free = _neighbourhood(network, starts, share, random_source)
        status, found = _solve_neighbourhood(network, starts, makespan, free, deadline, random_source)
        steps += 1
        if found is not None and schedule_end(network, found) < makespan:
            shared.offer(found, schedule_end(network, found))
        elif found is not None and found != starts:
            shared.offer(found, makespan)  # an equally short schedule: a move along the plateau
        share = _adapt(share, status)
    return steps


def _adapt(share: float, status: int) -> float:
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        return min(1.0, share * 1.15)
    return max(SMALLEST_SHARE, share * 0.9)


def _neighbourhood(network: Network, starts: list[int], share: float, random_source: random.Random) -> set[int]:
    size = max(2, round(share * network.size))
    if random_source.random() < 0.5:
        return set(random_source.sample(range(network.size), min(size, network.size)))
    return _time_window(network, starts, size, random_source)


def _time_window(network: Network, starts: list[int], size: int, random_source: random.Random) -> set[int]:
    """About `size` items whose runs are consecutive in time, from a random one on."""
    by_start = sorted(range(network.size), key=lambda item: starts[item])
    first = random_source.randrange(network.size)
    return set(by_start[first : first + size] or by_start[-size:])


def _solve_neighbourhood(
    network: Network,
    starts: list[int],
    makespan: int,
    free: set[int],
    deadline: float,
    random_source: random.Random,
) -> tuple[int, list[int] | None]:
    model = cp_model.CpModel()
    variables = build_model(model, network, makespan)
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
        users.sort(key=lambda item: starts[item])
        for position, later in enumerate(users):
            for earlier in users[:position]:
                finish = starts[earlier] + network.durations[earlier]
                if finish <= starts[later] <= finish + longest:
                    model.add(start_variables[later] >= start_variables[earlier] + network.durations[earlier])


def _frozen_users_by_resource(network: Network, free: set[int]) -> list[list[int]]:
    users: list[list[int]] = [[] for _ in network.resource_names]
    for item in range(network.size):
        if item not in free and network.durations[item] > 0:
            for resource, _ in network.demands[item]:
                users[resource].append(item)
    return users


def minimise_makespan_with_neighbourhoods(network: Network, stage: Stage) -> StageOutcome:
    """Full model, then neighbourhood search, then the full model again.

    The first slice gives the lower bound and proves the easy instances; the
    neighbourhood searches (one per worker) do most of the improving; the
    closing slice restarts the full model from their best schedule, whose
    makespan now cuts every start domain, to prove it or improve on it.
    """
    started = time.monotonic()
    deadline = started + stage.time_limit
    opening = run_stage(network, replace(stage, time_limit=stage.time_limit * OPENING_SHARE))
    if opening.status in ("OPTIMAL", "INFEASIBLE") or opening.starts is None:
        return opening
    shared = SharedBest(opening.starts, schedule_end(network, opening.starts), network.makespan_floor())
    shared.raise_bound(opening.bound)
    _run_neighbourhood_workers(network, shared, deadline - stage.time_limit * CLOSING_SHARE, stage)
    closing = _close(network, stage, shared, deadline)
    bound = max(shared.lower_bound, closing.bound)
    status = "OPTIMAL" if closing.status == "OPTIMAL" or shared.makespan <= bound else "FEASIBLE"
    return StageOutcome(status, shared.starts, bound, time.monotonic() - started)


def _run_neighbourhood_workers(network: Network, shared: SharedBest, until: float, stage: Stage) -> None:
    threads = [
        threading.Thread(target=search_neighbourhoods, args=(network, shared, until, stage.seed + worker))
        for worker in range(stage.workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _close(network: Network, stage: Stage, shared: SharedBest, deadline: float) -> StageOutcome:
    remaining = deadline - time.monotonic()
    if shared.finished.is_set() or remaining < MINIMUM_CLOSING_SECONDS:
        return StageOutcome("FEASIBLE", shared.starts, shared.lower_bound, 0.0)
    closing = run_stage(
        network, replace(stage, time_limit=remaining, makespan_cap=shared.makespan, hint=list(shared.starts))
    )
    if closing.starts is not None:
        shared.offer(closing.starts, schedule_end(network, closing.starts))
    return closing
