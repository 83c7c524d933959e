from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """What an agency shows the issuer: waivers, status reports, attestations, feeds."""

    name = "procurement.compliance"
    label = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from procurement.compliance.panels import waiver_panel
        from procurement.inventory.panels import register_system_panel

        register_system_panel("compliance/system_waivers.html", waiver_panel)
