"""Read PSPLIB single-mode `.sm` instances and solve them from the command line.

    python -m planner.engine.psplib --time-limit 10 --workers 2 FILE...

prints one JSON line per instance.
"""

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from planner.engine.kernels import load_kernels
from planner.engine.model import Problem, Resource, SolveOptions, WorkItem
from planner.engine.solve import solve

# shared/ lies beside the checkout: <repo>/planner/engine/psplib.py → <repo>/../shared.
DEFAULT_DIRECTORY = Path(__file__).resolve().parents[3] / "shared" / "psplib"


@dataclass(frozen=True)
class PsplibInstance:
    name: str
    problem: Problem
    critical_path: int


def psplib_directory() -> Path:
    """Where the PSPLIB data lives: $PSPLIB_DIR, else ../shared/psplib beside the repo."""
    return Path(os.environ.get("PSPLIB_DIR", DEFAULT_DIRECTORY))


def read_instance(path: Path) -> PsplibInstance:
    """Parse one `.sm` file; the dummy source and sink jobs are dropped."""
    blocks = _blocks(path.read_text())
    successors = _successors(blocks["PRECEDENCE RELATIONS:"])
    durations, requests = _requests(blocks["REQUESTS/DURATIONS:"])
    capacities = _capacities(blocks["RESOURCEAVAILABILITIES:"])
    dummies = {min(durations), max(durations)}
    predecessors: dict[int, list[int]] = {job: [] for job in durations}
    for job, job_successors in successors.items():
        for successor in job_successors:
            predecessors[successor].append(job)
    resources = tuple(Resource(f"R{number + 1}", capacity) for number, capacity in enumerate(capacities))
    items = tuple(
        WorkItem(
            id=str(job),
            duration=durations[job],
            demands={f"R{number + 1}": amount for number, amount in enumerate(requests[job]) if amount},
            predecessors=tuple(str(p) for p in predecessors[job] if p not in dummies),
        )
        for job in sorted(durations)
        if job not in dummies
    )
    return PsplibInstance(path.stem, Problem(items, resources), _critical_path(blocks["PROJECT INFORMATION:"]))


def _blocks(text: str) -> dict[str, list[str]]:
    """The data rows of each titled section, keyed by the title line."""
    blocks: dict[str, list[str]] = {}
    for section in text.split("*" * 72):
        lines = [line.strip() for line in section.strip().splitlines() if line.strip()]
        if lines and lines[0].endswith(":") and lines[0].isupper():
            blocks[lines[0]] = lines[2:]
    return blocks


def _successors(rows: list[str]) -> dict[int, list[int]]:
    successors = {}
    for row in rows:
        numbers = [int(value) for value in row.split()]
        successors[numbers[0]] = numbers[3 : 3 + numbers[2]]
    return successors


def _requests(rows: list[str]) -> tuple[dict[int, int], dict[int, list[int]]]:
    durations, requests = {}, {}
    for row in rows:
        if row.startswith("-"):
            continue
        numbers = [int(value) for value in row.split()]
        durations[numbers[0]] = numbers[2]
        requests[numbers[0]] = numbers[3:]
    return durations, requests


def _capacities(rows: list[str]) -> list[int]:
    return [int(value) for value in rows[-1].split()]


def _critical_path(rows: list[str]) -> int:
    return int(rows[-1].split()[5])


def read_optimum_file(path: Path, prefix: str = "j30") -> dict[str, int]:
    """Instance name -> makespan from `j30opt.sm` or `j60hrs.sm`."""
    values = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0].isdigit() and fields[1].isdigit() and fields[2].isdigit():
            values[f"{prefix}{fields[0]}_{fields[1]}"] = int(fields[2])
    return values


def _parse_arguments(arguments: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m planner.engine.psplib", description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("files", nargs="+", type=Path)
    return parser.parse_args(arguments)


def main(arguments: list[str] | None = None) -> None:
    options = _parse_arguments(sys.argv[1:] if arguments is None else arguments)
    load_kernels()  # before the first instance's clock starts
    solve_options = SolveOptions(
        time_limit_seconds=options.time_limit, workers=options.workers, seed=options.seed, objective="makespan"
    )
    for path in options.files:
        instance = read_instance(path)
        result = solve(instance.problem, solve_options)
        line = {
            "instance": instance.name,
            "makespan": result.makespan,
            "lower_bound": result.lower_bound,
            "status": result.status.value,
            "seconds": round(result.seconds, 3),
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
