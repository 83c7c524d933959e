"""PSPLIB benchmark: the engine against a plain CP-SAT model, in the same run.

    python -m bench.planner --set j30 --set j60 --time-limit 10 --workers 2

For each set it solves the chosen instances with both models and prints, per
model, how many reach the best-known makespan, the mean % above best-known
and above the critical path, the median and max seconds, and the ratios.
Each instance's figures go as JSON lines to --output for later study.
"""

import argparse
import csv
import json
import platform
import statistics
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from planner.engine.baseline import solve_plain
from planner.engine.kernels import load_kernels
from planner.engine.model import Result, SolveOptions
from planner.engine.psplib import psplib_directory, read_instance
from planner.engine.solve import solve

MODELS = ("engine", "baseline")


@dataclass(frozen=True)
class Bounds:
    critical_path: int
    lower_bound: int
    best_known: int


@dataclass(frozen=True)
class Run:
    instance: str
    model: str
    makespan: int | None
    status: str
    seconds: float
    bounds: Bounds

    @property
    def above_best_known(self) -> float:
        return 100.0 * ((self.makespan or 0) - self.bounds.best_known) / self.bounds.best_known

    @property
    def above_critical_path(self) -> float:
        return 100.0 * ((self.makespan or 0) - self.bounds.critical_path) / self.bounds.critical_path


def read_bounds(set_name: str) -> dict[str, Bounds]:
    path = psplib_directory() / set_name / f"{set_name}_bounds.csv"
    with path.open() as handle:
        return {
            row["instance"]: Bounds(int(row["cpm_lb"]), int(row["lb"]), int(row["ub"]))
            for row in csv.DictReader(handle)
        }


def chosen_instances(set_name: str, arguments: argparse.Namespace) -> list[Path]:
    """Instance files in PSPLIB order (group, then instance), sampled as asked."""
    files = sorted(
        (psplib_directory() / set_name).glob(f"{set_name}*_*.sm"),
        key=lambda path: tuple(int(part) for part in path.stem[len(set_name) :].split("_")),
    )
    if arguments.skip_trivial:
        files = [path for path in files if int(path.stem[len(set_name) :].split("_")[0]) % 4 != 0]
    files = files[arguments.offset :: arguments.every]
    return files[: arguments.limit] if arguments.limit else files


def run_instance(path: Path, model: str, arguments: argparse.Namespace, bounds: Bounds) -> Run:
    instance = read_instance(path)
    result: Result
    if model == "engine":
        options = SolveOptions(
            time_limit_seconds=arguments.time_limit, workers=arguments.workers, seed=0, objective="makespan"
        )
        result = solve(instance.problem, options)
    else:
        result = solve_plain(instance.problem, arguments.time_limit, arguments.workers)
    return Run(instance.name, model, result.makespan, result.status.value, result.seconds, bounds)


def summarise(runs: list[Run]) -> dict[str, float]:
    solved = [run for run in runs if run.makespan is not None]
    seconds = [run.seconds for run in runs]
    return {
        "instances": len(runs),
        "no_schedule": len(runs) - len(solved),
        "at_best_known": sum(1 for run in solved if run.makespan <= run.bounds.best_known),
        "proven_optimal": sum(1 for run in runs if run.status == "OPTIMAL"),
        "mean_pct_above_best_known": statistics.fmean(run.above_best_known for run in solved) if solved else 0.0,
        "mean_pct_above_critical_path": statistics.fmean(run.above_critical_path for run in solved) if solved else 0.0,
        "median_seconds": statistics.median(seconds) if seconds else 0.0,
        "max_seconds": max(seconds, default=0.0),
    }


def print_table(set_name: str, summaries: dict[str, dict[str, float]]) -> None:
    print(f"\n## {set_name}")
    print(
        "| model | instances | at best-known | proven optimal | mean % above best-known "
        "| mean % above critical path | median s | max s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for model, summary in summaries.items():
        print(
            f"| {model} | {summary['instances']} | {summary['at_best_known']} | {summary['proven_optimal']} "
            f"| {summary['mean_pct_above_best_known']:.3f} | {summary['mean_pct_above_critical_path']:.3f} "
            f"| {summary['median_seconds']:.3f} | {summary['max_seconds']:.3f} |"
        )
    if set(MODELS) <= summaries.keys():
        engine, baseline = summaries["engine"], summaries["baseline"]
        print(
            "\nratio baseline/engine: mean % above best-known "
            f"{_ratio(baseline['mean_pct_above_best_known'], engine['mean_pct_above_best_known'])}, "
            f"median seconds {_ratio(baseline['median_seconds'], engine['median_seconds'])}"
        )


def _ratio(numerator: float, denominator: float) -> str:
    return "inf (engine at 0)" if denominator == 0 else f"{numerator / denominator:.2f}"


def parse_arguments(arguments: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.planner", description=__doc__)
    parser.add_argument("--set", dest="sets", action="append", choices=["j30", "j60", "j90"], help="repeatable")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance and model")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="at most this many instances per set")
    parser.add_argument("--every", type=int, default=1, help="take every k-th instance")
    parser.add_argument("--offset", type=int, default=0, help="start the sample at this position")
    parser.add_argument("--skip-trivial", action="store_true", help="leave out resource strength 1.0 groups")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated: engine,baseline")
    parser.add_argument("--output", type=Path, help="append per-instance JSON lines here")
    return parser.parse_args(arguments)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    models = [model for model in arguments.models.split(",") if model]
    load_kernels()  # as a worker does when it starts: no instance pays for it in its time limit
    print(f"# PSPLIB benchmark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({platform.processor()})")
    print(f"command: python -m bench.planner {' '.join(sys.argv[1:] if argv is None else argv)}")
    for set_name in arguments.sets or ["j30", "j60"]:
        bounds = read_bounds(set_name)
        runs: dict[str, list[Run]] = {model: [] for model in models}
        for path in chosen_instances(set_name, arguments):
            for model in models:
                run = run_instance(path, model, arguments, bounds[path.stem])
                runs[model].append(run)
                _record(arguments.output, run)
        print_table(set_name, {model: summarise(model_runs) for model, model_runs in runs.items()})


def _record(output: Path | None, run: Run) -> None:
    if output is None:
        return
    with output.open("a") as handle:
        line = {
            "instance": run.instance,
            "model": run.model,
            "makespan": run.makespan,
            "best_known": run.bounds.best_known,
            "status": run.status,
            "seconds": round(run.seconds, 3),
        }
        handle.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
