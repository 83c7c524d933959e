"""Reminder benchmark: a sweep over 100,000 open milestones, its re-run, and digests/s to an SMTP sink.

    DATABASE_URL=postgres://... python -m bench.reminders [--milestones 100000] [--digests 2000]

Uses the database DATABASE_URL names (migrated, emptied of milestones first: point it at a
throwaway one). Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from planner.models import Milestone  # noqa: E402
from procurement.inventory.models import Agency, Directive, User  # noqa: E402
from procurement.reminders import services  # noqa: E402
from procurement.reminders.models import Digest, Reminder  # noqa: E402
from tests.reminders.smtp_sink import SinkServer  # noqa: E402

KINDS = ["phase_identify", "phase_plan", "status_report"]


def populate(count: int) -> None:
    Reminder.objects.all().delete()
    Digest.objects.all().delete()
    Milestone.objects.all().delete()
    directive = Directive.objects.first() or Directive.objects.create(
        title="Bench", short_name="BENCH", issuing_authority="OMB", issued_on=datetime.date(2026, 2, 27)
    )
    agencies = list(Agency.objects.all()[:200])
    for number in range(len(agencies), 200):
        agencies.append(
            Agency.objects.create(name=f"Bench agency {number}", abbreviation=f"BA{number}", agency_type="civilian")
        )
    owners = list(User.objects.filter(username__startswith="bench-owner"))
    if len(owners) < 2000:
        User.objects.bulk_create(
            [User(username=f"bench-owner{n}", email=f"owner{n}@example.gov") for n in range(len(owners), 2000)]
        )
        owners = list(User.objects.filter(username__startswith="bench-owner"))
    today = timezone.localdate()
    rows = []
    for number in range(count):
        agency = agencies[number % len(agencies)]
        kind = KINDS[(number // len(agencies)) % len(KINDS)]
        offset = number // (len(agencies) * len(KINDS))  # unique (agency, directive, kind, due_on)
        rows.append(
            Milestone(
                agency=agency,
                directive=directive,
                kind=kind,
                title=f"Bench {number}",
                owner=owners[number % len(owners)],
                due_on=today + datetime.timedelta(days=offset - 60),
            )
        )
    Milestone.objects.bulk_create(rows, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--milestones", type=int, default=100_000)
    args = parser.parse_args()
    populate(args.milestones)
    now = timezone.now()
    started = time.perf_counter()
    first = services.reminders_sweep(now)
    sweep_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = services.reminders_sweep(now)
    rerun_seconds = time.perf_counter() - started
    print(
        f"sweep over {args.milestones} milestones: {first.created} rows, {len(first.digest_ids)} digests, "
        f"{sweep_seconds:.2f} s; re-run: {again.created} rows, {rerun_seconds:.2f} s"
    )
    with SinkServer() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        started = time.perf_counter()
        counts = services.digests_send(first.digest_ids, now=now)
        seconds = time.perf_counter() - started
    print(f"sent {counts.sent} digests in {seconds:.2f} s over one connection: {counts.sent / seconds:.0f} digests/s")


if __name__ == "__main__":
    main()
