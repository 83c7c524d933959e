"""`make run` serves with `manage.py serve`: the web server and a worker, both stopped by one Ctrl-C."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
START_SECONDS = 60
STOP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Output:
    """A process's output, read as it comes (the worker logs to stderr)."""

    def __init__(self, stream):
        self.lines: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in iter(stream.readline, ""):
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)


def alive(pid: int) -> bool:
    """Whether any process of the group `pid` leads is left (runserver's child, celery's pool)."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def serve(tmp_path):
    """`manage.py serve` in an empty var/ of its own (its own SQLite file and file broker)."""
    port = free_port()
    environment = {**os.environ, "PHASEOUT_VAR_DIR": str(tmp_path)}
    for name in ("DATABASE_URL", "REDIS_URL"):  # the embedded defaults, as for a new user
        environment.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
        cwd=PROJECT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    output = Output(process.stdout)
    yield process, port, output
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until(condition, seconds: float, output: Output) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Not after {seconds} s. Output:\n{output.text()}")
        time.sleep(0.3)


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def started_pids(output: Output) -> dict[str, int]:
    return {name: int(pid) for name, pid in re.findall(r"serve: (\w+) started \(pid (\d+)\)", output.text())}


def test_ctrl_c_stops_the_web_server_and_the_worker(serve):
    process, port, output = serve
    wait_until(lambda: answers(port) and " ready." in output.text(), START_SECONDS, output)
    pids = started_pids(output)
    assert set(pids) == {"web", "worker"} and all(alive(pid) for pid in pids.values())

    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
    assert process.wait(timeout=STOP_SECONDS) == 0, output.text()
    wait_until(lambda: not any(alive(pid) for pid in pids.values()), 5, output)
    assert not answers(port)
    assert "serve: stopped" in output.text()
    assert "Warm shutdown" in output.text()  # asked to stop, not killed: it finishes the export it writes


def test_when_one_stops_the_other_is_stopped(serve):
    process, port, output = serve
    wait_until(lambda: answers(port) and " ready." in output.text(), START_SECONDS, output)
    pids = started_pids(output)
    os.killpg(pids["web"], signal.SIGKILL)  # the web server dies
    assert process.wait(timeout=STOP_SECONDS) != 0
    wait_until(lambda: not alive(pids["worker"]), 5, output)  # its pool may take a moment after it
    assert "serve: web stopped by itself" in output.text()
