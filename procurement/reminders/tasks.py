"""Celery tasks of the reminders app: thin, each calls one service.

The sweep runs from beat (procurement/celery.py, every REMINDER_SWEEP_SECONDS) and hands
the digests it made to `digests_send` in batches, by id, once its transaction committed.
No task carries an ETA: a retry waits in the database (`Digest.next_attempt_at`) and
the next sweep hands it over again.
"""

from __future__ import annotations

from celery import current_app, shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from procurement.reminders import services

SEND_TASK = "procurement.reminders.tasks.digests_send"


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3, acks_late=True)
def reminders_sweep() -> dict:
    result = services.reminders_sweep(timezone.now())
    digests_enqueue(result.digest_ids)
    return {
        "created": result.created,
        "cancelled": result.cancelled,
        "in_doubt": result.in_doubt,
        "digests": len(result.digest_ids),
    }


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,  # below REMINDER_SENDING_LEASE_SECONDS: a claim outlives any task
)
def digests_send(digest_ids: list[int]) -> dict:
    counts = services.digests_send(digest_ids)
    return {"sent": counts.sent, "failed": counts.failed, "retrying": counts.retrying, "skipped": counts.skipped}


def digests_enqueue(digest_ids: list[int]) -> None:
    """Queues the digests in batches once the caller's transaction commits; each task id names its batch."""
    size = settings.REMINDER_DIGESTS_PER_TASK
    batches = [digest_ids[start : start + size] for start in range(0, len(digest_ids), size)]
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")

    def send() -> None:
        for batch in batches:
            current_app.send_task(
                SEND_TASK,
                args=[batch],
                task_id=f"reminder-digests-{batch[0]}-{batch[-1]}-{stamp}",
                queue=settings.REMINDER_CELERY_QUEUE,
            )

    transaction.on_commit(send)
