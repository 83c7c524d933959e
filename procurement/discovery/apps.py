from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    """Finding the systems that depend on the covered vendor in the files agencies already keep."""

    name = "procurement.discovery"
    label = "discovery"
    verbose_name = "Discovery"

    def ready(self) -> None:
        from procurement.discovery.panels import evidence_panel
        from procurement.inventory.panels import register_system_panel

        register_system_panel("discovery/system_evidence.html", evidence_panel)
