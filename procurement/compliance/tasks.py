"""Celery tasks of the compliance app: thin, each calls one service.

Beat entries (in procurement/celery.py's BEAT_SCHEDULE): waivers_expire daily,
status_reports_generate daily (a no-op for periods already drafted; it refreshes
drafts' figures), directive_revisions_apply daily.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from procurement.compliance import services
from procurement.core.services import FAILED_MESSAGE, ExportJobError, export_job_fail


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def waivers_expire() -> int:
    """Ends approved waivers past their end date and tells each system's owner."""
    return services.waivers_expire(timezone.localdate())


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def status_reports_generate() -> int:
    """Drafts (or refreshes) the current period's report of every agency and component."""
    return services.status_reports_generate(timezone.localdate())


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def directive_revisions_apply() -> int:
    """Moves deadlines for directive revisions whose effective date is today."""
    return services.directive_revisions_apply(timezone.localdate())


@shared_task(bind=True, max_retries=2, acks_late=True)
def report_xlsx_run(self, job_id: str) -> None:
    """Writes a large report workbook; an error is retried twice, then the job fails."""
    try:
        services.report_xlsx_run(job_id)
    except ExportJobError as error:
        export_job_fail(job_id, str(error))
    except Exception as error:
        if self.request.retries >= self.max_retries:
            export_job_fail(job_id, FAILED_MESSAGE)
            raise
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error
