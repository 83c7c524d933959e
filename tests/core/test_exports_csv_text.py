"""CSV made by PostgreSQL (`exports.CsvTextQuery`) is byte for byte what Python writes from values.

On PostgreSQL a CSV export's fields are written by the database: labels, yes or no,
dates, days left, numbers, many-to-many texts, formula neutralising and quote doubling.
Here both ways write the same export of hostile rows, and the SQL neutralising is
compared with `formulas.neutralise` on any text. The other export tests compare either
way with the screen, on whichever database they run.
"""

import datetime

import pytest
from django.db import connection
from django.db.models import Value
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procurement.core import exports
from procurement.core.export_columns import csv_field, field, sql_csv_field
from procurement.core.quoted_csv import quoted_lines
from procurement.inventory.models import Agency, System
from procurement.inventory.tables import ContractTable
from tests.core.test_exports import ALL_SYSTEM_COLUMNS, SYSTEM_LIST, make_systems
from tests.factories import ContractFactory, ProductFactory, SystemFactory, VendorFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="CSV text is made by PostgreSQL only")

HOSTILE = ["=1+2", "+1", "-1", "@SUM(A1)", "\tTab", "\rReturn", "'quoted", 'say "hi", then; go', "Ann\nBen", ""]


def both_ways(client, user, url_name: str, params: dict) -> tuple[str, str]:
    """The export's rows as PostgreSQL writes them, and as Python writes them from values."""
    client.force_login(user)
    table = client.get(reverse(url_name), params).context["table"]
    context = exports.export_context(user)
    text_query = exports.csv_text_query(table, context)
    assert text_query is not None
    by_postgresql = "".join(exports.csv_text_chunks(text_query))
    by_python = "".join(quoted_lines(chunk.columns, chunk.rows) for chunk in exports.export_chunks(table, context))
    return by_postgresql, by_python


@on_postgresql
@pytest.mark.parametrize("chunk_rows", [7, exports.CHUNK_ROWS])
def test_system_rows_are_written_as_python_writes_them(
    client, alice, component_a, directive, system_b, monkeypatch, chunk_rows
):
    monkeypatch.setattr(exports, "CHUNK_ROWS", chunk_rows)
    systems = make_systems(40, component_a, directive, hidden=system_b)
    for number, (system, text) in enumerate(zip(systems, HOSTILE * 4, strict=True)):
        # Every text column hostile, and codes no choice has (imports of old files hold such).
        System.objects.filter(pk=system.pk).update(
            fisma_id=f"{text[:1]}ID-{number}",
            mission_function=text,
            environment=text,
            owner_email=f"{text}@example.gov",
            status=text if number % 2 else system.status,
            identification_method=f'{text}"code"',
        )
    system_b.fisma_id = '=HIDDEN"'
    system_b.save()
    hostile_vendor = VendorFactory(name='-"Q" Corp')
    systems[1].covered_products.add(ProductFactory(vendor=hostile_vendor, name="=X"))
    for sort in ["name", "-removal_deadline", "status"]:
        by_postgresql, by_python = both_ways(client, alice, SYSTEM_LIST, {"columns": ALL_SYSTEM_COLUMNS, "sort": sort})
        assert by_postgresql == by_python
        assert by_postgresql.count("\r\n") >= 40 and "HIDDEN" not in by_postgresql
        assert '"\'-""Q"" Corp =X' in by_postgresql  # neutralised, quotes doubled


@on_postgresql
def test_each_column_alone_and_in_runs_between_linked_ones(client, alice, component_a, directive, system_b):
    make_systems(12, component_a, directive, hidden=system_b)
    for columns in [[name] for name in ALL_SYSTEM_COLUMNS] + [["covered_products", "depends_on"]]:
        by_postgresql, by_python = both_ways(client, alice, SYSTEM_LIST, {"columns": columns})
        assert by_postgresql == by_python, columns


@on_postgresql
def test_contract_rows_are_written_as_python_writes_them(client, alice, component_a, contract_a, system_a):
    contract_a.systems.add(SystemFactory(agency=component_a, directive=system_a.directive, fisma_id="@SYS"))
    ContractFactory(agency=component_a, vehicle='=HYPERLINK("x")', value="99.90", option_date=datetime.date(2027, 1, 2))
    ContractFactory(agency=component_a, vendor_name="+Vendor", value=None, end_date=None)
    params = {"columns": list(ContractTable.export_columns)}
    by_postgresql, by_python = both_ways(client, alice, "inventory:contract-list", params)
    assert by_postgresql == by_python


@on_postgresql
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6))
def test_sql_neutralising_and_quoting_is_pythons(agency_a, text):
    (written,) = Agency.objects.filter(pk=agency_a.pk).annotate(text=sql_csv_field(Value(text))).values_list("text")
    assert written == (csv_field(text),)


def test_date_times_are_left_to_python():
    """Their text would follow the session's time zone and date style: such exports read values."""
    from planner.models import Milestone

    context = exports.export_context(None)
    assert field("done_at").csv_text(context, Milestone) is None
    assert field("due_on").csv_text(context, Milestone) is not None
