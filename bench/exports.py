"""Export timings and memory on a loaded database: CSV through the view against PostgreSQL COPY, XLSX.

Signs in an oversight user (who sees every row) and, for the default columns and for
all of them:

* CSV through the real view (Django's test client, every middleware), the response
  read chunk by chunk as a client would; in the same run, alternately, PostgreSQL's
  `COPY (the rows' plain values query, `exports.export_query`) TO STDOUT WITH CSV` read
  the same way, after a COPY of each many-to-many column's (owner, value) query: the
  baseline of the ratio, the same rows and links as COPY writes them. On PostgreSQL the
  export itself reads text the database makes (`exports.CsvTextQuery`), so the ratio is
  what making the file's fields, in SQL or Python, costs over plain COPY;
* XLSX written by the service the worker calls (`exports.xlsx_write`) to a file;
* XLSX through the Celery task in this process (`tasks.export_job_run.apply`: claim,
  count, write, progress, rename), and through a real worker process (`--pool solo`,
  on a queue of its own, on the configured broker): from the request to the job's
  "done", the worker's memory measured from outside. Both need the export jobs table.

Each run is a process of its own, warmed up by an export of no rows, so that one run's
memory cannot hide in what an earlier one left: memory is the growth of the resident set
during the run over its size just before, sampled every 5 ms. Rows per second count the
rows written (100,150 with `loaddemo --systems 100000`). Each run adds a session (and a
job, through the task) and deletes it:

    DATABASE_URL=postgres://... python manage.py loaddemo --systems 100000
    DATABASE_URL=postgres://... python -m bench.exports [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, QueryDict  # noqa: E402
from django.test import Client  # noqa: E402

from procurement.core import exports, services, tasks  # noqa: E402
from procurement.core.middleware import LOGIN_AT_KEY, SEEN_AT_KEY  # noqa: E402
from procurement.core.models import ExportJob  # noqa: E402
from procurement.inventory.models import System, User  # noqa: E402
from procurement.inventory.tables import SystemTable  # noqa: E402
from procurement.inventory.views.systems import SystemListView  # noqa: E402

BENCH_USER = "bench-oversight"
COLUMN_SETS = {
    "default columns (9)": list(SystemTable.default_columns),
    "all columns (22)": list(SystemTable.export_columns),
}
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


@contextmanager
def peak_growth():
    """Yields a dict whose "bytes" is, afterwards, the peak resident growth during the block."""
    result = {"bytes": 0}
    start = resident_bytes()
    peak = [start]
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            peak[0] = max(peak[0], resident_bytes())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        running.clear()
        sampler.join()
        result["bytes"] = max(peak[0], resident_bytes()) - start


def measured(run: Callable[[], int]) -> tuple[float, int, int]:
    """Seconds, rows and peak memory growth of one run."""
    with peak_growth() as memory:
        start = time.perf_counter()
        rows = run()
        seconds = time.perf_counter() - start
    return seconds, rows, memory["bytes"]


def signed_in_client(user: User) -> tuple[Client, SessionStore]:
    """A client with a session made here: sign-in signals (django-axes) need tables a bench copy may lack."""
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            LOGIN_AT_KEY: time.time(),
            SEEN_AT_KEY: time.time(),
        }
    )
    session.save()
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client, session


def csv_through_view(client: Client, columns: list[str]) -> int:
    response = client.get("/systems/", {"columns": columns, "export": "csv"})
    assert response.status_code == 200, response.status_code
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\r\n")
    return lines - 1  # the header


def list_table(user: User, columns: list[str]):
    request = HttpRequest()
    request.method = "GET"
    request.user = user
    request.GET = QueryDict(mutable=True)
    request.GET.setlist("columns", columns)
    view = SystemListView()
    view.setup(request)
    return view.build_table(request)


def copy_same_query(user: User, columns: list[str]) -> int:
    """COPY of the export's rows as plain values, read as it arrives, with the values query's session settings.

    Each many-to-many column's query (`LinkedValues.values_for`), then the rows' query.
    """
    query = exports.export_query(list_table(user, columns), exports.export_context(user))
    linked = [values.values_for(query.owners) for values in query.linked]
    with exports._without_jit(query.queryset), connection.cursor() as cursor:
        for values in linked:
            copied_lines(cursor, values)
        rows = copied_lines(cursor, query.queryset)
    return rows  # fields holding a newline count twice: "Contacts" may; the row count comes from the export


def copied_lines(cursor, queryset) -> int:
    sql, params = queryset.query.sql_with_params()
    lines = 0
    with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV", params) as copy:  # psycopg's own cursor
        for data in copy:
            lines += bytes(data).count(b"\n")
    return lines


def xlsx_service(user: User, columns: list[str]) -> int:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as output:
        return exports.xlsx_write(list_table(user, columns), exports.export_context(user), output.name, "systems")


def xlsx_task(user: User, columns: list[str]) -> int:
    query = QueryDict(mutable=True)
    query.setlist("columns", columns)
    job = ExportJob.objects.create(
        user=user, list_name="inventory:system-list", query=query.urlencode(), basename="bench"
    )
    try:
        tasks.export_job_run.apply(args=[str(job.pk)], throw=True)
        job.refresh_from_db()
        assert job.status == ExportJob.Status.DONE, (job.status, job.message)
        return job.done_rows
    finally:
        services.export_file_path(job.pk).unlink(missing_ok=True)
        job.delete()


def has_job_table() -> bool:
    return ExportJob._meta.db_table in connection.introspection.table_names()


WAYS = {"csv": csv_through_view, "copy": copy_same_query, "xlsx": xlsx_service, "task": xlsx_task}


def child(way: str, column_set: str) -> None:
    """One measured run, in this process; prints it as JSON."""
    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"is_oversight": True})
    client, session = signed_in_client(user)
    try:
        columns = COLUMN_SETS[column_set]
        client.get("/systems/", {"columns": columns, "export": "csv", "q": "no such system"})  # loads the code
        target = client if way == "csv" else user
        seconds, rows, growth = measured(lambda: WAYS[way](target, columns))
    finally:
        session.delete()
    print(json.dumps({"seconds": seconds, "rows": rows, "growth": growth}))


def in_child(way: str, column_set: str) -> tuple[float, int, int]:
    command = [sys.executable, "-m", "bench.exports", "--child", way, column_set]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"], result["rows"], result["growth"]


@contextmanager
def worker_process(export_dir: str):
    """A Celery worker on this database and broker, listening on a queue of its own."""
    queue = f"bench-exports-{os.getpid()}"
    log = os.path.join(export_dir, "worker.log")
    environment = {**os.environ, "PHASEOUT_EXPORT_DIR": export_dir}
    command = [sys.executable, "-m", "celery", "-A", "procurement", "worker", "--queues", queue, "--pool", "solo"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO", "--logfile", log]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)  # its banner
    try:
        deadline = time.monotonic() + 60
        while not (os.path.exists(log) and " ready." in Path(log).read_text()):
            assert process.poll() is None and time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)
        settings.EXPORT_CELERY_QUEUE, settings.EXPORT_DIR = queue, export_dir
        yield process
    finally:
        process.terminate()
        process.wait()


def process_resident_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


def xlsx_worker(client: Client, worker: subprocess.Popen, columns: list[str]) -> tuple[float, int, int]:
    """Seconds from the request to the job's end, rows, and the worker's peak memory growth."""
    start_memory = peak = process_resident_bytes(worker.pid)
    start = time.perf_counter()
    response = client.get("/systems/", {"columns": columns, "export": "xlsx"})
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.latest("created_at")
    while not job.is_finished:
        peak = max(peak, process_resident_bytes(worker.pid))
        time.sleep(0.005)
        job.refresh_from_db()
    seconds = time.perf_counter() - start
    assert job.status == ExportJob.Status.DONE, job.message
    services.export_file_path(job.pk).unlink(missing_ok=True)
    job.delete()
    return seconds, job.done_rows, peak - start_memory


def through_a_worker(repeat: int) -> None:
    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"is_oversight": True})
    client, session = signed_in_client(user)
    try:
        with tempfile.TemporaryDirectory() as export_dir, worker_process(export_dir) as worker:
            settings.EXPORT_XLSX_IN_REQUEST_MAX_ROWS = 0  # even the warm-up goes to the worker
            xlsx_worker(client, worker, ["name"])  # loads the worker's code
            for column_set, columns in COLUMN_SETS.items():
                report(f"XLSX, a worker, {column_set}", [xlsx_worker(client, worker, columns) for _ in range(repeat)])
    finally:
        session.delete()


def report(name: str, runs: list[tuple[float, int, int]], baseline: list[tuple[float, int, int]] | None = None) -> None:
    seconds = statistics.median(run[0] for run in runs)
    rows = runs[0][1]
    memory = max(run[2] for run in runs) / 1e6
    line = f"  {name:26} {seconds:7.3f} s {rows / seconds:10,.0f} rows/s  peak growth {memory:5.1f} MB"
    if baseline:
        copy_seconds = statistics.median(run[0] for run in baseline)
        line += f"  COPY {copy_seconds:6.3f} s  ratio {seconds / copy_seconds:4.2f}"
    print(line + f"  (median of {len(runs)}: {', '.join(f'{run[0]:.2f}' for run in runs)})", flush=True)


def run(repeat: int, xlsx_repeat: int, csv_only: bool = False) -> None:
    version = f" {connection.pg_version}" if connection.vendor == "postgresql" else ""
    print(f"{System.objects.count():,} systems, {connection.vendor}{version}, load average {os.getloadavg()}")
    for column_set in COLUMN_SETS:
        print(column_set)
        csv_runs, copy_runs = [], []
        for _ in range(repeat):  # alternately, so both see the same load
            csv_runs.append(in_child("csv", column_set))
            if connection.vendor == "postgresql":
                copy_runs.append(in_child("copy", column_set))
        report("CSV through the view", csv_runs, copy_runs)
        if csv_only:
            continue
        report("XLSX, the service", [in_child("xlsx", column_set) for _ in range(xlsx_repeat)])
        if has_job_table():
            report("XLSX, the Celery task", [in_child("task", column_set) for _ in range(xlsx_repeat)])
        else:
            print("  XLSX, the Celery task: this database has no export jobs table (migrate a copy of it)")
    if has_job_table() and not csv_only:
        print("through a worker process (request to job done)")
        through_a_worker(xlsx_repeat)
    print(f"load average {os.getloadavg()} at the end")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="CSV and COPY runs per column set")
    parser.add_argument("--xlsx-repeat", type=int, default=3, help="XLSX runs per column set and way")
    parser.add_argument("--csv-only", action="store_true", help="CSV and COPY only, no XLSX")
    parser.add_argument("--child", nargs=2, metavar=("WAY", "COLUMNS"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(*arguments.child)
    else:
        run(arguments.repeat, arguments.xlsx_repeat, arguments.csv_only)
