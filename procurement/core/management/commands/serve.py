"""`manage.py serve [addrport]`: the development web server and a Celery worker, run and stopped together.

`make run` uses it, so large exports work without a second terminal: the worker (with
beat inside it, for the periodic clean-ups) uses the same settings, so the file broker
under var/ unless REDIS_URL is set. Ctrl-C or SIGTERM stops both; if one stops by
itself, the other is stopped too. Each runs in a session of its own, so that a signal
reaches it only once, from here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

STOP_SECONDS = 15  # a worker's warm shutdown lets the export it is writing finish


class Stop(Exception):
    """SIGTERM, handled like Ctrl-C."""


class Command(BaseCommand):
    help = "Runs the development web server and a Celery worker (with beat) until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="As for runserver.")

    def handle(self, *args, addrport: str, **options) -> None:
        processes = {name: self._start(command) for name, command in self._commands(addrport).items()}
        for name, process in processes.items():
            self.stdout.write(f"serve: {name} started (pid {process.pid})")
        signal.signal(signal.SIGTERM, self._raise_stop)
        stopped_by_itself = None
        try:
            while stopped_by_itself is None:
                time.sleep(0.5)
                stopped_by_itself = self._first_stopped(processes)
        except (KeyboardInterrupt, Stop):
            self.stdout.write("serve: stopping")
        finally:
            self._stop(processes)
        if stopped_by_itself:
            code = processes[stopped_by_itself].returncode
            self.stderr.write(f"serve: {stopped_by_itself} stopped by itself (exit status {code}); stopped the rest")
            sys.exit(code or 1)

    def _commands(self, addrport: str) -> dict[str, list[str]]:
        beat_schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        worker = ["-m", "celery", "-A", "procurement", "worker", "--beat", "--schedule", beat_schedule]
        return {
            "web": [sys.executable, "-m", "django", "runserver", addrport],
            "worker": [sys.executable, *worker, "--concurrency", "2", "--loglevel", "INFO"],
        }

    def _start(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True, env=self._environment())

    @staticmethod
    def _environment() -> dict[str, str]:
        """Reminder emails land in var/mail/ (one file each) unless EMAIL_BACKEND says otherwise."""
        environment = dict(os.environ)
        environment.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        return environment

    @staticmethod
    def _first_stopped(processes: dict[str, subprocess.Popen]) -> str | None:
        return next((name for name, process in processes.items() if process.poll() is not None), None)

    @staticmethod
    def _raise_stop(signum, frame) -> None:
        raise Stop

    def _stop(self, processes: dict[str, subprocess.Popen]) -> None:
        """SIGTERM to each (the worker finishes its task), then SIGKILL after STOP_SECONDS or a second Ctrl-C."""
        running = [process for process in processes.values() if process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        try:
            for process in running:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            for process in running:  # each leads its own process group: runserver's child, celery's pool
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.stdout.write("serve: stopped")
