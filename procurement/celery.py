"""The Celery application shared by every Phaseout worker and beat process."""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

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
    # Old export jobs and their files are deleted, and jobs whose worker was lost failed.
    "clean-export-jobs": {
        "task": "procurement.core.tasks.export_jobs_clean",
        "schedule": crontab(minute=43),
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
