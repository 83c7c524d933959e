"""Each table has columns of its own: what one table shows or hides leaves every other table alone.

django-tables2 deep-copies a table class's columns for every table; `PhaseoutTable`
copies them one by one instead (`core.tables.ColumnsCopiedOneByOne`), which must keep
tables as separate as before.
"""

from procurement.inventory.models import System
from procurement.inventory.tables import SystemTable


def test_hiding_a_column_touches_that_table_only(db):
    first, second = SystemTable(System.objects.none()), SystemTable(System.objects.none())
    first.columns.hide("fisma_id")
    second.columns.show("network")
    assert not first.columns["fisma_id"].visible and second.columns["fisma_id"].visible
    assert second.columns["network"].visible and first.columns["network"].visible  # declared visible
    first.columns.hide("network")
    assert second.columns["network"].visible
    assert SystemTable(System.objects.none()).columns["fisma_id"].visible
    assert SystemTable.base_columns["fisma_id"].visible


def test_a_columns_attributes_and_cached_tags_are_its_tables_own(db):
    first, second = SystemTable(System.objects.none()), SystemTable(System.objects.none())
    first.columns["status"].column.attrs["td"] = {"class": "first-only"}
    first.columns["status"].column._tags["migrating"] = "first-only"
    assert "td" not in second.columns["status"].column.attrs
    assert "migrating" not in second.columns["status"].column._tags
    assert "td" not in SystemTable.base_columns["status"].attrs
