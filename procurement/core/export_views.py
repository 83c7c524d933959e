"""The pages of a large export: its status with a progress bar, and its file when ready.

Only the user who asked sees either; anyone else gets a 404 (`selectors.export_job_get`).
"""

from __future__ import annotations

from uuid import UUID

from django.http import FileResponse
from django.shortcuts import redirect, render

from procurement.core import exports, selectors, services

# htmx stops polling an element whose request is answered with this status.
HTMX_STOP_POLLING = 286


def export_job(request, pk: UUID):
    return render(request, "core/export_job.html", {"status": selectors.export_job_status(request.user, pk)})


def export_job_progress(request, pk: UUID):
    """The part of the status page that htmx polls until the job is finished."""
    status = selectors.export_job_status(request.user, pk)
    response = render(request, "core/export_progress.html", {"status": status, "polled": True})
    if status.job.is_finished:
        response.status_code = HTMX_STOP_POLLING
    return response


def export_job_download(request, pk: UUID):
    status = selectors.export_job_status(request.user, pk)
    if not status.downloadable:  # not ready, failed or no longer kept: the job's page says which
        return redirect(status.job)
    return FileResponse(
        services.export_file_path(status.job.pk).open("rb"),
        as_attachment=True,
        filename=status.job.filename,
        content_type=exports.XLSX_CONTENT_TYPE,
    )
