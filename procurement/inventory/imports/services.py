"""Writes of bulk import: keep an upload, preview it, apply it all or nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.inventory.imports.importers import IMPORTERS, Preview
from procurement.inventory.imports.readers import read_sheet
from procurement.inventory.models import ImportBatch


def import_batch_create(*, user, kind: str, filename: str, content: bytes) -> ImportBatch:
    """Keeps an upload for preview; reading it may raise SpreadsheetError."""
    read_sheet(filename, content)  # refuse unreadable files before storing them
    return ImportBatch.objects.create(user=user, kind=kind, filename=filename, content=content)


def import_batch_preview(batch: ImportBatch) -> Preview:
    sheet = read_sheet(batch.filename, bytes(batch.content))
    return IMPORTERS[batch.kind](batch.user).preview(sheet)


@transaction.atomic
def import_batch_apply(*, user, batch: ImportBatch) -> Preview:
    """Applies every row or none; a batch is applied at most once."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, user=user, applied_at__isnull=True).update(
        applied_at=timezone.now()
    )
    if not claimed:
        raise ValidationError("This file has already been imported.")
    preview = IMPORTERS[batch.kind](user).apply(read_sheet(batch.filename, bytes(batch.content)))
    if preview.problems:
        transaction.set_rollback(True)
        return preview
    ImportBatch.objects.filter(pk=batch.pk).update(applied_count=len(preview.rows))
    return preview
