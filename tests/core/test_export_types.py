"""Exports keep types: dates as dates, money as numbers in a currency format, booleans as on screen."""

import csv
import datetime
import decimal
import io

import pytest
from django.urls import reverse
from django.utils.html import strip_tags
from openpyxl import load_workbook

from tests.factories import ContractFactory, SystemFactory

COLUMNS = ["fisma_id", "national_security_system", "removal_deadline", "cost_estimate"]


@pytest.fixture
def systems(component_a, directive):
    return [
        SystemFactory(
            agency=component_a,
            directive=directive,
            name="A",
            national_security_system=True,
            cost_estimate=decimal.Decimal("1234567.5"),
        ),
        SystemFactory(agency=component_a, directive=directive, name="B", national_security_system=False),
    ]


def export(client, url_name: str, columns: list[str], file_format: str) -> bytes:
    response = client.get(reverse(url_name), {"columns": columns, "export": file_format})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def worksheet(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def test_xlsx_dates_are_dates_and_money_is_a_number_in_dollars(client, alice, systems):
    client.force_login(alice)
    sheet = worksheet(export(client, "inventory:system-list", COLUMNS, "xlsx"))
    deadline, money = sheet["C2"], sheet["D2"]
    assert deadline.is_date and deadline.value.date() == systems[0].removal_deadline
    assert deadline.number_format == "yyyy-mm-dd"
    assert money.data_type == "n" and money.value == 1234567.5
    assert money.number_format == '"$"#,##0.00'
    assert sheet["D3"].value is None  # no estimate: an empty cell, not 0


def test_contract_value_is_money_too(client, alice, component_a):
    ContractFactory(agency=component_a, value=decimal.Decimal("99.90"), option_date=datetime.date(2027, 1, 2))
    client.force_login(alice)
    sheet = worksheet(export(client, "inventory:contract-list", ["contract_number", "value", "option_date"], "xlsx"))
    assert (sheet["B2"].value, sheet["B2"].number_format) == (99.9, '"$"#,##0.00')
    assert sheet["C2"].is_date


def test_csv_money_is_the_plain_number_import_reads(client, alice, systems):
    client.force_login(alice)
    rows = list(csv.reader(io.StringIO(export(client, "inventory:system-list", COLUMNS, "csv").decode("utf-8-sig"))))
    assert rows[1][3] == "1234567.50" and rows[2][3] == ""


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_booleans_are_the_words_on_screen(client, alice, systems, file_format):
    client.force_login(alice)
    table = client.get(reverse("inventory:system-list"), {"columns": COLUMNS}).context["table"]
    on_screen = [strip_tags(row.get_cell("national_security_system")) for row in table.rows]
    assert on_screen == ["Yes", "No"]
    content = export(client, "inventory:system-list", COLUMNS, file_format)
    if file_format == "csv":
        in_file = [row[1] for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))][1:]
    else:
        in_file = [row[1] for row in worksheet(content).iter_rows(min_row=2, values_only=True)]
    assert in_file == on_screen


def test_money_on_screen_has_dollars_and_separators(client, alice, systems):
    client.force_login(alice)
    table = client.get(reverse("inventory:system-list"), {"columns": COLUMNS}).context["table"]
    assert [strip_tags(row.get_cell("cost_estimate")) for row in table.rows] == ["$1,234,567.50", "—"]
