"""Schedules per second of the schedule builders on a 120-job instance.

    python -m bench.sgs_speed --seconds 3

The instance is random in PSPLIB's shape (120 jobs, 4 resources, 1 to 3
predecessors each, durations 1 to 10, each resource used by half the jobs)
and fixed by --seed; a j90 instance from shared/ is measured too when found.
Measured, each for about --seconds: the compiled serial scheme (sgs.py) on
one activity list, the same kernel interpreted (numba's py_func, for the
ratio), the plain-Python scheme of heuristic.py, and the population search
(every child decoded and double-justified: three schedules per child).
"""

import argparse
import json
import random
import sys
import time
from collections.abc import Callable

import numpy as np

from planner.engine.heuristic import _forbidden, _Pass, schedule
from planner.engine.model import Problem, Resource, WorkItem
from planner.engine.network import Network, build_network
from planner.engine.population import PopulationSearch
from planner.engine.profile import CapacityProfile
from planner.engine.psplib import psplib_directory, read_instance
from planner.engine.sgs import forward_schedule, serial_schedule, sgs_arrays


def random_instance(jobs: int, seed: int) -> Problem:
    random_source = random.Random(seed)
    items = []
    for job in range(jobs):
        earlier = random_source.sample(range(job), min(job, random_source.randint(1, 3))) if job else []
        demands = {f"R{r}": random_source.randint(1, 10) for r in range(4) if random_source.random() < 0.5}
        items.append(WorkItem(str(job), random_source.randint(1, 10), demands, tuple(str(p) for p in earlier)))
    return Problem(tuple(items), tuple(Resource(f"R{r}", random_source.randint(10, 20)) for r in range(4)))


def rate(run: Callable[[], object], seconds: float) -> float:
    run()  # compiles, the first time
    count, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        run()
        count += 1
    return count / (time.monotonic() - started)


def measure(name: str, network: Network, seconds: float) -> dict[str, object]:
    arrays = sgs_arrays(network)
    order = np.array(network.order, dtype=np.int64)
    starts = np.zeros(network.size, dtype=np.int64)
    forward = _Pass(
        network.predecessors,
        network.releases,
        _forbidden(network, network.blocked_periods),
        CapacityProfile.from_steps(network.capacity_steps, network.horizon),
    )
    keys = [0.0] * network.size
    for position, item in enumerate(network.order):
        keys[item] = float(position)
    arguments = (
        order,
        arrays.durations,
        arrays.demands,
        arrays.predecessor_pointers,
        arrays.predecessor_items,
        arrays.releases,
        arrays.blocked_pointers,
        arrays.forbidden_first,
        arrays.forbidden_last,
    )
    population = PopulationSearch(network, "makespan")
    population.seed_population([])
    built_before, started = population.schedules_built, time.monotonic()
    population.evolve(seconds)
    return {
        "instance": name,
        "jobs": network.size,
        "compiled_sgs_per_second": round(rate(lambda: forward_schedule(arrays, order, starts), seconds)),
        "interpreted_kernel_per_second": round(
            rate(lambda: serial_schedule.py_func(*arguments, arrays.capacity.copy(), starts), seconds / 3), 1
        ),
        "python_sgs_per_second": round(rate(lambda: schedule(network, forward, keys), seconds / 3), 1),
        "population_schedules_per_second": round(
            (population.schedules_built - built_before) / (time.monotonic() - started)
        ),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sgs_speed", description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print(json.dumps(measure("random120", build_network(random_instance(120, arguments.seed)), arguments.seconds)))
    j90 = psplib_directory() / "j90" / "j9013_1.sm"
    if j90.exists():
        print(json.dumps(measure("j9013_1", build_network(read_instance(j90).problem), arguments.seconds)))


if __name__ == "__main__":
    main()
