"""Celery tasks of the inventory app: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from procurement.inventory.imports import services as import_services


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def import_batches_expire() -> int:
    """Deletes unconfirmed import batches past their time (scheduled in procurement/celery.py)."""
    return import_services.import_batch_expire(timezone.now())
