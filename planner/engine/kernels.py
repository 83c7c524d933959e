"""Load every compiled kernel before a solve needs it.

numba compiles a kernel on its first call in a process: after an install
that takes 15 to 35 s, and later each process still loads the cached
machine code on first call (about 1.2 s for all of them, measured on a slow
machine). A solve that pays for either inside its time limit has that much
less time to search: compiling inside it, the first 10 s plan of a fresh
install on the 1,000-item benchmark plan took 14 to 15 s and ended at
weighted tardiness 1,192, against about 710 with the kernels loaded first
(docs/benchmarks.md). Running a
tiny plan through every compiled path at install (`make install` and the
image build run this module) and when a worker process starts takes that
cost out of the plans.

    python -m planner.engine.kernels
"""

import time

from planner.engine.model import Problem, Resource, WorkItem
from planner.engine.network import Network, build_network
from planner.engine.population import PopulationSearch
from planner.engine.stability import steadier_schedule
from planner.engine.urgency_search import ROUNDS, search_urgencies

URGENCY_MOVES = 2 * ROUNDS
"""The urgency search splits its moves over its rounds: at least one each, so the moves run."""


def load_kernels() -> float:
    """Compile (first time after an install) or load every kernel; the seconds it took."""
    started = time.monotonic()
    network = _tiny_network()
    starts = search_urgencies(network, 0.0, seed=0, moves=URGENCY_MOVES)
    if starts is None:
        raise AssertionError("the tiny plan has deadlines, so the urgency search answers")
    for objective in ("tardiness_then_makespan", "makespan"):
        population = PopulationSearch(network, objective, size=4)
        population.inject(starts)
        population.evolve(0.0, max_generations=1)
    everything_at_once = {item: 0 for item in range(network.size)}  # clashes: items get re-placed
    steadier_schedule(network, starts, everything_at_once, float("inf"))
    return time.monotonic() - started


def _tiny_network() -> Network:
    """Two systems of two steps on two teams, with deadlines and a freeze: every kind of input."""
    items = []
    for system in ("payroll", "chatbot"):
        build = WorkItem(f"{system}-build", 2, {"engineers": 1})
        attest = WorkItem(f"{system}-attest", 1, {"assessors": 1}, (build.id,), deadline=3, weight=2)
        items += [build, attest]
    resources = (Resource("engineers", 1, ((1, 0), (2, 1))), Resource("assessors", 1))
    return build_network(Problem(tuple(items), resources))


if __name__ == "__main__":
    print(f"engine kernels ready in {load_kernels():.1f} s")
