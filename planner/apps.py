from django.apps import AppConfig


class PlannerConfig(AppConfig):
    """Planning in the app around `planner.engine` (work templates, teams, plans: the planning issue)."""

    name = "planner"
    label = "planner"
