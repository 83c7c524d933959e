"""What the inventory's lists share on top of the generic list view."""

from procurement.core.views import FilteredTableView
from procurement.inventory import selectors
from procurement.inventory.enums import Criticality, SystemStatus


class InventoryListView(FilteredTableView):
    """An inventory list: add, import and bulk actions are offered to users who may change some agency."""

    template_name = "inventory/list.html"
    import_kind = ""

    def context(self, request, filterset, table, per_page) -> dict:
        context = super().context(request, filterset, table, per_page)
        bulk_actions = "select" in table.page_columns and context["can_add"]
        if "select" in table.page_columns and not bulk_actions:
            table.columns.hide("select")  # nothing to select rows for
        return {
            **context,
            "import_kind": self.import_kind,
            "bulk_actions": bulk_actions,
            "statuses": SystemStatus.choices,
            "criticalities": Criticality.choices,
        }

    def may_add(self, user) -> bool:
        return selectors.can_change_anything(user)
