"""The web process never imports the engine: OR-Tools, pandas and numba take seconds to load,
and only a worker that solves needs them. Checked in a fresh interpreter (a test process has
long since imported everything)."""

import json
import os
import subprocess
import sys

HEAVY = ("ortools", "pandas", "numba", "planner.engine")

LOAD_AND_REPORT = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # the whole URLconf, as the first request loads it
import {modules}
print(json.dumps(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def heavy_modules_after_importing(*modules: str) -> list[str]:
    code = LOAD_AND_REPORT.format(modules=", ".join(modules), heavy=HEAVY)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "procurement.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_urlconf_views_and_tasks_do_not_import_the_engine():
    loaded = heavy_modules_after_importing(
        "planner.views",
        "planner.chart_views",
        "planner.scenario_views",
        "planner.milestone_views",
        "planner.services",
        "planner.tasks",
    )
    assert loaded == []


def test_the_check_sees_the_engine_when_it_is_imported():
    """The solving path does load it, so an empty list above means something."""
    assert "ortools" in heavy_modules_after_importing("planner.problems")
