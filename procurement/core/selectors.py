"""Reads of core: an export job as its status page shows it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse

from procurement.core.models import ExportJob, ListColumns, SavedView
from procurement.core.services import export_file_path


@dataclass(frozen=True)
class ExportJobStatus:
    """One export job for its page: how far it got, and where to go from there.

    `bar_value` is None while the rows are not counted yet (the bar then shows activity
    without a value); `bar_maximum` is never 0, which a <progress> element refuses.
    """

    job: ExportJob
    bar_value: int | None
    bar_maximum: int
    downloadable: bool
    list_url: str  # the list with the same filters, columns and sort
    keep_hours: int


def export_job_get(user, pk: UUID) -> ExportJob:
    """A job is seen only by the user who asked for it: anyone else gets a 404."""
    return get_object_or_404(ExportJob, pk=pk, user=user)


def export_job_status(user, pk: UUID) -> ExportJobStatus:
    job = export_job_get(user, pk)
    bar_maximum = max(job.total_rows or 0, 1)
    if job.status == ExportJob.Status.DONE:
        bar_value = bar_maximum
    else:
        bar_value = None if job.total_rows is None else min(job.done_rows, bar_maximum)
    return ExportJobStatus(
        job=job,
        bar_value=bar_value,
        bar_maximum=bar_maximum,
        downloadable=job.status == ExportJob.Status.DONE and export_file_path(job.pk).is_file(),
        list_url=_list_url(job),
        keep_hours=settings.EXPORT_KEEP_HOURS,
    )


def _list_url(job: ExportJob) -> str:
    try:
        path = reverse(job.list_name)
    except NoReverseMatch:
        return ""
    return f"{path}?{job.query}" if job.query else path


def saved_views_for(user, list_name: str) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user, list_name=list_name))


def remembered_columns(user, list_name: str) -> list[str]:
    """The columns the user last chose for the list; empty when never chosen (the defaults)."""
    if not user.is_authenticated:
        return []
    columns = ListColumns.objects.filter(user=user, list_name=list_name).values_list("columns", flat=True).first()
    return list(columns or [])
