"""Reads of bulk import: a user's unconfirmed uploads, for the upload page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings

from procurement.inventory.enums import ImportKind
from procurement.inventory.models import ImportBatch, User


@dataclass(frozen=True)
class PendingImport:
    """An unconfirmed upload the user can go back to, and when it will be discarded."""

    id: object
    filename: str
    kind_label: str
    row_count: int
    created_at: datetime.datetime
    expires_at: datetime.datetime


@dataclass(frozen=True)
class PendingImports:
    """The user's unconfirmed uploads, newest first, with the rules that discard them."""

    batches: list[PendingImport]
    most: int
    kept_for: str


def import_batch_retention() -> tuple[int, str]:
    """How many unconfirmed imports a user keeps, and for how long, in words ("24 hours")."""
    return settings.IMPORT_MAX_PENDING_BATCHES, duration_text(settings.IMPORT_BATCH_TTL_SECONDS)


def duration_text(seconds: int) -> str:
    """86400 → "24 hours", 172800 → "2 days", 1800 → "30 minutes"."""
    if seconds % 86_400 == 0 and seconds >= 2 * 86_400:
        count, unit = seconds // 86_400, "day"
    elif seconds % 3_600 == 0:
        count, unit = seconds // 3_600, "hour"
    elif seconds % 60 == 0:
        count, unit = seconds // 60, "minute"
    else:
        count, unit = seconds, "second"
    return f"{count:,} {unit}{'' if count == 1 else 's'}"


def import_batches_pending(user: User) -> PendingImports:
    most, kept_for_text = import_batch_retention()
    kept_for = datetime.timedelta(seconds=settings.IMPORT_BATCH_TTL_SECONDS)
    rows = ImportBatch.objects.pending().filter(user=user).order_by("-created_at")
    batches = [
        PendingImport(
            id=pk,
            filename=filename,
            kind_label=ImportKind(kind).label,
            row_count=row_count,
            created_at=created_at,
            expires_at=created_at + kept_for,
        )
        for pk, filename, kind, row_count, created_at in rows.values_list(
            "pk", "filename", "kind", "row_count", "created_at"
        )
    ]
    return PendingImports(batches=batches, most=most, kept_for=kept_for_text)
