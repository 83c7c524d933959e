"""Writes of bulk import: parse an upload once, preview its rows, apply them all or nothing, expire the rest."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.inventory.imports.importers import IMPORTERS, Preview
from procurement.inventory.imports.readers import read_sheet
from procurement.inventory.imports.sheets import Sheet, SpreadsheetError, sheet_pack, sheet_unpack
from procurement.inventory.models import ImportBatch, User

NO_LONGER_KEPT = (
    "This import is no longer kept (unconfirmed imports are discarded after a while); upload the file again."
)


@dataclass(frozen=True)
class Upload:
    """A new batch, and the user's older unconfirmed batches discarded to stay within the limit."""

    batch: ImportBatch
    discarded: list[str]


def import_batch_create(*, user: User, kind: str, filename: str, content: bytes) -> ImportBatch:
    """Parses an upload once and keeps its rows for preview; may raise SpreadsheetError."""
    return import_batch_upload(user=user, kind=kind, filename=filename, content=content).batch


def import_batch_upload(*, user: User, kind: str, filename: str, content: bytes) -> Upload:
    """Like import_batch_create, also naming the oldest unconfirmed batches it discarded.

    A user keeps IMPORT_MAX_PENDING_BATCHES unconfirmed batches: uploading a corrected
    file again and again is the usual way to work through a preview's problems, so the
    abandoned ones make room rather than block the next upload.
    """
    sheet = read_sheet(filename, content)  # parsed before the transaction: it may take seconds
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            user=user, kind=kind, filename=filename, parsed=sheet_pack(sheet), row_count=len(sheet.rows)
        )
        discarded = _discard_beyond_limit(user)
    return Upload(batch=batch, discarded=discarded)


def _discard_beyond_limit(user: User) -> list[str]:
    pending = ImportBatch.objects.pending().filter(user=user).order_by("-created_at", "-pk")
    extra = list(pending.values_list("pk", "filename")[settings.IMPORT_MAX_PENDING_BATCHES :])
    ImportBatch.objects.filter(pk__in=[pk for pk, _ in extra]).delete()
    return [filename for _, filename in extra]


def import_batch_preview(batch: ImportBatch) -> Preview:
    """What applying the batch would do, from its stored rows.

    Remembers the version of each record the preview showed: confirming reports, and
    does not overwrite, a record someone changed after this preview.
    """
    importer = IMPORTERS[batch.kind](batch.user)
    preview = importer.preview(_stored_sheet(batch))
    batch.previewed_versions = preview.versions(importer.record_key)
    ImportBatch.objects.filter(pk=batch.pk).update(previewed_versions=batch.previewed_versions)
    return preview


def _stored_sheet(batch: ImportBatch) -> Sheet:
    if batch.parsed is None:
        raise SpreadsheetError(NO_LONGER_KEPT)
    return sheet_unpack(bytes(batch.parsed))


@transaction.atomic
def import_batch_apply(*, user: User, batch: ImportBatch) -> Preview:
    """Applies every row or none; a batch is applied at most once, and then keeps only its counts."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, user=user, applied_at__isnull=True).update(
        applied_at=timezone.now()
    )
    if not claimed:
        exists = ImportBatch.objects.filter(pk=batch.pk).exists()
        raise ValidationError("This file has already been imported." if exists else NO_LONGER_KEPT)
    previewed = ImportBatch.objects.values_list("previewed_versions", flat=True).get(pk=batch.pk)
    reason = f"import of {batch.filename}"[:100]
    preview = IMPORTERS[batch.kind](user).apply(_stored_sheet(batch), previewed_versions=previewed, reason=reason)
    if preview.problems:
        transaction.set_rollback(True)
        return preview
    ImportBatch.objects.filter(pk=batch.pk).update(applied_count=len(preview.rows), parsed=None)
    return preview


def import_batch_discard(*, user: User, batch: ImportBatch) -> None:
    """The user's own unconfirmed batch, dropped at their request."""
    ImportBatch.objects.pending().filter(pk=batch.pk, user=user).delete()


def import_batch_expire(now: datetime.datetime) -> int:
    """Deletes unconfirmed batches older than IMPORT_BATCH_TTL_SECONDS; returns how many."""
    cutoff = now - datetime.timedelta(seconds=settings.IMPORT_BATCH_TTL_SECONDS)
    deleted, _ = ImportBatch.objects.pending().filter(created_at__lt=cutoff).delete()
    return deleted
