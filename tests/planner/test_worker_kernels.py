"""A worker that takes plan runs loads the engine's compiled kernels as it starts; others do not.

Real Celery worker processes on the real broker. The engine's kernels themselves are checked
in a fresh interpreter, since this test process may have loaded them already.
"""

import os
import re
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from tests.core.test_exports_worker import PROJECT, Worker, running

KERNELS_READY = re.compile(r"engine kernels ready in ([0-9.]+) s")
LOAD_SECONDS = 120
"""The first load after an install compiles every kernel (about 15 s, longer under load)."""

KERNELS_LEFT_UNLOADED = """
from numba.core.registry import CPUDispatcher
import importlib, pkgutil, planner.engine
from planner.engine.kernels import load_kernels

modules = [importlib.import_module(f"planner.engine.{m.name}") for m in pkgutil.iter_modules(planner.engine.__path__)]
called_from_python = {  # kernels a module other than sgs.py imports; the rest run inside them
    name: kernel for module in modules if not module.__name__.endswith(".sgs")
    for name, kernel in vars(module).items() if isinstance(kernel, CPUDispatcher)
}
print(sorted(name for name, kernel in called_from_python.items() if not kernel.signatures))
load_kernels()
print(sorted(name for name, kernel in called_from_python.items() if not kernel.signatures))
"""


def test_load_kernels_readies_every_kernel_the_engine_calls() -> None:
    found = subprocess.run(
        [sys.executable, "-c", KERNELS_LEFT_UNLOADED], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    before, after = found.stdout.splitlines()
    assert "'urgency_moves'" in before and "'generations'" in before  # none is loaded at first
    assert after == "[]"


def test_only_a_worker_on_the_planner_queue_loads_the_kernels(tmp_path: Path) -> None:
    planner_queue = f"planner-kernels-{uuid.uuid4().hex[:12]}"
    with ExitStack() as stack:
        environment = {**os.environ, "PLANNER_CELERY_QUEUE": planner_queue}
        planner = Worker(queue=planner_queue, export_dir=tmp_path, log=tmp_path / "planner.log")
        other = Worker(queue=f"exports-{uuid.uuid4().hex[:12]}", export_dir=tmp_path, log=tmp_path / "other.log")
        stack.enter_context(running(planner, environment))
        stack.enter_context(running(other, environment))
        loaded = planner.wait_for(lambda: KERNELS_READY.search(planner.log_text()), LOAD_SECONDS)
        # Both are ready, so both have passed process start: give the other twice as long as
        # the planner's worker took (both load at once when the rule is broken) to show it does not.
        time.sleep(2 * float(loaded.group(1)) + 1.0)
        assert "engine kernels" not in other.log_text()
