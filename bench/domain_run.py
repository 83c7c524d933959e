"""Scale benchmark on generated domain plans.

    python -m bench.domain_run --items 1000 --items 10000 --items 50000

Each size runs in its own process so its peak memory is its own. Per size it
measures the time to the first feasible schedule (the heuristic alone, a zero
time limit) and then a full solve at the size's limit: status, weighted
tardiness and makespan with their lower bounds and gaps, seconds, peak memory.
With `--solver-seeds K` the same plan is solved K times (solver seeds seed to seed + K - 1)
and the mean weighted tardiness is reported beside the first seed's figures.
The baseline in the same run is earliest-deadline-first serial list scheduling
(bench/edf.py), what a transition lead gets by hand: its weighted tardiness
and late items, and the engine's reduction of weighted tardiness against it.
"""

import argparse
import json
import resource
import subprocess
import sys
import time

from bench.domain import ITEMS_PER_AGENCY, generate
from bench.edf import earliest_deadline_first
from planner.engine.kernels import load_kernels
from planner.engine.model import SolveOptions
from planner.engine.solve import solve

DEFAULT_LIMITS = {1000: 10.0, 10000: 30.0, 50000: 120.0}


def measure(
    items: int, time_limit: float, workers: int, seed: int, items_per_agency: int, solver_seeds: int = 1
) -> dict[str, object]:
    load_kernels()  # as a worker does when it starts (planner/tasks.py), outside the time limit
    problem = generate(items, seed=seed, items_per_agency=items_per_agency)
    by_hand = earliest_deadline_first(problem)
    started = time.monotonic()
    first = solve(problem, SolveOptions(time_limit_seconds=0.0, workers=workers, seed=seed))
    first_seconds = time.monotonic() - started
    result = solve(problem, SolveOptions(time_limit_seconds=time_limit, workers=workers, seed=seed))
    # One seed's weighted tardiness varies by up to about 15 % either way on these plans: the mean
    # over several solver seeds (same plan) is what tells two versions of the engine apart.
    others = [
        solve(problem, SolveOptions(time_limit_seconds=time_limit, workers=workers, seed=seed + offset))
        for offset in range(1, solver_seeds)
    ]
    by_seed = [run.weighted_tardiness for run in (result, *others)]
    return {
        "items": len(problem.items),
        "parts": result.components,
        "first_feasible_seconds": round(first_seconds, 2),
        "first_weighted_tardiness": first.weighted_tardiness,
        "first_makespan": first.makespan,
        "time_limit": time_limit,
        "status": result.status.value,
        "seconds": round(result.seconds, 2),
        "weighted_tardiness": result.weighted_tardiness,
        "tardiness_lower_bound": result.tardiness_lower_bound,
        "late_items": len(result.late_reasons),
        "makespan": result.makespan,
        "makespan_lower_bound": result.makespan_lower_bound,
        "gap": None if result.gap is None else round(result.gap, 4),
        "makespan_gap": _gap(result.makespan, result.makespan_lower_bound),
        "edf_weighted_tardiness": by_hand.weighted_tardiness,
        "edf_late_items": by_hand.late_items,
        "edf_makespan": by_hand.makespan,
        "tardiness_reduction_vs_edf": _reduction(result.weighted_tardiness, by_hand.weighted_tardiness),
        "weighted_tardiness_by_solver_seed": by_seed,
        "mean_weighted_tardiness": None if None in by_seed else round(sum(by_seed) / len(by_seed), 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _reduction(value: int | None, baseline: int) -> float | None:
    return None if value is None or baseline == 0 else round(1 - value / baseline, 4)


def _gap(value: int | None, bound: int) -> float | None:
    return None if not value else round((value - bound) / value, 4)


def parse_arguments(arguments: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.domain_run", description=__doc__)
    parser.add_argument("--items", type=int, action="append", help="repeatable; default 1000, 10000, 50000")
    parser.add_argument("--time-limit", type=float, help="seconds; default 10/30/120 by size")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="the plan generator's seed and the first solver seed")
    parser.add_argument(
        "--solver-seeds", type=int, default=1, help="solve the same plan with this many solver seeds: seed, seed+1, ..."
    )
    parser.add_argument("--items-per-agency", type=int, default=ITEMS_PER_AGENCY)
    parser.add_argument("--in-process", action="store_true", help="measure here instead of in a child process")
    return parser.parse_args(arguments)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    for items in arguments.items or list(DEFAULT_LIMITS):
        limit = arguments.time_limit or DEFAULT_LIMITS.get(items, 30.0)
        if arguments.in_process:
            measured = measure(
                items, limit, arguments.workers, arguments.seed, arguments.items_per_agency, arguments.solver_seeds
            )
            print(json.dumps(measured), flush=True)
            continue
        command = [sys.executable, "-m", "bench.domain_run", "--in-process", "--items", str(items)]
        command += ["--time-limit", str(limit), "--workers", str(arguments.workers), "--seed", str(arguments.seed)]
        command += ["--items-per-agency", str(arguments.items_per_agency)]
        command += ["--solver-seeds", str(arguments.solver_seeds)]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
