"""The benchmark commands run on a small sample, so they cannot rot."""

import json
import os

import pytest

from bench import domain_run, planner, sgs_speed
from planner.engine.psplib import psplib_directory

# Skipped on a machine without the PSPLIB data, but never in CI, where shared/ is always there.
needs_psplib = pytest.mark.skipif(
    not psplib_directory().is_dir() and not os.environ.get("CI"), reason="PSPLIB data not found (set PSPLIB_DIR)"
)


@needs_psplib
def test_psplib_benchmark_prints_both_models_and_their_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    planner.main(["--set", "j30", "--limit", "2", "--time-limit", "1", "--workers", "1"])
    output = capsys.readouterr().out
    assert "| engine | 2 |" in output
    assert "| baseline | 2 |" in output
    assert "ratio baseline/engine" in output


def test_domain_benchmark_reports_the_engine_against_earliest_deadline_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    domain_run.main(["--in-process", "--items", "300", "--time-limit", "2", "--workers", "1"])
    (measured,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert measured["items"] == 300
    assert measured["status"] in ("OPTIMAL", "FEASIBLE")
    assert measured["edf_weighted_tardiness"] >= 0
    assert measured["tardiness_lower_bound"] <= measured["weighted_tardiness"]
    assert measured["tardiness_lower_bound"] <= measured["edf_weighted_tardiness"]
    assert set(measured) >= {"edf_late_items", "tardiness_reduction_vs_edf", "late_items"}


def test_domain_benchmark_averages_over_solver_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    domain_run.main(["--in-process", "--items", "200", "--time-limit", "1", "--workers", "1", "--solver-seeds", "2"])
    (measured,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    first, second = measured["weighted_tardiness_by_solver_seed"]
    assert first == measured["weighted_tardiness"]
    assert measured["mean_weighted_tardiness"] == pytest.approx((first + second) / 2, abs=0.05)


def test_schedule_builder_speed_is_measured(capsys: pytest.CaptureFixture[str]) -> None:
    sgs_speed.main(["--seconds", "0.1"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["jobs"] == 120
    assert all(line["compiled_sgs_per_second"] > line["python_sgs_per_second"] for line in lines)
