"""Settings come from the environment; a bad value stops start-up naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("EMAIL_PORT", "twenty-five"),
        ("REDIS_URL", "http://localhost"),
        ("DATABASE_URL", "nosuch://x"),
        ("PLANNER_SOLVER_WORKERS", "0"),
        ("PLANNER_MAX_PART_TASKS", "eight"),
    ],
)
def test_bad_value_names_the_variable(variable, value):
    result = manage("check", **{variable: value})
    assert result.returncode != 0
    assert f"Environment variable {variable}=" in result.stderr


def test_production_requires_a_secret_key():
    result = manage("check", DJANGO_DEBUG="0")
    assert "SECRET_KEY is required when DJANGO_DEBUG=0" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        SECRET_KEY="x7-" + "k" * 60 + "-production-secret",
        ALLOWED_HOSTS="phaseout.example.gov",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
