"""Safe reading of uploaded CSV and XLSX files into rows of text.

Uploads are hostile until proven otherwise: every limit is checked before the data
reaches the import rules, and each problem is reported as a SpreadsheetError whose
message names the row and column where there is one. A file is read once, at upload
(the batch keeps the rows), in a child process that cannot take more than a few seconds
of CPU time or a few hundred megabytes of memory (guard.py): the checks in xlsx.py
refuse every known expensive workbook, the limits bound the ones nobody has thought of.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.conf import settings

from procurement.core.uploads import size_text, too_large_message
from procurement.inventory.imports import guard
from procurement.inventory.imports.sheets import Limits, Sheet, SpreadsheetError, cell_text, collect
from procurement.inventory.imports.xlsx import xlsx_rows

__all__ = ["Limits", "Sheet", "SpreadsheetError", "cell_text", "parse_sheet", "read_sheet"]


def read_sheet(filename: str, content: bytes, limits: Limits | None = None) -> Sheet:
    """Reads a .csv or .xlsx upload within the import limits and the parse budget."""
    limits = limits or Limits.from_settings()
    _check_file(filename, content, limits)
    budget = parse_budget()
    what = "workbook" if _is_xlsx(filename) else "file"
    try:
        return guard.run_limited(budget, parse_sheet, filename, content, limits)
    except guard.TooSlow as error:
        raise SpreadsheetError(
            f"The {what} took too long to read (more than {_seconds(budget.cpu_seconds)}); it was not imported. "
            f"{_advice(filename)}"
        ) from error
    except guard.TooHungry as error:
        raise SpreadsheetError(
            f"The {what} needs too much memory to read (more than {size_text(budget.memory_bytes)}); "
            f"it was not imported. "
            f"{_advice(filename)}"
        ) from error
    except guard.Crashed as error:
        raise SpreadsheetError(f"The {what} could not be read; it was not imported. {_advice(filename)}") from error


def parse_budget() -> guard.Budget:
    return guard.Budget(
        cpu_seconds=settings.IMPORT_PARSE_CPU_SECONDS,
        memory_bytes=settings.IMPORT_PARSE_MEMORY_BYTES,
        wall_seconds=settings.IMPORT_PARSE_TIMEOUT_SECONDS,
    )


def _seconds(count: int) -> str:
    return f"{count} second{'' if count == 1 else 's'}"


def _advice(filename: str) -> str:
    if _is_xlsx(filename):
        return "Copy the data into a new workbook and upload that, or save it as CSV."
    return "Split it into smaller files."


def _is_xlsx(filename: str) -> bool:
    return filename.lower().endswith(".xlsx")


def _check_file(filename: str, content: bytes, limits: Limits) -> None:
    """What needs no parsing is refused before a child process is started."""
    if len(content) > limits.max_file_bytes:
        raise SpreadsheetError(too_large_message(len(content), limits.max_file_bytes))
    if not content.strip():
        raise SpreadsheetError("The file is empty.")
    if not filename.lower().endswith((".csv", ".xlsx")):
        raise SpreadsheetError("Upload a .csv or .xlsx file.")


def parse_sheet(filename: str, content: bytes, limits: Limits) -> Sheet:
    """The parse itself, in the calling process: read_sheet runs it in the limited child."""
    _check_file(filename, content, limits)
    rows = xlsx_rows(content, limits) if _is_xlsx(filename) else _csv_rows(content)
    return collect(rows, limits)


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
    # field limit only needs to be out of the way; cells are checked in collect().
    csv.field_size_limit(len(text) + 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as error:
        raise SpreadsheetError(f"Row {reader.line_num}: the CSV is malformed ({error}).") from error
