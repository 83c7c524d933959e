"""Real Celery worker processes on the real broker (Redis with REDIS_URL, else the file broker).

A worker killed with SIGKILL in the middle of a batch, then restarted: every digest is
delivered, no reminder row is duplicated, and the only duplicate email is the one that
was in flight, with the same Message-ID, its digest flagged in doubt.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from procurement.reminders import services, tasks
from procurement.reminders.enums import DigestStatus
from procurement.reminders.models import Digest, Reminder
from tests.core.test_exports_worker import test_database_url
from tests.factories import UserFactory
from tests.reminders.factories import MilestoneFactory
from tests.reminders.smtp_sink import SinkServer

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 2
RECIPIENTS = 20
PER_TASK = 4
WAIT_SECONDS = 90


class Processes:
    """Celery processes of one test, on a queue of its own, stopped at the end."""

    def __init__(self, folder: Path, environment: dict[str, str]) -> None:
        self.folder, self.environment = folder, environment
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, *arguments: str) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        command = [sys.executable, "-m", "celery", "-A", "procurement", *arguments, "--loglevel", "INFO"]
        process = subprocess.Popen([*command, "--logfile", str(log)], cwd=PROJECT, env=self.environment)
        process.log = log
        self.running.append(process)
        return process

    def worker(self, name: str) -> subprocess.Popen:
        process = self.start(
            name,
            "worker",
            "--queues",
            self.environment["REMINDER_CELERY_QUEUE"],
            "--pool",
            "solo",
            "--hostname",
            f"{name}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        )
        wait_for(lambda: " ready." in log_text(process), 180, process)  # a loaded machine starts slowly
        return process

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def log_text(process) -> str:
    return process.log.read_text() if process.log.exists() else ""


def wait_for(condition, seconds: float, *processes):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    logs = "\n".join(f"--- {process.log.name}\n{log_text(process)[-3000:]}" for process in processes)
    pytest.fail(f"Nothing after {seconds} s.\n{logs}")


@pytest.fixture
def smtp():
    with SinkServer() as server:
        yield server


@pytest.fixture
def celery_processes(settings, smtp, tmp_path, django_db_blocker):
    queue = f"reminders-test-{uuid.uuid4().hex[:12]}"
    settings.REMINDER_CELERY_QUEUE = queue
    settings.REMINDER_DIGESTS_PER_TASK = PER_TASK
    settings.REMINDER_SENDING_LEASE_SECONDS = LEASE_SECONDS
    with django_db_blocker.unblock():
        database_url = test_database_url()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "REMINDER_CELERY_QUEUE": queue,
        "REMINDER_DIGESTS_PER_TASK": str(PER_TASK),
        "REMINDER_SENDING_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    processes = Processes(tmp_path, environment)
    try:
        yield processes
    finally:
        processes.stop_all()


def owed_digests(component_a, directive, enqueue: bool = True) -> list[int]:
    """RECIPIENTS owners, each with a milestone due tomorrow: one digest each, enqueued as the sweep does."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for number in range(RECIPIENTS):
        owner = UserFactory(username=f"owner{number}")
        MilestoneFactory(agency=component_a, directive=directive, owner=owner, due_on=tomorrow)
    result = services.reminders_sweep(timezone.now())
    assert len(result.digest_ids) == RECIPIENTS
    if enqueue:
        tasks.digests_enqueue(result.digest_ids)  # no transaction open: queued at once
    return result.digest_ids


def all_sent() -> bool:
    return Digest.objects.exclude(status=DigestStatus.SENT).count() == 0


def recover_after_the_lease() -> None:
    """What beat's next sweep does: lost sends become in doubt, lost tasks are queued again."""
    time.sleep(LEASE_SECONDS + 0.5)
    result = services.reminders_sweep(timezone.now())
    tasks.digests_enqueue(result.digest_ids)


def assert_delivered_once_but_in_flight(smtp) -> None:
    digests = {digest.message_id: digest for digest in Digest.objects.all()}
    received = Counter(smtp.sink.message_ids())
    assert set(received) == set(digests), "every digest delivered, and nothing else"
    duplicated = {message_id for message_id, count in received.items() if count > 1}
    assert all(received[message_id] == 2 for message_id in duplicated)
    assert duplicated <= {message_id for message_id, digest in digests.items() if digest.was_in_doubt}
    assert Reminder.objects.count() == RECIPIENTS
    assert Reminder.objects.values("milestone", "recipient_key", "kind").distinct().count() == RECIPIENTS


@pytest.mark.parametrize("moment", ["after_the_server_accepted", "anywhere_in_the_batch"])
def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_only_what_was_in_flight(
    celery_processes, smtp, component_a, directive, moment
):
    worker = celery_processes.worker("first")
    killed = threading.Event()

    def kill(accepted: int) -> None:
        if accepted != 2 * PER_TASK - 1 or killed.is_set():  # the 3rd message of the 2nd batch
            return
        if moment == "after_the_server_accepted":
            os.kill(worker.pid, signal.SIGKILL)  # before our 250 reaches it: accepted, never recorded
        else:
            threading.Timer(0.05, os.kill, (worker.pid, signal.SIGKILL)).start()
        killed.set()

    smtp.sink.on_accept = kill
    owed_digests(component_a, directive)
    wait_for(killed.is_set, WAIT_SECONDS, worker)
    worker.wait(timeout=10)
    assert worker.returncode == -signal.SIGKILL
    assert not all_sent()

    restarted = celery_processes.worker("restarted")
    recover_after_the_lease()
    wait_for(all_sent, WAIT_SECONDS, restarted)

    assert_delivered_once_but_in_flight(smtp)
    if moment == "after_the_server_accepted":
        # The batch was claimed in one statement, so its digests not yet tried are flagged in doubt
        # too; only the one the server took is sent twice.
        (repeated,) = [message_id for message_id, count in Counter(smtp.sink.message_ids()).items() if count == 2]
        assert Digest.objects.get(message_id=repeated).was_in_doubt
        assert 1 <= Digest.objects.filter(was_in_doubt=True).count() <= PER_TASK
        assert len(smtp.sink.message_ids()) == RECIPIENTS + 1


def test_two_workers_and_two_beats_send_each_digest_once(celery_processes, smtp, component_a, directive, tmp_path):
    celery_processes.environment.update({"REMINDER_SWEEP_SECONDS": "2", "REMINDER_BEAT_LEASE_SECONDS": "3"})
    workers = [celery_processes.worker(name) for name in ("one", "two")]
    beats = [
        celery_processes.start(f"beat-{name}", "beat", "--schedule", str(tmp_path / f"beat-{name}"))
        for name in ("one", "two")
    ]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for number in range(RECIPIENTS):
        owner = UserFactory(username=f"owner{number}")
        MilestoneFactory(agency=component_a, directive=directive, owner=owner, due_on=tomorrow)

    wait_for(lambda: len(smtp.sink.message_ids()) >= RECIPIENTS and all_sent(), WAIT_SECONDS, *workers, *beats)
    time.sleep(4)  # several more sweeps by whichever beat holds the lease
    received = Counter(smtp.sink.message_ids())
    assert len(received) == RECIPIENTS and set(received.values()) == {1}
    assert Reminder.objects.count() == RECIPIENTS
    sending = [beat for beat in beats if "Sending due task sweep-reminders" in log_text(beat)]
    assert len(sending) == 1, "only the beat holding the lease sends the schedule"


def send_batch(digest_ids: list[int], task_id: str) -> None:
    """One digests_send task for the whole batch, as the sweep queues it (or as the broker redelivers it)."""
    current_app.send_task(
        tasks.SEND_TASK, args=[digest_ids], task_id=task_id, queue=django_settings.REMINDER_CELERY_QUEUE
    )


def test_two_workers_given_the_same_batch_send_each_digest_once(celery_processes, smtp, component_a, directive):
    workers = [celery_processes.worker(name) for name in ("one", "two")]
    digest_ids = owed_digests(component_a, directive, enqueue=False)
    for copy in range(4):  # the same batch four times over: both workers claim from it at once
        send_batch(digest_ids, f"same-batch-{copy}-{uuid.uuid4().hex}")

    wait_for(all_sent, WAIT_SECONDS, *workers)
    wait_for(lambda: sum(log_text(worker).count(" succeeded in ") for worker in workers) == 4, WAIT_SECONDS, *workers)
    received = Counter(smtp.sink.message_ids())
    assert len(received) == RECIPIENTS and set(received.values()) == {1}
    assert all(log_text(worker).count(" succeeded in ") for worker in workers), "both workers took a copy"


def test_a_redelivered_batch_sends_nothing_again(celery_processes, smtp, component_a, directive):
    worker = celery_processes.worker("only")
    digest_ids = owed_digests(component_a, directive, enqueue=False)
    send_batch(digest_ids, "first-delivery")
    wait_for(all_sent, WAIT_SECONDS, worker)
    assert len(smtp.sink.message_ids()) == RECIPIENTS

    send_batch(digest_ids, "redelivered")  # acks_late: the broker may hand a finished task over again
    wait_for(lambda: "redelivered] succeeded" in log_text(worker), WAIT_SECONDS, worker)
    assert "'sent': 0" in log_text(worker).split("redelivered] succeeded")[1].splitlines()[0]
    assert len(smtp.sink.message_ids()) == RECIPIENTS
    assert set(Digest.objects.values_list("attempts", flat=True)) == {1}


def test_two_claims_of_one_batch_at_the_same_moment_share_no_digest(component_a, directive):
    digest_ids = owed_digests(component_a, directive, enqueue=False)
    start = threading.Barrier(2)
    claimed: list[set[int]] = []

    def claim() -> None:
        start.wait()
        try:
            claimed.append({claim.digest_id for claim in services.digests_claim(digest_ids, timezone.now())})
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 2 and not claimed[0] & claimed[1]
    assert claimed[0] | claimed[1] == set(digest_ids)
    assert Digest.objects.filter(status=DigestStatus.SENDING, attempts=1).count() == RECIPIENTS
