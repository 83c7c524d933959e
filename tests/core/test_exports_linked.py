"""Many-to-many columns read for a whole export (`export_columns.LinkedValues`).

Each such column is one query for all of the export's rows, whatever their number of
chunks; its texts are placed against each chunk's rows by id. Small chunks put rows with
links on both sides of every chunk boundary.
"""

import pytest

from procurement.core import exports
from procurement.inventory.tables import ContractTable
from tests.core.test_exports import (
    ALL_SYSTEM_COLUMNS,
    SYSTEM_LIST,
    csv_export,
    export_queries,
    make_systems,
    numbers_as_numbers,
    screen,
    xlsx_export,
)
from tests.factories import ContractFactory, SystemFactory

LINKED_COLUMNS = ["name", "covered_products", "depends_on"]


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_ROWS", 7)


@pytest.mark.parametrize("sort", ["name", "-name", "-criticality"])
def test_linked_cells_across_chunks_are_the_screens(alice_client, component_a, directive, system_b, small_chunks, sort):
    make_systems(30, component_a, directive, hidden=system_b)  # five chunks, the last one short
    params = {"columns": LINKED_COLUMNS, "sort": sort}
    headers, expected = screen(alice_client, SYSTEM_LIST, params)
    linked_rows = [row for row in expected if row[1] and row[2]]
    assert len(expected) == 30 and len(linked_rows) >= 5  # links in most chunks
    assert system_b.fisma_id not in str(expected)  # another agency's system stays hidden
    assert csv_export(alice_client, SYSTEM_LIST, params) == (headers, expected)
    assert xlsx_export(alice_client, SYSTEM_LIST, params) == (headers, numbers_as_numbers(expected))


def test_contract_systems_across_chunks_equal_the_screen(alice_client, component_a, directive, small_chunks):
    systems = [SystemFactory(agency=component_a, directive=directive, name=f"System {n:02d}") for n in range(12)]
    for number in range(20):
        contract = ContractFactory(agency=component_a, contract_number=f"C-{number:02d}")
        contract.systems.add(*systems[number % 5 : number % 5 + number % 4])
    params = {"columns": list(ContractTable.export_columns)}
    headers, expected = screen(alice_client, "inventory:contract-list", params)
    assert sum(1 for row in expected if "; " in row[-1]) >= 5
    assert csv_export(alice_client, "inventory:contract-list", params) == (headers, expected)


def test_queries_do_not_grow_with_rows_or_chunks(alice_client, component_a, directive, small_chunks):
    make_systems(3, component_a, directive)
    one_chunk = export_queries(alice_client, {"columns": ALL_SYSTEM_COLUMNS})
    make_systems(60, component_a, directive)  # ten chunks
    assert export_queries(alice_client, {"columns": ALL_SYSTEM_COLUMNS}) == one_chunk
    without_linked = [name for name in ALL_SYSTEM_COLUMNS if name not in ("covered_products", "depends_on")]
    assert one_chunk == export_queries(alice_client, {"columns": without_linked}) + 2  # one per linked column
