"""Every periodic task in the one beat schedule names a task a worker really has."""

from procurement.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()  # what a worker does on start: autodiscover every app's tasks
    scheduled = {name: entry["task"] for name, entry in app.conf.beat_schedule.items()}
    assert scheduled, "the beat schedule is empty"
    missing = {name: task for name, task in scheduled.items() if task not in app.tasks}
    assert missing == {}
