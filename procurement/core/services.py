"""Writes of core: export jobs, from the request that asks for one to the file and its removal;
saved views and the columns each person chose for a list."""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import Path
from uuid import UUID

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, QueryDict
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone

from procurement.core import exports
from procurement.core.models import ExportJob, ListColumns, SavedView
from procurement.core.tables import PhaseoutTable

# By name: the task module imports this one.
EXPORT_TASK = "procurement.core.tasks.export_job_run"
PROGRESS_EVERY_ROWS = 5_000
# A job still running this long after it started lost its worker (a 100,000-row export
# takes seconds); the hourly clean-up marks it failed.
RUNNING_AT_MOST = datetime.timedelta(hours=1)
FAILED_MESSAGE = "The file could not be written. Try the export again; if it fails again, tell your administrator."
LOST_MESSAGE = "The worker writing the file stopped. Try the export again."

logger = logging.getLogger(__name__)


class ExportJobError(Exception):
    """A job that cannot succeed however often it is tried; the message is for the user."""


def export_file_path(job_id: UUID | str) -> Path:
    return Path(settings.EXPORT_DIR) / f"{job_id}.xlsx"


def _partial_path(job_id: UUID | str) -> Path:
    return Path(settings.EXPORT_DIR) / f"{job_id}.xlsx.part"


def export_job_create(*, user, list_name: str, query: str, basename: str) -> ExportJob:
    """Records the export, then queues it once the row is committed (a worker must find it)."""
    job = ExportJob.objects.create(user=user, list_name=list_name, query=query, basename=basename)
    transaction.on_commit(
        lambda: current_app.send_task(EXPORT_TASK, args=[str(job.pk)], queue=settings.EXPORT_CELERY_QUEUE)
    )
    return job


def export_job_run(job_id: UUID | str) -> None:
    """Writes the job's file from the list as its user may see it now.

    Does nothing unless the job is waiting (another worker has it, or it is finished).
    The file appears complete or not at all: it is written beside its final name and
    renamed at the end. On an error the job waits again, for a retry, and the error
    propagates; `export_job_fail` ends it for good.
    """
    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now(), done_rows=0
    ):
        return
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    partial = _partial_path(job.pk)
    try:
        table = list_table(job)
        total = table.data.data.count()
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total)
        partial.parent.mkdir(parents=True, exist_ok=True)
        context = exports.export_context(job.user)
        written = exports.xlsx_write(table, context, str(partial), title=job.basename, on_progress=export_progress(job))
        os.replace(partial, export_file_path(job.pk))
    except BaseException:
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.PENDING, started_at=None, done_rows=0
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, done_rows=written, total_rows=written, finished_at=timezone.now()
    )


def export_progress(job: ExportJob):
    """A callback that records the rows written, every PROGRESS_EVERY_ROWS, for the job's page."""
    reported = 0

    def record(written: int) -> None:
        nonlocal reported
        if written - reported >= PROGRESS_EVERY_ROWS:
            ExportJob.objects.filter(pk=job.pk).update(done_rows=written)
            reported = written

    return record


def list_table(job: ExportJob) -> PhaseoutTable:
    """The job's list built again as its user: the same view, filters, columns and sort."""
    if not job.user.is_active:
        raise ExportJobError("Your account is no longer active.")
    try:
        match = resolve(reverse(job.list_name))
    except NoReverseMatch:
        raise ExportJobError("This list no longer exists.") from None
    view = match.func.view_class()
    request = HttpRequest()
    request.method = "GET"
    request.user = job.user
    request.GET = QueryDict(job.query)
    request.resolver_match = match
    view.setup(request)
    return view.build_table(request)


def export_job_fail(job_id: UUID | str, message: str) -> None:
    """Ends a job that could not be written; it never leaves a file behind."""
    _partial_path(job_id).unlink(missing_ok=True)
    export_file_path(job_id).unlink(missing_ok=True)
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.DONE).update(
        status=ExportJob.Status.FAILED, message=message[:300], finished_at=timezone.now()
    )


def export_jobs_clean(now: datetime.datetime) -> int:
    """Deletes jobs older than EXPORT_KEEP_HOURS and every export file that old; fails lost jobs.

    Returns the number of jobs deleted. Files are judged by their own age, so what a
    worker left behind when it was killed goes too.
    """
    ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=now - RUNNING_AT_MOST).update(
        status=ExportJob.Status.FAILED, message=LOST_MESSAGE, finished_at=now
    )
    cutoff = now - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    deleted, _ = ExportJob.objects.filter(created_at__lt=cutoff).delete()
    folder = Path(settings.EXPORT_DIR)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
    return deleted


# Saved views and remembered columns ---------------------------------------------------------

SAVED_VIEWS_PER_LIST = 50
SAVED_VIEW_QUERY_CHARS = 2000
# Parts of a list's query string that are not part of a view: where one was, and a download.
NOT_A_VIEW = ("page", "export")


class SavedViewError(ValueError):
    """A saved view that cannot be kept; the message is for the user."""


def saved_view_save(*, user, list_name: str, name: str, query: str) -> SavedView:
    """Saves the list's filters, columns and sort under `name`; the same name again replaces it."""
    name = name.strip()
    if not name:
        raise SavedViewError("Give the view a name.")
    if len(name) > SavedView._meta.get_field("name").max_length:
        raise SavedViewError("The name is too long (80 characters at most).")
    check_list_name(list_name)
    view_query = QueryDict(query, mutable=True)
    for key in NOT_A_VIEW:
        view_query.pop(key, None)
    query = view_query.urlencode()
    if len(query) > SAVED_VIEW_QUERY_CHARS:
        raise SavedViewError("This view has too many filters to save.")
    existing = SavedView.objects.filter(user=user, list_name=list_name)
    if not existing.filter(name=name).exists() and existing.count() >= SAVED_VIEWS_PER_LIST:
        raise SavedViewError(f"You have {SAVED_VIEWS_PER_LIST} saved views of this list: delete one first.")
    view, _ = SavedView.objects.update_or_create(user=user, list_name=list_name, name=name, defaults={"query": query})
    return view


def saved_view_delete(*, user, pk: int) -> None:
    """Deletes one of the user's saved views; anyone else's is "not found"."""
    deleted, _ = SavedView.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise Http404("No such saved view.")


def check_list_name(list_name: str) -> None:
    """Only a list page may have saved views (and only its URL is ever linked).

    A list page is a view with `build_table` (core.views.FilteredTableView, which imports
    this module: named, not imported).
    """
    try:
        view_class = getattr(resolve(reverse(list_name)).func, "view_class", None)
    except NoReverseMatch:
        view_class = None
    if not callable(getattr(view_class, "build_table", None)):
        raise SavedViewError("This page has no saved views.")


def list_columns_remember(*, user, list_name: str, columns: list[str]) -> None:
    """Keeps the columns the user chose for a list, to show them next time (one upsert query)."""
    ListColumns.objects.bulk_create(
        [ListColumns(user=user, list_name=list_name, columns=columns)],
        update_conflicts=True,
        unique_fields=["user", "list_name"],
        update_fields=["columns"],
    )
