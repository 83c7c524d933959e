"""`manage.py send_reminders [--now ISO-DATETIME]`: one sweep and send, here and now, as one JSON line.

{"created": 120, "sent": 35, "failed": 0, "skipped": 2, "seconds": 0.8}: rows created,
digests sent, digests failed for good (or waiting to retry), and notices or digests
skipped (in the app only, cancelled, or taken by a worker meanwhile).
"""

from __future__ import annotations

import datetime
import json
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from procurement.reminders import services


def parse_now(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--now {text!r} is not an ISO date and time, e.g. 2026-03-09T09:00-04:00") from error
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)  # read in TIME_ZONE, as people write it
    return moment.astimezone(datetime.UTC)


class Command(BaseCommand):
    help = "Runs one reminder sweep and sends the digests it owes, synchronously; prints one JSON line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", type=parse_now, help="Sweep as of this instant (ISO 8601; default: now).")

    def handle(self, *args, now: datetime.datetime | None, **options) -> None:
        started = time.perf_counter()
        result = services.reminders_sweep(now or timezone.now())
        counts = services.digests_send(result.digest_ids, now=now)
        summary = {
            "created": result.created,
            "sent": counts.sent,
            "failed": counts.failed + counts.retrying,
            "skipped": counts.skipped + result.in_app_only,
            "seconds": round(time.perf_counter() - started, 3),
        }
        self.stdout.write(json.dumps(summary))
