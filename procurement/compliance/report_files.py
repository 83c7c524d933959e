"""A status report as files: CSV (streamed), JSON (streamed), XLSX in the issuer's layout, PDF.

Every file reads the same `ReportContent` the report page shows (live for a draft, the
frozen snapshot once signed), so screen and file agree. CSV and XLSX reuse the list
exports' path: a draft's systems are read as plain values, a chunk at a time from a
server-side cursor (`core.exports.query_chunks`), converted and neutralised a column at
a time and written by `core.quoted_csv` and `core.xlsx` (several sheets, drop-down lists
by data validation); no record per row. The PDF is rendered by WeasyPrint from a template.
"""

from __future__ import annotations

import datetime
import json
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from itertools import islice, zip_longest
from typing import IO

from django.db.models.functions import Coalesce, Greatest
from django.template.loader import render_to_string

from procurement.compliance.canonical import json_default
from procurement.compliance.selectors import REPORT_ROW_FIELDS, ROW_KEYS, ReportContent
from procurement.core.export_columns import Labels
from procurement.core.exports import Chunk, ExportQuery, query_chunks
from procurement.core.formulas import neutralise
from procurement.core.quoted_csv import quoted_lines
from procurement.core.xlsx import WorkbookWriter, column_letters
from procurement.inventory.enums import Criticality, DependencyKind, Network, SystemStatus
from procurement.inventory.models import System

CHUNK_ROWS = 2000
PDF_DETAIL_ROWS = 2000
YES_NO = {True: "Yes", False: "No"}

# (header, record key, labels or None): what each inventory row shows, on screen and in files.
COLUMNS = (
    ("FISMA system ID", "fisma_id", None),
    ("System", "name", None),
    ("Agency", "agency", None),
    ("Status", "status", dict(SystemStatus.choices)),
    ("Dependency kind", "dependency_kind", dict(DependencyKind.choices)),
    ("Criticality", "criticality", dict(Criticality.choices)),
    ("Network", "network", dict(Network.choices)),
    ("NSS", "national_security_system", YES_NO),
    ("Removal deadline", "removal_deadline", None),
    ("Waiver until", "waiver_until", None),
    ("Deadline in force", "effective_deadline", None),
)
HEADERS = [header for header, _, _ in COLUMNS]
DATE_KEYS = frozenset({"removal_deadline", "waiver_until", "effective_deadline"})
# Free text someone typed, which a spreadsheet might take for a formula.
TEXT_KEYS = frozenset({"fisma_id", "name", "agency"})
EFFECTIVE_DEADLINE = "report_effective_deadline"


def display_row(record: dict) -> list:
    """One system as the screen shows it: labels for codes, dates as ISO text."""
    return [
        labels.get(record[key], record[key]) if labels else ("" if record[key] is None else record[key])
        for _, key, labels in COLUMNS
    ]


def _chunks(rows: Iterator[dict]) -> Iterator[list[dict]]:
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield chunk


# --- Rows as columns of plain values ----------------------------------------------------


def row_chunks(content: ReportContent, for_spreadsheet: bool = True) -> Iterator[Chunk]:
    """The report's systems in COLUMNS order, CHUNK_ROWS at a time, as columns of screen values.

    Dates are dates; for a spreadsheet, text that would run as a formula is neutralised.
    A draft is read from the database as plain values; a snapshot from its frozen records.
    """
    if content.systems is not None:
        yield from query_chunks(_draft_query(content, for_spreadsheet), CHUNK_ROWS)
        return
    # A snapshot's rows come from its records: the query only carries the conversions.
    query = ExportQuery(System.objects.none(), _steps(for_spreadsheet, dates_as_text=True))
    keys = [key for _, key, _ in COLUMNS]
    for records in _chunks(content.rows):
        yield query.chunk([tuple(record[key] for key in keys) for record in records])


def _draft_query(content: ReportContent, for_spreadsheet: bool) -> ExportQuery:
    """One `values_list` in COLUMNS order, FISMA ID order; the deadline in force computed in SQL."""
    paths = dict(zip(ROW_KEYS, REPORT_ROW_FIELDS, strict=True)) | {"effective_deadline": EFFECTIVE_DEADLINE}
    # `selectors.effective_deadline` in SQL: the later of the two dates, either if one is missing.
    later = Greatest(Coalesce("waiver_until", "removal_deadline"), Coalesce("removal_deadline", "waiver_until"))
    values = (
        content.systems.order_by("fisma_id")
        .annotate(**{EFFECTIVE_DEADLINE: later})
        .values_list(*(paths[key] for _, key, _ in COLUMNS))
    )
    return ExportQuery(values, _steps(for_spreadsheet, dates_as_text=False))


def _steps(for_spreadsheet: bool, dates_as_text: bool) -> tuple:
    """For each column: its place in a row, its conversion, whether to neutralise (`ExportQuery`)."""
    steps = []
    for position, (_, key, labels) in enumerate(COLUMNS):
        convert = None
        if labels:
            convert = _labelled(labels, for_spreadsheet)
        elif dates_as_text and key in DATE_KEYS:
            convert = _dates
        steps.append((position, convert, for_spreadsheet and key in TEXT_KEYS))
    return tuple(steps)


def _labelled(labels: dict, for_spreadsheet: bool) -> Callable[[Sequence], list]:
    """A code's label as on screen; a code without one as it is (neutralised in a spreadsheet)."""
    by_value = Labels(labels) if for_spreadsheet else _AsItIs(labels)
    return lambda values: list(map(by_value.__getitem__, values))


class _AsItIs(dict):
    def __missing__(self, value):
        return value


def _dates(values: Sequence[str | None]) -> list:
    """A snapshot's ISO dates back to dates, each distinct date parsed once."""
    parsed = {value: datetime.date.fromisoformat(value) for value in set(values) if value}
    return [parsed.get(value) for value in values]


def csv_lines(content: ReportContent) -> Iterator[str]:
    """The inventory rows as CSV, every field quoted, a chunk of rows at a time."""
    yield "\ufeff" + quoted_lines([[header] for header in HEADERS], 1)
    for chunk in row_chunks(content):
        yield quoted_lines(chunk.columns, chunk.rows)


def json_parts(content: ReportContent) -> Iterator[str]:
    """`{"report": …, "systems": […]}`, streamed a chunk of systems at a time."""
    yield '{"report":' + json.dumps(content.record, sort_keys=True) + ',"systems":['
    first = True
    for chunk in _chunks(content.rows):
        text = ",".join(json.dumps(row, sort_keys=True, default=json_default) for row in chunk)
        yield text if first else "," + text
        first = False
    yield "]}\n"


# --- XLSX in the issuer's layout ------------------------------------------------------


def questions(content: ReportContent) -> list[tuple[str, object]]:
    """The question sheet: what the issuer asks, and this report's answers."""
    record, summary = content.record, content.summary
    return [
        ("Directive", record["directive"]),
        ("Agency or component", record["agency_name"]),
        ("Reporting period", f"{record['period']} ({record['period_start']} to {record['period_end']})"),
        ("As of", record["as_of"]),
        ("Dependent systems found", summary["total"]),
        ("None found (explicit negative report)", YES_NO[summary["none_found"]]),
        ("Removed or verified", summary["removed"]),
        ("Removed since the last report", summary["removed_since_last_report"]),
        ("Still in use", summary["open"]),
        ("Past their deadline", summary["overdue"]),
        ("At risk of missing the deadline", "no plan" if summary["at_risk"] is None else summary["at_risk"]),
        ("Waivers in force", summary["waivers_active"]),
        ("Waivers ending within 30 days", summary["waivers_expiring"]),
        ("Challenges", record["challenges"]),
        ("Support needed", record["support_needed"]),
        ("If not complete by the deadline: plan", record["completion_plan"]),
        ("If not complete by the deadline: expected date", record["expected_completion"] or ""),
    ]


def signature_block(content: ReportContent) -> list[tuple[str, object]]:
    snapshot = content.snapshot
    if snapshot is None:
        return [("Status", "Draft: not signed"), ("Signed by", ""), ("Title", ""), ("Date", "")]
    return [
        ("Status", "Signed"),
        ("Signed by", snapshot.signer_name),
        ("Title", snapshot.signer_title),
        ("Date", snapshot.as_of.date().isoformat()),
        ("Covers all subcomponents", YES_NO[snapshot.covers_all_subcomponents]),
        ("SHA-256 of the signed content", snapshot.sha256),
    ]


SHEETS = ("Questions", "Inventory", "Lists", "Signature")
# The columns with a drop-down in the inventory sheet, each list a column of the Lists sheet.
DROP_DOWN_KEYS = ("status", "dependency_kind", "criticality", "network", "national_security_system")


def xlsx_write(
    content: ReportContent, output: str | IO[bytes], on_progress: Callable[[int], None] | None = None
) -> int:
    """Writes the workbook; returns the number of inventory rows.

    `on_progress` is called with the rows written so far after every chunk.
    """
    with WorkbookWriter(output, SHEETS) as workbook:
        _pairs_sheet(workbook, "Questions", ["Question", "Answer"], questions(content))
        with workbook.sheet("Inventory", HEADERS) as inventory:
            written = 0
            for chunk in row_chunks(content):
                inventory.write_rows(chunk.row_tuples())
                written += chunk.rows
                if on_progress is not None:
                    on_progress(written)
            _add_drop_downs(inventory, last_row=max(written + 1, 2))
        drop_downs = _drop_down_lists()
        with workbook.sheet("Lists", [header for header, _ in drop_downs]) as lists:
            lists.write_rows(zip_longest(*(choices for _, choices in drop_downs)))
        _pairs_sheet(workbook, "Signature", ["Field", "Value"], signature_block(content))
    return written


def _drop_down_lists() -> list[tuple[str, list[str]]]:
    """(header, the labels to choose from) of each column with a drop-down."""
    labels_by_key = {key: (header, labels) for header, key, labels in COLUMNS}
    return [(labels_by_key[key][0], list(labels_by_key[key][1].values())) for key in DROP_DOWN_KEYS]


def _add_drop_downs(inventory, last_row: int) -> None:
    """Each coded column offers its labels, kept in the Lists sheet (no 255-character limit there)."""
    letters = dict(zip((key for _, key, _ in COLUMNS), column_letters(len(COLUMNS)), strict=True))
    list_letters = column_letters(len(DROP_DOWN_KEYS))
    for (_, choices), key, list_letter in zip(_drop_down_lists(), DROP_DOWN_KEYS, list_letters, strict=True):
        source = f"Lists!${list_letter}$2:${list_letter}${len(choices) + 1}"
        inventory.add_list_validation(f"{letters[key]}2:{letters[key]}{last_row}", source)


def _pairs_sheet(workbook: WorkbookWriter, title: str, headers: list[str], pairs) -> None:
    with workbook.sheet(title, headers) as sheet:
        sheet.write_rows([label, _xlsx_value(neutralise(value))] for label, value in pairs)


def _xlsx_value(value):
    """Dates as real dates; ISO date text from the canonical content becomes one again."""
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


# --- PDF ---------------------------------------------------------------------------------

# The detail listing is set as fixed-width text in a monospaced font, PDF_BAND_ROWS systems
# to a table cell (a band, shaded every other one). WeasyPrint styles, lays out and draws
# every box in Python: eleven cells a system made 2,000 systems cost some 40 s of CPU; a
# band of five costs a few ms a system, and the header row still repeats on every page.
# Widths are in characters, in COLUMNS order; with the gaps they fill the page's width at
# the stylesheet's 6.5pt (187 characters), and almost every system takes one line.
PDF_COLUMN_WIDTHS = (12, 36, 6, 13, 44, 11, 12, 3, 10, 10, 10)
PDF_COLUMN_GAP = "  "
PDF_BAND_ROWS = 5


def pdf_bytes(content: ReportContent, burndown_svg: str, base_url: str = ".") -> bytes:
    """The report for signature: header, figures, burndown, the first PDF_DETAIL_ROWS systems."""
    from weasyprint import HTML

    html = render_to_string(
        "compliance/report_pdf.html",
        {
            "content": content,
            "questions": questions(content),
            "signature": signature_block(content),
            "header_text": pdf_listing_text(HEADERS),
            "bands": pdf_bands(pdf_rows(content)),
            "row_limit": PDF_DETAIL_ROWS,
            "total": content.summary["total"],
            "burndown_svg": burndown_svg,
        },
    )
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[_pdf_stylesheet()])


def pdf_rows(content: ReportContent) -> list[list[str]]:
    """The first PDF_DETAIL_ROWS systems as the screen's text (dates as ISO, nothing neutralised)."""
    rows: list[list[str]] = []
    # Closed on leaving, so the server-side cursor behind the rows closes now, not at garbage
    # collection (by then its transaction may be gone).
    with closing(row_chunks(content, for_spreadsheet=False)) as chunks:
        for chunk in chunks:
            rows.extend(["" if value is None else str(value) for value in row] for row in chunk.row_tuples())
            if len(rows) >= PDF_DETAIL_ROWS:
                break
    return rows[:PDF_DETAIL_ROWS]


def pdf_bands(rows: list[list[str]]) -> list[str]:
    """The rows as fixed-width text, PDF_BAND_ROWS systems to a band (a band never splits over pages)."""
    texts = [pdf_listing_text(row) for row in rows]
    return ["\n".join(texts[start : start + PDF_BAND_ROWS]) for start in range(0, len(texts), PDF_BAND_ROWS)]


def pdf_listing_text(values: Sequence[str]) -> str:
    """One system (or the headers) as lines of fixed-width columns, each value wrapped in its own.

    Nothing is cut: a value wider than its column goes on over the next lines of that column.
    """
    cells = [_wrapped(value, width) for value, width in zip(values, PDF_COLUMN_WIDTHS, strict=True)]
    lines = zip_longest(*cells, fillvalue="")
    return "\n".join(
        PDF_COLUMN_GAP.join(part.ljust(width) for part, width in zip(line, PDF_COLUMN_WIDTHS, strict=True)).rstrip()
        for line in lines
    )


def _wrapped(value: str, width: int) -> list[str]:
    # Line breaks or tabs inside a value would shift every column after it: wrap() makes them spaces.
    if len(value) <= width and value.isprintable():
        return [value]
    return textwrap.wrap(value, width, expand_tabs=False, break_on_hyphens=False) or [""]


def _pdf_stylesheet():
    """The report's print style, a static file (pages never carry inline style, PDFs neither)."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS

    return CSS(filename=finders.find("compliance/report_pdf.css"))
