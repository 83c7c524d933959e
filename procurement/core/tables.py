"""The project base table: common look, column choice and a stable sort for every list.

Exports (`core.exports`) read the same table, so screen and file agree.
"""

import django_tables2 as tables
import django_tables2.utils
from django.core.exceptions import ImproperlyConfigured

from procurement.core.export_columns import ExportColumn


class PhaseoutTable(tables.Table):
    """Common look and column choice for every list.

    `default_columns` are shown when the user has not chosen. `export_columns` says,
    for every column, where an export reads its plain value (`core.export_columns`):
    exports read values, never rendered cells, so every column needs one.
    """

    default_columns: tuple[str, ...] = ()
    export_columns: dict[str, ExportColumn] = {}

    class Meta:
        template_name = "tables/table.html"
        attrs = {"class": "usa-table usa-table--striped usa-table--compact usa-table--borderless width-full"}
        empty_text = "Nothing matches these filters."

    @property
    def order_by(self):
        return tables.Table.order_by.fget(self)

    @order_by.setter
    def order_by(self, value) -> None:
        """Sorts as asked, then by id, so OFFSET pages neither repeat nor skip rows."""
        tables.Table.order_by.fset(self, value)
        queryset = getattr(self.data, "data", None)
        if queryset is not None and queryset.query.order_by and "pk" not in queryset.query.order_by:
            self.data.data = queryset.order_by(*queryset.query.order_by, "pk")

    def choosable_columns(self) -> list[tuple[str, str]]:
        return [(column.name, str(column.header)) for column in self.columns.all()]

    def show_only(self, names: list[str]) -> None:
        chosen = set(names) or set(self.default_columns)
        for column in self.columns.all():
            if column.name in chosen:
                self.columns.show(column.name)
            else:
                self.columns.hide(column.name)

    def visible_column_names(self) -> list[str]:
        return [column.name for column in self.columns.all() if column.visible]

    def export_column(self, name: str) -> ExportColumn:
        try:
            return self.export_columns[name]
        except KeyError:
            table = type(self).__name__
            raise ImproperlyConfigured(f"{table}.export_columns has no entry for column “{name}”.") from None


class IsoDateColumn(tables.Column):
    """A date written YYYY-MM-DD, on screen and (as a date) in exports.

    django-tables2's DateColumn renders a template for every cell, which cost more
    than all other cells of a list page together.
    """

    def render(self, value) -> str:
        return value.isoformat()

    def value(self, value):
        return value


def memoise_render_signatures() -> None:
    """Makes django-tables2 inspect each render function's signature once, not per cell.

    django-tables2 calls `inspect.signature` on a column's render function for every
    cell it renders (225 times for one page of a list), which was a third of the
    table's rendering time. A function's signature never changes, so it is kept per
    function (bound methods are new objects on every access: the key is the function
    underneath, and whether it is bound, which drops `self`). Called once at start-up.
    """
    inspect_signature = django_tables2.utils.signature
    if getattr(inspect_signature, "memoised", False):
        return
    known: dict[tuple[object, bool], tuple] = {}

    def signature(function):
        key = (getattr(function, "__func__", function), hasattr(function, "__self__"))
        if key not in known:
            known[key] = inspect_signature(function)
        return known[key]

    signature.memoised = True
    django_tables2.utils.signature = signature
