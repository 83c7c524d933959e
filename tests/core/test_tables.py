"""The project base table's helpers."""

import datetime
from decimal import Decimal

import django_tables2.data
import django_tables2.utils
from django.template import Context, Template

from procurement.core.tables import IsoDateColumn
from procurement.inventory import selectors
from procurement.inventory.enums import Criticality
from procurement.inventory.tables import ContractTable, SystemTable
from tests.factories import SystemFactory


class Renderer:
    def render_plain(self, value):
        return value

    def render_with_record(self, record, value):
        return record, value


def test_render_signatures_are_kept_per_function_and_binding():
    signature = django_tables2.utils.signature
    assert getattr(signature, "memoised", False)
    first, second = Renderer(), Renderer()
    assert signature(first.render_plain) == (("value",), None)
    assert signature(second.render_with_record) == (("record", "value"), None)
    assert signature(Renderer.render_plain) == (("self", "value"), None)  # unbound keeps self
    assert signature(first.render_plain) == (("value",), None)


def test_iso_date_column_renders_text_and_exports_the_date():
    column, day = IsoDateColumn(), datetime.date(2026, 8, 27)
    assert column.render(day) == "2026-08-27"
    assert column.value(day) == day


LIBRARY_ROWS = Template(
    "{% for row in table.paginated_rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>\n{% endfor %}"
)


def rows_both_ways(table) -> tuple[list[str], list[str]]:
    """The table's rows as `rendered_rows` writes them and as django-tables2's cell rendering does."""
    table.show_only([name for name, _ in table.choosable_columns()])
    table.paginate(per_page=25)
    library = LIBRARY_ROWS.render(Context({"table": table})).split("\n")[:-1]
    return [str(row) for row in table.rendered_rows()], library


def test_rendered_rows_equal_the_librarys_cells_in_every_column(olga, agency_a, contract_a, system_b, directive):
    odd = SystemFactory(
        agency=agency_a,
        directive=directive,
        name="<b>Tom & Jerry</b>",  # escaped once, linked to its page
        owner_name="O'Brien <ops> & co",  # plain text: escaped as the template would
        user_count=12345,  # localised as the template would
        cost_estimate=Decimal("1234.5"),
        national_security_system=True,
        replacement="",  # empty: the column's default
        criticality=Criticality.HIGH,
    )
    odd.depends_on.add(system_b)
    systems, library = rows_both_ways(SystemTable(selectors.system_queryset(olga)))
    assert systems == library
    assert len(systems) == 3 and "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in systems[0]
    assert "<td>O&#x27;Brien &lt;ops&gt; &amp; co</td>" in systems[0]
    contracts, library = rows_both_ways(ContractTable(selectors.contract_queryset(olga)))
    assert contracts == library and len(contracts) == 1


def test_a_sort_is_read_back_from_an_ordered_queryset_and_none_from_an_unordered_one(olga, system_b):
    visible = selectors.system_queryset(olga)
    assert list(SystemTable(visible.order_by("-fisma_id")).order_by) == ["-fisma_id"]
    unordered = SystemTable(visible)
    assert not unordered.order_by
    assert not any(column.is_ordered for column in unordered.columns)
    assert list(SystemTable(visible, order_by=("name",)).order_by) == ["name"]


def test_an_unordered_queryset_is_not_searched_for_a_sort(olga, system_b, monkeypatch):
    """Reading a sort back tries every column's sort (half of building a list's table); with
    no ORDER BY on the queryset there is nothing to find, and the table does not look."""

    def no_reading_back(data):
        raise AssertionError("the sort was read back from an unordered queryset")

    monkeypatch.setattr(django_tables2.data.TableQuerysetData, "ordering", property(no_reading_back))
    SystemTable(selectors.system_queryset(olga))
