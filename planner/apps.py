from django.apps import AppConfig


class PlannerConfig(AppConfig):
    """Planning engine adapters, plans, milestones and reminders (filled by later issues)."""

    name = "planner"
