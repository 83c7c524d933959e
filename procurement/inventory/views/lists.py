"""What the inventory's lists share on top of the generic list view."""

from procurement.core.views import FilteredTableView
from procurement.inventory import selectors


class InventoryListView(FilteredTableView):
    """An inventory list: add and import are offered to users who may change some agency."""

    template_name = "inventory/list.html"
    import_kind = ""

    def context(self, request, filterset, table, per_page) -> dict:
        return {**super().context(request, filterset, table, per_page), "import_kind": self.import_kind}

    def may_add(self, user) -> bool:
        return selectors.can_change_anything(user)
