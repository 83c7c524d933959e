"""Compliance timings on a loaded database: report files and the oversight view.

    DATABASE_URL=postgres://... python manage.py loaddemo --systems 100000
    DATABASE_URL=postgres://... python -m bench.compliance [--repeat 3] [--oversight-only]

Each file is measured in a process of its own (memory is the peak growth of the
resident set during the run, as in bench.exports):

* CSV and XLSX of a report over every system of the directive (100,150 with the
  command above): the report files' own writers (`compliance.report_files`) over the
  selector's rows, the same code the report's download and the worker run;
* XLSX through the worker's service (`services.report_xlsx_run`: claim, write, rename)
  for the largest department's report;
* PDF of the largest department's report (summary, burndown, first 2,000 systems), with
  WeasyPrint imported before the clock starts, as a web or worker process has it;
* the oversight view through Django's test client as an oversight user: p50 and
  max of the repeats, and its number of queries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.exports import measured, signed_in_client  # sets Django up
from procurement.compliance import report_files, selectors, services
from procurement.compliance.models import StatusReport
from procurement.core.models import ExportJob
from procurement.inventory.models import Agency, Directive, System, User

BENCH_USER = "bench-oversight"


def oversight_user() -> User:
    return User.objects.get_or_create(username=BENCH_USER, defaults={"is_oversight": True})[0]


def largest_department_report() -> StatusReport:
    directive = Directive.objects.first()
    counts = dict(System.objects.filter(directive=directive).values_list("agency_id").annotate(n=Count("*")))
    department = max(
        Agency.objects.filter(parent__isnull=True),
        key=lambda top: sum(counts.get(pk, 0) for pk in Agency.objects.with_components(top.pk)),
    )
    number = selectors.current_period_number(directive, timezone.localdate())
    return services.status_report_generate(directive=directive, agency=department, number=number)


def every_system_content(report: StatusReport) -> selectors.ReportContent:
    """The report's record over the rows of every system of the directive (the 100,000-row case)."""
    content = selectors.report_content(report, timezone.now())
    systems = System.objects.filter(directive_id=report.directive_id)
    return selectors.ReportContent(report, content.record, None, selectors.system_rows(systems), systems)


def csv_all(report: StatusReport) -> int:
    rows = 0
    for part in report_files.csv_lines(every_system_content(report)):
        rows += part.count("\r\n")
    return rows - 1


def xlsx_all(report: StatusReport) -> int:
    with tempfile.TemporaryFile() as output:
        return report_files.xlsx_write(every_system_content(report), output)


def xlsx_task(report: StatusReport) -> int:
    with tempfile.TemporaryDirectory() as folder:
        settings.EXPORT_DIR = folder
        job = ExportJob.objects.create(
            user=oversight_user(), list_name="compliance:report-list", query=f"report={report.pk}", basename="bench"
        )
        services.report_xlsx_run(str(job.pk))
        job.refresh_from_db()
        assert job.status == ExportJob.Status.DONE, job.message
        job.delete()
        return job.done_rows


def pdf(report: StatusReport) -> int:
    content = selectors.report_content(report, timezone.now())
    svg = selectors.report_burndown_svg(report, timezone.localdate())
    report_files.pdf_bytes(content, svg)
    return min(content.summary["total"], report_files.PDF_DETAIL_ROWS)


WAYS = {"csv": csv_all, "xlsx": xlsx_all, "xlsx-task": xlsx_task, "pdf": pdf}


def child(way: str) -> None:
    report = largest_department_report()
    if way == "pdf":
        import weasyprint  # noqa: F401  (importing it costs seconds where no bytecode is cached)
    cpu = time.process_time()
    seconds, rows, growth = measured(lambda: WAYS[way](report))
    cpu = time.process_time() - cpu  # the machine may be shared: CPU time says what the work costs
    print(
        json.dumps(
            {"seconds": seconds, "cpu": cpu, "rows": rows, "growth": growth, "report_rows": report.summary["total"]}
        )
    )


def in_child(way: str) -> dict:
    command = [sys.executable, "-m", "bench.compliance", "--child", way]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, path
    return elapsed


def oversight_view(repeat: int) -> None:
    """The oversight page against the login page (reads no agency data), interleaved so
    both see the same load on a shared machine; the ratio is the figure that travels."""
    client, session = signed_in_client(oversight_user())
    anonymous = Client(HTTP_HOST="127.0.0.1")
    try:
        client.get("/oversight/")  # loads the code
        with CaptureQueriesContext(connection) as captured:
            client.get("/oversight/")
        queries = len(captured)  # now: the next request resets Django's query log
        anonymous.get("/accounts/login/")
        timings, baseline = [], []
        for _ in range(repeat):
            timings.append(timed(client, "/oversight/"))
            baseline.append(timed(anonymous, "/accounts/login/"))
        p50, base = statistics.median(timings), statistics.median(baseline)
        print(
            f"oversight view: p50 {p50 * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms, {queries} queries; "
            f"login page p50 {base * 1000:.0f} ms; ratio {p50 / base:.1f}x"
        )
    finally:
        session.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--oversight-only", action="store_true", help="time the oversight view alone")
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child)
        return
    if arguments.oversight_only:
        oversight_view(max(arguments.repeat, 5))
        return
    print(f"database: {connection.vendor}, systems: {System.objects.count():,}")
    for way in WAYS:
        runs = [in_child(way) for _ in range(arguments.repeat)]
        seconds = statistics.median(run["seconds"] for run in runs)
        cpu = statistics.median(run["cpu"] for run in runs)
        growth = max(run["growth"] for run in runs)
        rows = runs[0]["rows"]
        print(
            f"{way}: {rows:,} rows, median {seconds:.2f} s ({rows / seconds:,.0f} rows/s), CPU {cpu:.2f} s, "
            f"peak memory growth {growth / 2**20:.0f} MB "
            f"(largest department report: {runs[0]['report_rows']:,} systems)"
        )
    oversight_view(max(arguments.repeat, 5))


if __name__ == "__main__":
    main()
