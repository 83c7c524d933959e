"""The Celery application shared by every Phaseout worker and beat process."""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")

app = Celery("phaseout")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic task, declared here and nowhere else. Beat reads this on start, so a
# restart installs any change, and installing it twice changes nothing.
BEAT_SCHEDULE = {
    # Unconfirmed import batches hold parsed rows; they go after IMPORT_BATCH_TTL_SECONDS.
    "expire-import-batches": {
        "task": "procurement.inventory.tasks.import_batches_expire",
        "schedule": crontab(minute=17),
    },
    # Discovery's uploaded files keep their parsed rows no longer than import batches do.
    "expire-discovery-files": {
        "task": "procurement.discovery.tasks.source_files_expire_task",
        "schedule": crontab(minute=19),
    },
    # Compliance: waivers past their end return systems to "must remove" (owners told);
    # each period's status report drafts are made; revisions reaching their effective date
    # refresh deadlines. Daily, at night (each is idempotent, so a re-run changes nothing).
    "expire-waivers": {
        "task": "procurement.compliance.tasks.waivers_expire",
        "schedule": crontab(hour=1, minute=5),
    },
    "draft-status-reports": {
        "task": "procurement.compliance.tasks.status_reports_generate",
        "schedule": crontab(hour=2, minute=10),
    },
    "apply-directive-revisions": {
        "task": "procurement.compliance.tasks.directive_revisions_apply",
        "schedule": crontab(hour=0, minute=20),
    },
    # Old export jobs and their files are deleted, and jobs whose worker was lost failed.
    "clean-export-jobs": {
        "task": "procurement.core.tasks.export_jobs_clean",
        "schedule": crontab(minute=43),
    },
    # Plan runs whose worker died (no progress past their time limit and a margin, or never
    # picked up) fail with a reason on their page; the agency's current plan stays as it was.
    "fail-stuck-plans": {
        "task": "planner.tasks.plans_stuck_fail",
        "schedule": 300.0,
    },
    # Reminders: owe, cancel and gather notices, then hand digests to the workers. Often,
    # because each recipient's digest hour is reached in local time by our own code
    # (procurement/reminders/schedule.py), not by a crontab that misfires across DST.
    "sweep-reminders": {
        "task": "procurement.reminders.tasks.reminders_sweep",
        "schedule": float(settings.REMINDER_SWEEP_SECONDS),
        # A sweep still queued when the next is due is dropped: the next one does its work.
        "options": {"queue": settings.REMINDER_CELERY_QUEUE, "expires": float(settings.REMINDER_SWEEP_SECONDS)},
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE


def _make_filesystem_broker_folders() -> None:
    """The embedded file broker expects its folders to exist."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


_make_filesystem_broker_folders()
