"""Large XLSX exports are jobs: a row first, queued on commit, written by a worker, seen by one user.

The service runs in this process here; tests/core/test_exports_worker.py runs it in a
real Celery worker.
"""

import datetime
import os

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from procurement.core import exports, services
from procurement.core.models import ExportJob
from procurement.inventory.models import Membership
from tests.core.test_exports import SYSTEM_LIST, make_systems, numbers_as_numbers, screen, xlsx_rows

COLUMNS = ["name", "fisma_id", "agency", "status", "removal_deadline", "days_left", "depends_on", "replacement"]


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.EXPORT_XLSX_IN_REQUEST_MAX_ROWS = 20
    return settings.EXPORT_DIR


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def ask(client, params=None) -> ExportJob:
    """Asks for an XLSX of the systems list; expects to be sent to a job's page."""
    response = client.get(reverse(SYSTEM_LIST), {"columns": COLUMNS, **(params or {}), "export": "xlsx"})
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.get()
    assert response.url == reverse("core:export-job", args=[job.pk])
    return job


def test_small_lists_are_answered_in_the_request(alice_client, component_a, directive):
    make_systems(20, component_a, directive)
    response = alice_client.get(reverse(SYSTEM_LIST), {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert not ExportJob.objects.exists()


def test_a_large_list_becomes_a_job_queued_on_commit(
    alice_client, alice, component_a, directive, django_capture_on_commit_callbacks, monkeypatch
):
    make_systems(21, component_a, directive)
    sent = []
    monkeypatch.setattr(services.current_app, "send_task", lambda name, **options: sent.append((name, options)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask(alice_client, {"sort": "-name", "page": "3", "q": "Bulk"})
    assert sent == [] and len(callbacks) == 1  # nothing queued before the row is committed
    callbacks[0]()
    assert sent == [(services.EXPORT_TASK, {"args": [str(job.pk)], "queue": "celery"})]
    assert (job.user, job.list_name, job.status) == (alice, "inventory:system-list", ExportJob.Status.PENDING)
    assert "page" not in job.query and "export" not in job.query and "sort=-name" in job.query


def test_the_job_writes_what_the_screen_shows(alice_client, component_a, directive, system_b, export_dir):
    make_systems(45, component_a, directive, hidden=system_b)
    params = {"columns": COLUMNS, "sort": "-removal_deadline", "criticality": ["low", "high"]}
    job = ask(alice_client, params)
    services.export_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done_rows, job.total_rows) == (ExportJob.Status.DONE, 30, 30)
    assert [path.name for path in export_dir.iterdir()] == [f"{job.pk}.xlsx"]
    download = alice_client.get(reverse("core:export-download", args=[job.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    headers, expected = screen(alice_client, SYSTEM_LIST, params)
    assert xlsx_rows(b"".join(download.streaming_content)) == (headers, numbers_as_numbers(expected))


def test_progress_is_recorded_as_rows_are_written(alice_client, component_a, directive, monkeypatch):
    make_systems(25, component_a, directive)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 10)
    monkeypatch.setattr(services, "PROGRESS_EVERY_ROWS", 10)
    job = ask(alice_client)
    seen = []
    write_rows = exports.SheetWriter.write_rows

    def watched(sheet, rows):
        seen.append(ExportJob.objects.values_list("status", "done_rows", "total_rows").get(pk=job.pk))
        write_rows(sheet, rows)

    monkeypatch.setattr(exports.SheetWriter, "write_rows", watched)
    services.export_job_run(job.pk)
    assert seen == [("running", 0, 25), ("running", 10, 25), ("running", 20, 25)]


def test_the_job_applies_access_as_it_stands_when_it_runs(alice_client, alice, agency_a, component_a, directive):
    make_systems(21, component_a, directive)
    job = ask(alice_client)
    Membership.objects.filter(user=alice).delete()  # alice leaves the agency before the worker starts
    services.export_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.total_rows) == (ExportJob.Status.DONE, 0)


def test_a_failed_job_leaves_no_file_and_says_so(alice_client, component_a, directive, export_dir, monkeypatch):
    make_systems(45, component_a, directive)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 10)
    job = ask(alice_client)
    written = []

    def failing(sheet, rows):
        written.append(rows)
        if len(written) == 3:
            raise OSError("disk full")
        original(sheet, rows)

    original = exports.SheetWriter.write_rows
    monkeypatch.setattr(exports.SheetWriter, "write_rows", failing)
    with pytest.raises(OSError):
        services.export_job_run(job.pk)
    assert list(export_dir.iterdir()) == []  # two chunks were written: not even those are left
    job.refresh_from_db()
    assert job.status == ExportJob.Status.PENDING  # waiting for the task's retry
    services.export_job_fail(job.pk, services.FAILED_MESSAGE)
    page = alice_client.get(job.get_absolute_url()).content.decode()
    assert f"The export failed: {services.FAILED_MESSAGE}" in page
    assert alice_client.get(reverse("core:export-download", args=[job.pk])).url == job.get_absolute_url()


def test_a_retry_writes_the_file(alice_client, component_a, directive, monkeypatch):
    make_systems(21, component_a, directive)
    job = ask(alice_client)
    monkeypatch.setattr(exports.SheetWriter, "write_rows", lambda sheet, rows: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.export_job_run(job.pk)
    monkeypatch.undo()
    services.export_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done_rows) == (ExportJob.Status.DONE, 21)


def test_a_job_runs_once(alice_client, component_a, directive, monkeypatch):
    make_systems(21, component_a, directive)
    job = ask(alice_client)
    services.export_job_run(job.pk)
    monkeypatch.setattr(exports, "xlsx_write", lambda *args, **kwargs: pytest.fail("written twice"))
    services.export_job_run(job.pk)  # a second delivery of the same message


def test_an_inactive_user_gets_no_file(alice_client, alice, component_a, directive):
    make_systems(21, component_a, directive)
    job = ask(alice_client)
    alice.is_active = False
    alice.save()
    with pytest.raises(services.ExportJobError, match="no longer active"):
        services.export_job_run(job.pk)


def test_the_task_retries_twice_then_fails_the_job(alice, monkeypatch):
    from procurement.core import tasks

    job = ExportJob.objects.create(user=alice, list_name=SYSTEM_LIST, basename="systems")
    attempts = []

    def failing(job_id):
        attempts.append(job_id)
        raise OSError("disk full")

    monkeypatch.setattr(services, "export_job_run", failing)
    tasks.export_job_run.apply(args=[str(job.pk)])  # in this process; a retry runs at once
    job.refresh_from_db()
    assert (len(attempts), job.status, job.message) == (3, "failed", services.FAILED_MESSAGE)


def test_the_task_does_not_retry_what_cannot_succeed(alice, monkeypatch):
    from procurement.core import tasks

    job = ExportJob.objects.create(user=alice, list_name="inventory:no-such-list", basename="systems")
    tasks.export_job_run.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "This list no longer exists.")


# Who sees a job -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["core:export-job", "core:export-progress", "core:export-download"])
def test_another_users_job_is_not_found(alice_client, client, bob, olga, root, component_a, directive, url_name):
    make_systems(21, component_a, directive)
    job = ask(alice_client)
    services.export_job_run(job.pk)
    assert alice_client.get(reverse(url_name, args=[job.pk])).status_code in (200, 286)
    for other in (bob, olga, root):  # another agency, oversight, staff: nobody but alice
        client.force_login(other)
        assert client.get(reverse(url_name, args=[job.pk])).status_code == 404


def test_signed_out_users_are_sent_to_sign_in(client, alice, component_a, directive):
    job = ExportJob.objects.create(user=alice, list_name="inventory:system-list", basename="systems")
    response = client.get(reverse("core:export-job", args=[job.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# The status page ---------------------------------------------------------------------------------------


def test_the_page_polls_until_the_job_is_finished(alice_client, component_a, directive):
    make_systems(21, component_a, directive)
    job = ask(alice_client)
    page = alice_client.get(job.get_absolute_url()).content.decode()
    progress_url = reverse("core:export-progress", args=[job.pk])
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in page
    assert '<label class="usa-label" for="export-progress-bar">Rows written</label>' in page
    assert '<progress id="export-progress-bar"' in page and "value=" not in page.split("<progress")[1].split(">")[0]
    assert 'role="status" aria-live="polite"' in page and "Waiting for a worker to start." in page
    polled = alice_client.get(progress_url)
    assert polled.status_code == 200 and "export-status" not in polled.content.decode()

    services.export_job_run(job.pk)
    polled = alice_client.get(progress_url)
    assert polled.status_code == 286  # htmx stops polling
    fragment = polled.content.decode()
    assert 'max="21" value="21"' in fragment and "21 rows written." in fragment
    assert '<div id="export-status" hx-swap-oob="innerHTML">' in fragment  # the live region, announced once
    assert reverse("core:export-download", args=[job.pk]) in fragment
    page = alice_client.get(job.get_absolute_url()).content.decode()
    assert "hx-get" not in page and f"Download {job.filename}" in page


def test_the_page_links_back_to_the_same_list(alice_client, component_a, directive):
    make_systems(21, component_a, directive)
    job = ask(alice_client, {"sort": "-name"})
    page = alice_client.get(job.get_absolute_url())
    assert page.context["status"].list_url == f"{reverse(SYSTEM_LIST)}?{job.query}"


# Clean-up -------------------------------------------------------------------------------------------------


def test_old_jobs_and_files_are_removed(alice, export_dir):
    export_dir.mkdir()
    with time_machine.travel(datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC), tick=False):
        old = ExportJob.objects.create(user=alice, list_name=SYSTEM_LIST, basename="old", status="done")
    recent = ExportJob.objects.create(user=alice, list_name=SYSTEM_LIST, basename="recent", status="done")
    now = timezone.now()
    for name, age_hours in ((f"{old.pk}.xlsx", 25), ("killed-worker.xlsx.part", 30), (f"{recent.pk}.xlsx", 1)):
        path = export_dir / name
        path.write_bytes(b"x")
        os.utime(path, (now.timestamp() - age_hours * 3600,) * 2)
    assert services.export_jobs_clean(now) == 1
    assert list(ExportJob.objects.all()) == [recent]
    assert [path.name for path in export_dir.iterdir()] == [f"{recent.pk}.xlsx"]


def test_a_job_whose_worker_vanished_fails(alice):
    now = timezone.now()
    job = {"user": alice, "list_name": SYSTEM_LIST, "basename": "b", "status": "running"}
    lost = ExportJob.objects.create(**job, started_at=now - datetime.timedelta(hours=2))
    running = ExportJob.objects.create(**job, started_at=now)
    services.export_jobs_clean(now)
    lost.refresh_from_db()
    running.refresh_from_db()
    assert (lost.status, lost.message, running.status) == ("failed", services.LOST_MESSAGE, "running")


def test_the_clean_up_is_scheduled():
    from procurement.celery import app

    app.loader.import_default_modules()  # what a worker and beat do on start: finds every app's tasks
    entries = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert "procurement.core.tasks.export_jobs_clean" in entries
    assert {"procurement.core.tasks.export_jobs_clean", services.EXPORT_TASK} <= set(app.tasks)
