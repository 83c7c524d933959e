"""The PSPLIB reader and command on shared instances, checked against j30opt.sm."""

import json
import os
from pathlib import Path

import pytest

from planner.engine.model import SolveOptions, Status
from planner.engine.network import build_network
from planner.engine.psplib import main, psplib_directory, read_instance, read_optimum_file
from planner.engine.solve import solve

J30 = psplib_directory() / "j30"
# Skipped on a machine without the data, but never in CI, where shared/ is always there.
pytestmark = pytest.mark.skipif(
    not J30.is_dir() and not os.environ.get("CI"), reason=f"PSPLIB data not found at {J30} (set PSPLIB_DIR)"
)


def test_reader_keeps_real_jobs_precedences_demands_and_capacities() -> None:
    instance = read_instance(J30 / "j301_1.sm")
    items = {item.id: item for item in instance.problem.items}
    assert instance.name == "j301_1"
    assert len(items) == 30 and "1" not in items and "32" not in items
    assert {resource.name: resource.capacity for resource in instance.problem.resources} == {
        "R1": 12,
        "R2": 13,
        "R3": 4,
        "R4": 12,
    }
    assert items["2"].duration == 8 and items["2"].demands == {"R1": 4}
    assert items["2"].predecessors == ()
    assert items["20"].predecessors == ("5", "11", "18")
    assert items["27"].demands == {"R4": 7}


def test_critical_path_matches_file() -> None:
    for name in ("j301_1", "j3010_5", "j3048_10"):
        instance = read_instance(J30 / f"{name}.sm")
        assert build_network(instance.problem).critical_path_bound() == instance.critical_path


@pytest.mark.parametrize("name", ["j301_1", "j301_2", "j3017_3", "j3037_5", "j3048_10"])
def test_solves_to_the_published_optimum(name: str) -> None:
    optimum = read_optimum_file(J30 / "j30opt.sm")[name]
    result = solve(read_instance(J30 / f"{name}.sm").problem, SolveOptions(time_limit_seconds=10, objective="makespan"))
    assert result.makespan == optimum
    assert result.status == Status.OPTIMAL
    assert result.lower_bound == optimum


def test_optimum_file_covers_all_480() -> None:
    optima = read_optimum_file(J30 / "j30opt.sm")
    assert len(optima) == 480
    assert optima["j301_1"] == 43


def test_command_prints_one_json_line_per_instance(capsys: pytest.CaptureFixture[str]) -> None:
    files = [J30 / "j301_1.sm", J30 / "j301_2.sm"]
    main(["--time-limit", "5", "--workers", "1", *map(str, files)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["instance"] for line in lines] == ["j301_1", "j301_2"]
    assert [line["makespan"] for line in lines] == [43, 47]
    assert all(line["status"] == "OPTIMAL" and line["lower_bound"] == line["makespan"] for line in lines)
    assert set(lines[0]) == {"instance", "makespan", "lower_bound", "status", "seconds"}


def test_directory_is_overridable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PSPLIB_DIR", str(tmp_path))
    assert psplib_directory() == tmp_path
