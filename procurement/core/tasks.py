"""Celery tasks of core: thin, each loads by id and calls one service."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from procurement.core import services


@shared_task(bind=True, max_retries=2, acks_late=True)
def export_job_run(self, job_id: str) -> None:
    """Writes a queued export's file; an error is retried twice, then the job fails."""
    try:
        services.export_job_run(job_id)
    except services.ExportJobError as error:
        services.export_job_fail(job_id, str(error))
    except Exception as error:
        if self.request.retries >= self.max_retries:
            services.export_job_fail(job_id, services.FAILED_MESSAGE)
            raise
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def export_jobs_clean() -> int:
    """Deletes old export jobs and files (scheduled in procurement/celery.py)."""
    return services.export_jobs_clean(timezone.now())
