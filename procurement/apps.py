from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    """The inventory domain: agencies, directives, systems and contracts."""

    name = "procurement"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from procurement import signals  # noqa: F401  (connects the login timestamp)
