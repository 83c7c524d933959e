from django.apps import AppConfig


class PlannerConfig(AppConfig):
    """Planning in the app around `planner.engine` (work templates, teams, plans: the planning issue)."""

    name = "planner"
    label = "planner"

    def ready(self) -> None:
        from planner.setup_selectors import planning_panel
        from procurement.inventory.panels import register_system_panel

        register_system_panel("planner/system_planning.html", planning_panel)
