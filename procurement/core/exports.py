"""CSV and XLSX files of exactly the rows and columns a list shows on screen.

Rows are read with `iterator()` so memory stays bounded whatever the size: CSV is
streamed to the client, XLSX is built by openpyxl's write-only mode in a temporary
file. Text that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django_tables2.rows import BoundRow
from openpyxl import Workbook

from procurement.core.tables import PhaseoutTable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_PREFIX = "'"
CHUNK_ROWS = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: object) -> object:
    """Prefixes text a spreadsheet would treat as a formula (OWASP CSV injection).

    Text that already starts with the prefix gets one more, so that import, which
    removes one, gives back exactly what was stored.
    """
    if isinstance(value, str) and value.startswith((*FORMULA_TRIGGERS, NEUTRALISING_PREFIX)):
        return NEUTRALISING_PREFIX + value
    return value


def export_headers(table: PhaseoutTable) -> list[str]:
    return [str(table.columns[name].header) for name in table.visible_column_names()]


def export_rows(table: PhaseoutTable) -> Iterator[list[object]]:
    """The table's visible cells as plain values, reading the queryset in chunks."""
    names = table.visible_column_names()
    queryset = table.data.data
    for record in queryset.iterator(chunk_size=CHUNK_ROWS):
        row = BoundRow(record, table=table)
        yield [plain(row.get_cell_value(name)) for name in names]


def plain(value: object) -> object:
    if value is None or value == "—":
        return ""
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal | int | float):
        return value
    return str(value)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_response(table: PhaseoutTable, basename: str) -> StreamingHttpResponse:
    # Every field quoted: a spreadsheet using ";" as separator must not split a cell
    # into pieces of which one starts with "=".
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)

    def lines() -> Iterator[str]:
        yield "\ufeff"  # lets Excel open UTF-8 correctly
        yield writer.writerow(export_headers(table))
        for row in export_rows(table):
            yield writer.writerow([neutralise(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{basename}.csv"'
    return response


def xlsx_response(table: PhaseoutTable, basename: str) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=basename[:31])
    sheet.append(export_headers(table))
    for row in export_rows(table):
        # openpyxl writes any string starting with "=" as a formula; neutralised
        # text never does.
        sheet.append([neutralise(value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes and so removes it)
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=f"{basename}.xlsx", content_type=XLSX_CONTENT_TYPE)
