"""What a read upload is: a header row and data rows of text, within the import limits.

Every reader (CSV, XLSX) yields rows of text and hands them to `collect`, so the row,
blank-row, column and cell limits are the same whatever the format. Nothing here reads
a file; the readers do, inside a resource-limited child process (guard.py).
"""

from __future__ import annotations

import datetime
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

# The widest template has 22 columns; values further right than this are refused.
MAX_COLUMNS = 60
# Blank rows are skipped, not imported, but still cost time to read: cap them too.
BLANK_ROW_ALLOWANCE = 1_000


class SpreadsheetError(ValueError):
    """The file cannot be read as a whole; nothing in it is applied."""


@dataclass(frozen=True)
class Sheet:
    """The header row and the data rows (each with its 1-based row number in the file)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass(frozen=True)
class Limits:
    """The import limits of the configuration table, passed to the readers explicitly."""

    max_file_bytes: int
    max_rows: int
    max_cell_chars: int
    max_unzipped_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_file_bytes=settings.IMPORT_MAX_FILE_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            max_unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_BYTES,
        )

    @property
    def max_sheet_rows(self) -> int:
        """The last row number a sheet may use: the header, the data rows and the blank allowance."""
        return self.max_rows + BLANK_ROW_ALLOWANCE + 1


def too_many_rows(limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(
        f"The sheet has more than {limits.max_rows + BLANK_ROW_ALLOWANCE:,} rows, blank ones included."
    )


def values_too_far_right(row_number: int) -> SpreadsheetError:
    return SpreadsheetError(f"Row {row_number} has values beyond column {column_letter(MAX_COLUMNS)}.")


def collect(rows: Iterable[list[str]], limits: Limits) -> Sheet:
    """The first row is the header; blank rows are skipped; every limit is checked as rows arrive."""
    headers: list[str] | None = None
    data: list[tuple[int, list[str]]] = []
    for row_number, cells in enumerate(rows, start=1):
        if row_number > limits.max_sheet_rows:
            raise too_many_rows(limits)
        _check_cells(row_number, cells, limits)
        if headers is None:
            headers = [cell.strip() for cell in cells]
            continue
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are common at the end of spreadsheets
        if len(data) >= limits.max_rows:
            raise SpreadsheetError(
                f"The file has more than {limits.max_rows:,} data rows; split it into smaller files."
            )
        data.append((row_number, cells))
    if not headers or not any(headers):
        raise SpreadsheetError("The first row must hold the column headers.")
    return Sheet(headers=headers, rows=data)


def _check_cells(row_number: int, cells: list[str], limits: Limits) -> None:
    if any(cells[MAX_COLUMNS:]):
        raise values_too_far_right(row_number)
    if not cells or max(map(len, cells)) <= limits.max_cell_chars:
        return  # the usual case, decided in C
    for index, cell in enumerate(cells, start=1):
        if len(cell) > limits.max_cell_chars:
            raise SpreadsheetError(
                f"Row {row_number}, column {column_letter(index)}: the cell holds {len(cell):,} characters; "
                f"the limit is {limits.max_cell_chars:,}."
            )


def column_letter(index: int) -> str:
    """1 → A, 27 → AA: the spreadsheet's own name for a column."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def cell_text(value: object) -> str:
    """A cell's value as the text an import reads: dates in ISO form, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sheet_pack(sheet: Sheet) -> bytes:
    """The parsed sheet as stored on its import batch: compressed JSON, a fraction of the text's size."""
    payload = {"headers": sheet.headers, "rows": sheet.rows}
    return zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), level=1)


def sheet_unpack(blob: bytes) -> Sheet:
    payload = json.loads(zlib.decompress(blob))
    return Sheet(headers=payload["headers"], rows=[(number, cells) for number, cells in payload["rows"]])
