"""A beat scheduler that runs the schedule only while it holds the database lease.

Start two beats and one holds the lease ("beat"), renewing it on every tick; the other
sends nothing until the lease expires (its holder stopped). The lease lives in the
database, so it needs neither Redis nor celery-redbeat and works with the embedded setup.
"""

from __future__ import annotations

import os
import socket
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings
from django.utils import timezone

from procurement.reminders import services

LEASE_NAME = "beat"


class LeasedScheduler(PersistentScheduler):
    """PersistentScheduler, gated by `services.beat_lease_hold`."""

    def __init__(self, *args, **kwargs) -> None:
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        seconds = settings.REMINDER_BEAT_LEASE_SECONDS
        try:
            holding = services.beat_lease_hold(name=LEASE_NAME, holder=self.holder, now=timezone.now(), seconds=seconds)
        except Exception:  # the database is down: send nothing, try again soon
            holding = False
        if not holding:
            return min(self.max_interval, seconds / 3)
        # Wake at least every third of the lease, so the holder renews it well before it ends.
        return min(super().tick(*args, **kwargs), seconds / 3)
