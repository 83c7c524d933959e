from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Reminders and escalations owed for milestones: rows first, then digests by email and in the app."""

    name = "procurement.reminders"
    label = "reminders"
    verbose_name = "Reminders"
