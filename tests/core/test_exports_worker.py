"""A real Celery worker process writes a large export, on the real broker, from the test database.

The broker is whatever the settings give (Redis with REDIS_URL, the file broker under
var/ without); the worker listens on a queue of its own, so another worker on the same
broker cannot take these jobs, and this one takes no one else's.
"""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from procurement.core.models import ExportJob
from tests.core.test_exports import SYSTEM_LIST, make_systems, numbers_as_numbers, screen, xlsx_rows

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
JOB_SECONDS = 60


@dataclass
class Worker:
    queue: str
    export_dir: Path
    log: Path
    process: subprocess.Popen | None = None

    def wait_for(self, condition, seconds: float):
        """`condition()`'s first true result, polled; fails with the worker's log if none comes."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"The worker stopped ({self.process.returncode}):\n{self.log_text()}")
            result = condition()
            if result:
                return result
            time.sleep(0.2)
        pytest.fail(f"Nothing after {seconds} s. Worker log:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


@contextmanager
def running(worker: Worker, environment: dict[str, str]):
    """The worker's process started on its queue (solo pool, logging to its log) and ready; stopped after."""
    command = [sys.executable, "-m", "celery", "-A", "procurement", "worker", "--queues", worker.queue]
    command += ["--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    worker.process = subprocess.Popen(
        [*command, "--loglevel", "INFO", "--logfile", str(worker.log)], cwd=PROJECT, env=environment
    )
    try:
        worker.wait_for(lambda: " ready." in worker.log_text(), STARTUP_SECONDS)
        yield worker
    finally:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()


def test_database_url() -> str:
    """The test database as a DATABASE_URL, for a process that is not this one."""
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(database['NAME']).resolve()}"
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    return f"postgres://{credentials}@{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/{database['NAME']}"


test_database_url.__test__ = False  # a helper, whatever its name says


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("worker")
    found = Worker(queue=f"exports-test-{uuid.uuid4().hex[:12]}", export_dir=folder / "exports", log=folder / "log")
    with django_db_blocker.unblock():
        environment = {**os.environ, "DATABASE_URL": test_database_url(), "PHASEOUT_EXPORT_DIR": str(found.export_dir)}
    with running(found, environment):
        yield found


@pytest.fixture
def export_worker(settings, worker) -> Worker:
    """The worker, with this process queueing to it and reading its files; 50 rows fit a request."""
    settings.EXPORT_CELERY_QUEUE = worker.queue
    settings.EXPORT_DIR = worker.export_dir
    settings.EXPORT_XLSX_IN_REQUEST_MAX_ROWS = 50
    return worker


def finished_progress(client, job_id, worker: Worker) -> str:
    """Polls the page's progress fragment as htmx does, until it says the job is finished."""
    url = reverse("core:export-progress", args=[job_id])

    def poll():
        response = client.get(url)
        return response.content.decode() if response.status_code == 286 else None

    return worker.wait_for(poll, JOB_SECONDS)


def test_the_worker_writes_what_the_screen_shows(client, alice, component_a, directive, system_b, export_worker):
    make_systems(120, component_a, directive, hidden=system_b)
    client.force_login(alice)
    params = {"columns": ["name", "fisma_id", "status", "days_left", "depends_on", "contacts"], "sort": "-fisma_id"}
    response = client.get(reverse(SYSTEM_LIST), {**params, "export": "xlsx"})
    job = ExportJob.objects.get()
    assert response.url == job.get_absolute_url()

    assert "120 rows written." in finished_progress(client, job.pk, export_worker)
    download = client.get(reverse("core:export-download", args=[job.pk]))
    assert download.status_code == 200
    headers, expected = screen(client, SYSTEM_LIST, params)
    assert xlsx_rows(b"".join(download.streaming_content)) == (headers, numbers_as_numbers(expected))
    assert [path.name for path in export_worker.export_dir.iterdir()] == [f"{job.pk}.xlsx"]


def test_a_job_the_worker_may_not_write_fails_with_a_message(client, alice, component_a, directive, export_worker):
    make_systems(60, component_a, directive)
    client.force_login(alice)
    client.get(reverse(SYSTEM_LIST), {"export": "xlsx"})
    job = ExportJob.objects.get()
    alice.is_active = False  # before the worker gets to the job: she must not get a file
    alice.save()
    export_worker.wait_for(lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.FAILED, JOB_SECONDS)
    job.refresh_from_db()
    assert job.message == "Your account is no longer active."
    assert not any(export_worker.export_dir.glob(f"{job.pk}*"))


def test_the_broker_is_the_configured_one():
    """Redis when REDIS_URL is set, otherwise the file broker under var/: what `make run` uses."""
    from procurement.celery import app

    expected = "redis" if os.environ.get("REDIS_URL") else "filesystem"
    assert app.conf.broker_url.startswith(expected)
    assert app.conf.broker_url == django_settings.CELERY_BROKER_URL
