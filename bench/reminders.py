"""Reminder benchmark: a sweep over 100,000 open milestones, its re-run, and digests/s to an SMTP sink.

    DATABASE_URL=postgres://... REDIS_URL=redis://.../n python -m bench.reminders [--milestones 100000]
        [--digests 2000] [--workers 1,2] [--sink smtp-sink,aiosmtpd]

Uses the database DATABASE_URL names (migrated, emptied of milestones first: point it at a
throwaway one). The digests the sweep made are sent by real Celery worker processes (on
REDIS_URL's broker, a queue of their own) to a local SMTP sink, once per sink in `--sink`
and worker count in `--workers`: the same digests each time, set back to pending in between.
The sink is Postfix's `smtp-sink` (C, one process, each message dumped to a file) when it is
installed, else aiosmtpd in this process (the tests' sink), which costs more CPU a message
than a worker spends making it; the bench prints which it used, and checks that the
Message-IDs the sink took are those of the digests marked sent, each once.
The workers run with production settings (DEBUG off). The rate counts from the first
task queued to the last digest marked sent, printed with the CPU time per digest of the
workers and of this process (the sink and the wait), as every process shares the
machine's cores; the load average is printed with each
figure, as the machine is shared. The tables are analysed after they are filled, as
PostgreSQL's autovacuum would (it is off on the benchmark machine, and without
statistics the sweep took 21 s instead of 4.6). Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from email.parser import BytesHeaderParser
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from planner.models import Milestone  # noqa: E402
from procurement.inventory.models import Agency, Directive, User  # noqa: E402
from procurement.reminders import services, tasks  # noqa: E402
from procurement.reminders.enums import DigestStatus, ReminderStatus  # noqa: E402
from procurement.reminders.models import Digest, Reminder  # noqa: E402
from tests.reminders.smtp_sink import SinkServer, free_port  # noqa: E402

KINDS = ["phase_identify", "phase_plan", "status_report"]


def populate(count: int) -> None:
    # TRUNCATE, not delete(): deleting writes a history row per milestone (15 minutes at 100,000).
    with connection.cursor() as cursor:
        tables = ", ".join(model._meta.db_table for model in (Reminder, Digest, Milestone))
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    directive = Directive.objects.first() or Directive.objects.create(
        title="Bench", short_name="BENCH", issuing_authority="OMB", issued_on=datetime.date(2026, 2, 27)
    )
    agencies = list(Agency.objects.all()[:200])
    for number in range(len(agencies), 200):
        agencies.append(
            Agency.objects.create(name=f"Bench agency {number}", abbreviation=f"BA{number}", agency_type="civilian")
        )
    owners = list(User.objects.filter(username__startswith="bench-owner"))
    if len(owners) < 2000:
        User.objects.bulk_create(
            [User(username=f"bench-owner{n}", email=f"owner{n}@example.gov") for n in range(len(owners), 2000)]
        )
        owners = list(User.objects.filter(username__startswith="bench-owner"))
    today = timezone.localdate()
    rows = []
    for number in range(count):
        agency = agencies[number % len(agencies)]
        kind = KINDS[(number // len(agencies)) % len(KINDS)]
        offset = number // (len(agencies) * len(KINDS))  # unique (agency, directive, kind, due_on)
        rows.append(
            Milestone(
                agency=agency,
                directive=directive,
                kind=kind,
                title=f"Bench {number}",
                owner=owners[number % len(owners)],
                due_on=today + datetime.timedelta(days=offset - 60),
            )
        )
    Milestone.objects.bulk_create(rows, batch_size=5000)
    # The owners and agencies too: a re-run planned on a never-analysed user table (54 rows for 2,000) joined every
    # owner to every overdue milestone and took 7 s instead of 0.3.
    analyse(Milestone, Reminder, Digest, User, Agency)


def analyse(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def start_workers(count: int, sink_port: int, queue: str, folder: Path) -> list[subprocess.Popen]:
    """`count` Celery worker processes (solo pool: one process each), ready when this returns."""
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "k" * 50),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "REMINDER_CELERY_QUEUE": queue,
    }
    workers = []
    for number in range(count):
        log = folder / f"worker{number}.log"
        command = [sys.executable, "-m", "celery", "-A", "procurement", "worker", "--pool", "solo", "--queues", queue]
        command += [
            # A worker lives for days: the URLconf its first digest reverses (every app's views, 1.3 s of
            # CPU) is imported as it starts, not counted against the first 1,000 digests it sends.
            "--include",
            "procurement.urls",
            "--hostname",
            f"bench{number}-{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",  # " ready." below is logged at INFO
            "--logfile",
            str(log),
        ]
        workers.append(subprocess.Popen(command, cwd=Path(__file__).resolve().parents[1], env=environment))
        workers[-1].log = log
    deadline = time.monotonic() + 180
    while not all(w.log.exists() and " ready." in w.log.read_text() for w in workers):
        if time.monotonic() > deadline:
            for worker in workers:
                worker.terminate()
            raise SystemExit("the workers did not start within 180 s")
        time.sleep(0.2)
    return workers


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SMTP_SINK = shutil.which("smtp-sink") or shutil.which("smtp-sink", path="/usr/sbin:/usr/local/sbin")


class PostfixSink:
    """Postfix's smtp-sink on a free port, dumping each message to a file of its own in a temporary folder."""

    def __enter__(self) -> PostfixSink:
        self.port = free_port()
        shm = Path("/dev/shm")
        self.folder = Path(tempfile.mkdtemp(prefix="bench-smtp-sink-", dir=shm if shm.is_dir() else None))
        command = [SMTP_SINK, "-d", f"{self.folder}/%H%M%S.", f"127.0.0.1:{self.port}", "256"]
        if os.geteuid() == 0:  # it refuses to run as root: it drops to nobody, who must write the dumps
            self.folder.chmod(0o777)
            command[1:1] = ["-u", "nobody"]
        self.process = subprocess.Popen(command)
        self.cpu = lambda: cpu_seconds(self.process.pid)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise SystemExit(f"smtp-sink did not listen on port {self.port}") from None
                time.sleep(0.05)

    def message_ids(self) -> list[str]:
        """One per message taken: the dump's own headers come first, the message's follow."""
        parser = BytesHeaderParser()
        return [" ".join(parser.parsebytes(path.read_bytes())["Message-ID"].split()) for path in self.folder.iterdir()]

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


class AiosmtpdSink(SinkServer):
    """The tests' sink, in this process (its CPU is counted with the bench's)."""

    def __enter__(self) -> AiosmtpdSink:
        super().__enter__()
        self.cpu = lambda: 0.0
        return self

    def message_ids(self) -> list[str]:
        return self.sink.message_ids()


SINKS = {"smtp-sink": PostfixSink, "aiosmtpd": AiosmtpdSink}


def send_with_workers(digest_ids: list[int], worker_count: int, sink_name: str) -> tuple[int, float, float, float]:
    """Queues the digests as the sweep's task does and waits until every one is sent.

    Returns (sent, seconds, the workers' CPU seconds, the sink's and this process's: the wait, and
    aiosmtpd's work when it is the sink).
    """
    queue = f"bench-reminders-{uuid.uuid4().hex[:8]}"
    settings.REMINDER_CELERY_QUEUE = queue
    with SINKS[sink_name]() as sink, tempfile.TemporaryDirectory() as folder:
        workers = start_workers(worker_count, sink.port, queue, Path(folder))
        try:
            workers_cpu = -sum(cpu_seconds(worker.pid) for worker in workers)
            own_cpu = -time.process_time() - sink.cpu()
            started = time.perf_counter()
            tasks.digests_enqueue(digest_ids)  # no transaction open: queued at once
            while not all_sent(digest_ids) and time.perf_counter() - started < 600:
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            workers_cpu += sum(cpu_seconds(worker.pid) for worker in workers)
            own_cpu += time.process_time() + sink.cpu()
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=60)
        delivered = sink.message_ids()
    sent = list(Digest.objects.filter(pk__in=digest_ids, status=DigestStatus.SENT).values_list("message_id", flat=True))
    if sorted(delivered) != sorted(sent):
        raise SystemExit(
            f"the sink took {len(delivered)} messages ({len(set(delivered))} Message-IDs) for {len(sent)} digests "
            f"marked sent, {len(set(delivered) ^ set(sent))} Message-IDs on one side only"
        )
    return len(sent), seconds, workers_cpu, own_cpu


def all_sent(digest_ids: list[int]) -> bool:
    """The wait's poll, kept cheap as it shares the cores it measures: the ids as one array, not 2,000 parameters."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT NOT EXISTS (SELECT FROM {Digest._meta.db_table} WHERE id = ANY(%s) AND status <> %s)",
            [digest_ids, DigestStatus.SENT],
        )
        return cursor.fetchone()[0]


def send_again_later(digest_ids: list[int]) -> None:
    """Sets sent digests back to pending, so another worker count sends the same ones."""
    Digest.objects.filter(pk__in=digest_ids).update(
        status=DigestStatus.PENDING,
        attempts=0,
        claimed_at=None,
        sent_at=None,
        enqueued_at=None,
        next_attempt_at=timezone.now(),
    )
    Reminder.objects.filter(digest_id__in=digest_ids, status=ReminderStatus.SENT).update(status=ReminderStatus.PENDING)
    vacuum(Reminder, Digest)


def vacuum(*models) -> None:
    """What autovacuum would do after a run's updates: each run leaves a dead row version of every digest and notice."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--milestones", type=int, default=100_000)
    parser.add_argument("--digests", type=int, default=2000, help="how many of the sweep's digests to send (0: none)")
    parser.add_argument("--workers", default="1,2", help="worker process counts to send with, one run each")
    parser.add_argument(
        "--sink",
        default="smtp-sink" if SMTP_SINK else "aiosmtpd",
        help="SMTP sinks to send to, one run each (smtp-sink, aiosmtpd; default smtp-sink if installed)",
    )
    args = parser.parse_args()
    populate(args.milestones)
    now = timezone.now()
    started = time.perf_counter()
    first = services.reminders_sweep(now)
    sweep_seconds = time.perf_counter() - started
    analyse(Reminder, Digest)
    started = time.perf_counter()
    again = services.reminders_sweep(now)
    rerun_seconds = time.perf_counter() - started
    print(
        f"sweep over {args.milestones} milestones: {first.created} rows, {len(first.digest_ids)} digests, "
        f"{sweep_seconds:.2f} s; re-run: {again.created} rows, {rerun_seconds:.2f} s (load average {load_average()})"
    )
    digest_ids = first.digest_ids[: args.digests]
    sinks = args.sink.split(",")
    if "smtp-sink" in sinks and not SMTP_SINK:
        raise SystemExit("smtp-sink is not installed (it comes with Postfix): use --sink aiosmtpd")
    runs = [(sink, int(count)) for sink in sinks for count in args.workers.split(",")] if digest_ids else []
    for sink, worker_count in runs:
        per_task = settings.REMINDER_DIGESTS_PER_TASK
        sent, seconds, workers_cpu, own_cpu = send_with_workers(digest_ids, worker_count, sink)
        print(
            f"sent {sent} digests to {sink} with {worker_count} worker process(es) ({per_task} per task, one SMTP "
            f"connection per task) in {seconds:.2f} s: {sent / seconds:.0f} digests/s; CPU per digest: workers "
            f"{1000 * workers_cpu / sent:.2f} ms, sink and bench {1000 * own_cpu / sent:.2f} ms "
            f"(load average {load_average()})"
        )
        send_again_later(digest_ids)


if __name__ == "__main__":
    main()
