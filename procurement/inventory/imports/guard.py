"""Run a parser in a child process that cannot take more than a budget of CPU, memory and time.

The readers check every known way a small file can be expensive before parsing it, but
parsers (python-calamine, the csv module) are large and the next trick is unknown. So the
parse runs in a forked child with RLIMIT_CPU and RLIMIT_AS set, under a wall-clock timeout:
whatever the file does, the web worker waits at most a few seconds and its own memory does
not grow. Fork, not spawn: the child starts at once with the code already imported (about
10 ms), and the gunicorn sync worker that forks it handles one request at a time.

The child sends back the function's result, or the exception it raised, through a pipe,
and exits with os._exit (multiprocessing does that), so it never closes the parent's
database connections or runs its exit handlers. Forking a threaded server (runserver,
gunicorn's gthread workers) is safe enough here: the child only parses and answers, and
should it ever wait on a lock another thread held at the fork, the wall-clock limit ends it.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import resource
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

_CONTEXT = multiprocessing.get_context("fork")
# Time for a child that has sent its answer to exit before it is killed.
_EXIT_GRACE_SECONDS = 1.0


@dataclass(frozen=True)
class Budget:
    """What one parse may use: CPU seconds, extra address space (bytes) and wall-clock seconds."""

    cpu_seconds: int
    memory_bytes: int
    wall_seconds: float


class GuardError(Exception):
    """The child did not answer within its budget."""


class TooSlow(GuardError):
    """Out of CPU time or wall-clock time."""


class TooHungry(GuardError):
    """Out of memory: a MemoryError, or a native allocation that failed and aborted the child."""


class Crashed(GuardError):
    """The child died without an answer for another reason."""


def run_limited(budget: Budget, function: Callable[..., T], *args) -> T:
    """function(*args) in a limited child; its exceptions are raised here, its limits as GuardError."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child_main, args=(sender, budget, function, args), daemon=True)
    child.start()
    sender.close()
    try:
        outcome = _receive(receiver, budget.wall_seconds)
    except TooSlow:
        child.kill()
        raise
    finally:
        receiver.close()
        _reap(child)
    if outcome is None:
        raise _death_cause(child.exitcode)
    status, value = outcome
    if status == "returned":
        return value
    if status == "raised":
        raise value
    if status == "memory":
        raise TooHungry("The parser ran out of memory.")
    raise Crashed(value)


def _receive(receiver, timeout: float) -> tuple[str, object] | None:
    """The child's answer, or None if it died first; TooSlow once the wall-clock time is up."""
    if not receiver.poll(timeout):
        raise TooSlow("The parser did not answer in time.")
    try:
        return receiver.recv()
    except EOFError:
        return None


def _reap(child) -> None:
    child.join(_EXIT_GRACE_SECONDS)
    if child.is_alive():
        child.kill()
        child.join()


def _death_cause(exitcode: int | None) -> GuardError:
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        return TooSlow("The parser ran out of CPU time.")
    if exitcode == -signal.SIGABRT:
        # A Rust or C allocation refused by RLIMIT_AS aborts the process.
        return TooHungry("The parser's memory allocation failed.")
    return Crashed(f"The parser stopped with exit code {exitcode}.")


def _child_main(sender, budget: Budget, function: Callable, args: tuple) -> None:
    _apply_limits(budget)
    try:
        outcome = ("returned", function(*args))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as error:  # the parent raises it
        outcome = ("raised", error)
    except BaseException as error:  # a Rust panic (pyo3's PanicException) cannot be pickled
        outcome = ("crashed", f"{type(error).__name__}: {error}")
    _send(sender, outcome)


def _send(sender, outcome: tuple[str, object]) -> None:
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", None))
    except Exception as error:  # an exception or result that does not pickle
        sender.send(("crashed", f"The parser's answer could not be sent back: {error}"))
    finally:
        sender.close()


def _apply_limits(budget: Budget) -> None:
    """CPU seconds from now (a forked child starts at zero) and address space on top of what it inherited."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (budget.cpu_seconds, budget.cpu_seconds + 1))
    inherited = _address_space_bytes()
    if inherited is not None:
        limit = inherited + budget.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # An abort is an expected answer here (a refused allocation); its stack traces would only fill the log.
    os.environ["RUST_BACKTRACE"] = "0"
    faulthandler.disable()


def _address_space_bytes() -> int | None:
    """The process's virtual size (Linux); elsewhere the memory limit is not applied."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        return None
