from django.apps import AppConfig


class InventoryConfig(AppConfig):
    """The inventory domain: agencies, directives, systems and contracts."""

    name = "procurement.inventory"
    label = "inventory"
    verbose_name = "Inventory"
