"""Safe reading of uploaded CSV and XLSX files into rows of text.

Uploads are hostile until proven otherwise: every limit below is checked before
the data reaches the import rules, and each problem is reported as a
SpreadsheetError whose message names the row and column where there is one.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from defusedxml import DefusedXmlException  # openpyxl parses with defusedxml when it is installed
from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

XLSX_MAGIC = b"PK\x03\x04"
# The widest template has 22 columns. An XLSX is read to one column past this, so a
# value there is refused; anything further right is never read.
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


def read_sheet(filename: str, content: bytes, limits: Limits | None = None) -> Sheet:
    """Reads a .csv or .xlsx upload, enforcing size, row and cell limits."""
    limits = limits or Limits.from_settings()
    if len(content) > limits.max_file_bytes:
        raise SpreadsheetError(
            f"The file is {len(content) / 1_048_576:.1f} MB; the limit is {limits.max_file_bytes / 1_048_576:.0f} MB."
        )
    if not content.strip():
        raise SpreadsheetError("The file is empty.")
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(content, limits)
    elif filename.lower().endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise SpreadsheetError("Upload a .csv or .xlsx file.")
    return _collect(rows, limits)


def _collect(rows: Iterator[list[str]], limits: Limits) -> Sheet:
    headers: list[str] | None = None
    data: list[tuple[int, list[str]]] = []
    for row_number, cells in enumerate(rows, start=1):
        if row_number > limits.max_rows + BLANK_ROW_ALLOWANCE + 1:
            raise SpreadsheetError(
                f"The sheet has more than {limits.max_rows + BLANK_ROW_ALLOWANCE:,} rows, blank ones included."
            )
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
    if any(cell for cell in cells[MAX_COLUMNS:]):
        raise SpreadsheetError(f"Row {row_number} has values beyond column {get_column_letter(MAX_COLUMNS)}.")
    for index, cell in enumerate(cells, start=1):
        if len(cell) > limits.max_cell_chars:
            raise SpreadsheetError(
                f"Row {row_number}, column {get_column_letter(index)}: the cell holds {len(cell):,} characters; "
                f"the limit is {limits.max_cell_chars:,}."
            )


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpreadsheetError(
            f"The file is not UTF-8 text (byte {error.start}). Save it as “CSV UTF-8” and upload it again."
        ) from error
    if "\x00" in text:
        raise SpreadsheetError("The file is not a CSV text file (it contains binary data).")
    # The whole file is already under the byte limit, so the csv module's own
    # field limit only needs to be out of the way; cells are checked in _check_cells.
    csv.field_size_limit(len(text) + 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as error:
        raise SpreadsheetError(f"Row {reader.line_num}: the CSV is malformed ({error}).") from error


def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[list[str]]:
    if not content.startswith(XLSX_MAGIC):
        raise SpreadsheetError("The file is not an Excel workbook (.xlsx).")
    _check_zip(content, limits)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            sheet = workbook.worksheets[0]
            # The file's own size claim is untrusted: with it, openpyxl pads every row
            # to the claimed width and height, which a tiny file can make enormous.
            sheet.reset_dimensions()
            # Read-only mode parses the sheet lazily, so broken XML surfaces here too.
            for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1):
                yield [_xlsx_text(cell) for cell in row]
        finally:
            workbook.close()
    except SpreadsheetError:
        raise
    except Exception as error:  # openpyxl raises many types for broken files
        raise SpreadsheetError(_workbook_problem(error)) from error


def _workbook_problem(error: BaseException) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return "The workbook declares XML entities (a possible XML bomb); it was not read."
        cause = cause.__cause__ or cause.__context__
    return f"The workbook cannot be opened: {error}"


def _check_zip(content: bytes, limits: Limits) -> None:
    """Refuses zip bombs before openpyxl inflates anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise SpreadsheetError("The file is not a valid .xlsx workbook (broken zip).") from error
    unzipped = sum(member.file_size for member in members)
    if unzipped > limits.max_unzipped_bytes:
        raise SpreadsheetError(
            f"The workbook unpacks to {unzipped / 1_048_576:,.0f} MB; the limit is "
            f"{limits.max_unzipped_bytes / 1_048_576:.0f} MB."
        )


def _xlsx_text(cell) -> str:
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        raise SpreadsheetError(
            f"Row {cell.row}, column {cell.column_letter}: formulas are not accepted; paste the values instead."
        )
    return cell_text(value)


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
