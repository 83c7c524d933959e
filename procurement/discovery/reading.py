"""Reading an agency's own file (CSV or XLSX, any layout) within the import's limits.

The bounded path is inventory's (imports/readers.py, xlsx.py, guard.py): the same size
check before parsing, the same byte checks of an XLSX before calamine runs, the same
resource-limited child process. What differs is what agencies' published files need:
a CSV saved as Windows-1252 (the encoding is detected and named), and a title or notes
above the table (the header row is found, not assumed to be the first).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from charset_normalizer import from_bytes

from procurement.core.uploads import size_text
from procurement.inventory.imports import guard
from procurement.inventory.imports.readers import Limits, SpreadsheetError, parse_budget, read_sheet
from procurement.inventory.imports.sheets import MAX_COLUMNS, Sheet, too_many_rows, values_too_far_right
from procurement.inventory.imports.xlsx import xlsx_rows

# The header is looked for in the first rows only: a title, a date, a note, a blank line.
HEADER_SEARCH_ROWS = 20
# Tried in this order before any guessing: what Excel writes ("CSV UTF-8" and plain "CSV").
LIKELY_ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass(frozen=True)
class SourceSheet:
    """A parsed file: its header row (found) and data rows, and the encoding a CSV was read with."""

    sheet: Sheet
    header_row: int
    encoding: str


def read_source(filename: str, content: bytes, known_headers: Iterable[str] = (), limits: Limits | None = None):
    """Parses the upload in the limited child; raises SpreadsheetError naming what is wrong."""
    limits = limits or Limits.from_settings()
    _check_file(filename, content, limits)
    known = frozenset(normalise_header(header) for header in known_headers)
    budget = parse_budget()
    try:
        return guard.run_limited(budget, parse_source, filename, content, known, limits)
    except guard.TooSlow:
        problem = f"took too long to read (more than {budget.cpu_seconds} s of CPU)"
    except guard.TooHungry:
        problem = f"needs too much memory to read (more than {size_text(budget.memory_bytes)})"
    except guard.Crashed:
        problem = "could not be read"
    raise SpreadsheetError(f"The file {problem}; it was not imported. Split it, or save it again as CSV.")


def parse_source(filename: str, content: bytes, known: frozenset[str], limits: Limits) -> SourceSheet:
    """The parse itself, in the calling process: read_source runs it in the limited child."""
    _check_file(filename, content, limits)
    if filename.lower().endswith(".xlsx"):
        rows, encoding = list(_bounded(xlsx_rows(content, limits), limits)), ""
    else:
        text, encoding = decode(content)
        rows = list(_bounded(_csv_rows(text), limits))
    header_index = find_header(rows, known)
    headers = [cell.strip() for cell in rows[header_index]]
    data = [
        (number, cells)
        for number, cells in enumerate(rows[header_index + 1 :], start=header_index + 2)
        if any(cell.strip() for cell in cells)
    ]
    if len(data) > limits.max_rows:
        raise SpreadsheetError(f"The file has more than {limits.max_rows:,} data rows; split it into smaller files.")
    return SourceSheet(Sheet(headers=headers, rows=data), header_index + 1, encoding)


def _check_file(filename: str, content: bytes, limits: Limits) -> None:
    """What needs no parsing is refused as the import refuses it, before a child process starts."""
    if len(content) > limits.max_file_bytes or not content.strip() or not filename.lower().endswith((".csv", ".xlsx")):
        read_sheet(filename, content, limits)  # raises the import's own message


def decode(content: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was in: UTF-8, else Windows-1252, else detected."""
    for encoding in LIKELY_ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, "UTF-8" if encoding == "utf-8-sig" else "Windows-1252"
    best = from_bytes(content).best()
    if best is None or "\x00" in str(best):
        raise SpreadsheetError("The file is not a CSV text file (its encoding cannot be recognised).")
    return str(best), best.encoding


def _csv_rows(text: str) -> Iterator[list[str]]:
    csv.field_size_limit(len(text) + 1)  # the cell limit is checked in _bounded
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as error:
        raise SpreadsheetError(f"Row {reader.line_num}: the CSV is malformed ({error}).") from error


def _bounded(rows: Iterable[list[str]], limits: Limits) -> Iterator[list[str]]:
    """The rows, each checked against the import limits as it arrives (the reader stops at the first)."""
    for number, cells in enumerate(rows, start=1):
        if number > limits.max_sheet_rows:
            raise too_many_rows(limits)
        if any(cells[MAX_COLUMNS:]):
            raise values_too_far_right(number)
        for index, cell in enumerate(cells):
            if len(cell) > limits.max_cell_chars:
                raise SpreadsheetError(
                    f"Row {number}, column {index + 1}: the cell holds {len(cell):,} characters; "
                    f"the limit is {limits.max_cell_chars:,}."
                )
        yield cells[:MAX_COLUMNS]


def normalise_header(text: str) -> str:
    """Headers compared as words: case, line breaks, repeated spaces and trailing colons do not count."""
    return " ".join(text.replace("\u00a0", " ").split()).rstrip(":").lower()


def find_header(rows: list[list[str]], known: frozenset[str]) -> int:
    """The index of the header row among the first rows: the most known headers, else the most filled cells."""
    candidates = rows[:HEADER_SEARCH_ROWS]
    if not candidates:
        raise SpreadsheetError("The file holds no rows.")

    def score(index: int) -> tuple[int, int, int]:
        cells = [cell for cell in candidates[index] if cell.strip()]
        recognised = sum(1 for cell in cells if normalise_header(cell) in known)
        return recognised, len(cells), -index

    best = max(range(len(candidates)), key=score)
    if not any(cell.strip() for cell in candidates[best]):
        raise SpreadsheetError("The file has no header row in its first rows.")
    return best
