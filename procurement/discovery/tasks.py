"""Discovery's background work: uploaded files are not kept longer than import batches."""

from celery import shared_task
from django.utils import timezone

from procurement.discovery.services import source_files_expire


@shared_task
def source_files_expire_task() -> int:
    return source_files_expire(timezone.now())
