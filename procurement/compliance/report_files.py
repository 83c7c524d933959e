"""A status report as files: CSV (streamed), JSON (streamed), XLSX in the issuer's layout, PDF.

Every file reads the same `ReportContent` the report page shows (live for a draft, the
frozen snapshot once signed), so screen and file agree. CSV reuses the inventory
exports' column-at-a-time quoting and formula neutralising (`core.quoted_csv`,
`core.formulas`); XLSX is written with openpyxl's write-only mode (several sheets, data
validation); the PDF is rendered by WeasyPrint from a template.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from itertools import islice
from typing import IO

from django.template.loader import render_to_string

from procurement.compliance.canonical import json_default
from procurement.compliance.selectors import ReportContent
from procurement.core.formulas import neutralise, neutralise_column
from procurement.core.quoted_csv import quoted_lines
from procurement.inventory.enums import Criticality, DependencyKind, Network, SystemStatus

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
STATUS_COLUMN = "D"


def display_row(record: dict) -> list:
    """One system as the screen shows it: labels for codes, dates as ISO text."""
    return [
        labels.get(record[key], record[key]) if labels else ("" if record[key] is None else record[key])
        for _, key, labels in COLUMNS
    ]


def display_columns(records: list[dict]) -> list[list]:
    """A chunk of records as columns of screen values, each neutralised for spreadsheets."""
    columns = []
    for _, key, labels in COLUMNS:
        values = [record[key] for record in records]
        if labels:
            values = [labels.get(value, value) for value in values]
        columns.append(neutralise_column(values))
    return columns


def _chunks(rows: Iterator[dict]) -> Iterator[list[dict]]:
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield chunk


def csv_lines(content: ReportContent) -> Iterator[str]:
    """The inventory rows as CSV, every field quoted, a chunk of rows at a time."""
    yield "\ufeff" + quoted_lines([[header] for header in HEADERS], 1)
    for chunk in _chunks(content.rows):
        yield quoted_lines(display_columns(chunk), len(chunk))


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
        ("At risk of missing the deadline", "not planned yet" if summary["at_risk"] is None else summary["at_risk"]),
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


def xlsx_write(content: ReportContent, output: str | IO[bytes]) -> int:
    """Writes the workbook; returns the number of inventory rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    _pairs_sheet(workbook, "Questions", ("Question", "Answer"), questions(content), bold)
    inventory = workbook.create_sheet("Inventory")
    status_list = DataValidation(type="list", formula1='"' + ",".join(SystemStatus.labels) + '"', allow_blank=False)
    nss_list = DataValidation(type="list", formula1='"Yes,No"')
    inventory.data_validations.append(status_list)
    inventory.data_validations.append(nss_list)
    inventory.append([_bold(inventory, header, bold) for header in HEADERS])
    written = 0
    for chunk in _chunks(content.rows):
        for row in zip(*display_columns(chunk), strict=True):
            inventory.append([_xlsx_value(value) for value in row])
        written += len(chunk)
    last = max(written + 1, 2)
    status_list.add(f"{STATUS_COLUMN}2:{STATUS_COLUMN}{last}")
    nss_list.add(f"H2:H{last}")
    _pairs_sheet(workbook, "Signature", ("Field", "Value"), signature_block(content), bold)
    workbook.save(output)
    return written


def _bold(sheet, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _pairs_sheet(workbook, title: str, headers: tuple[str, str], pairs, font) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([_bold(sheet, header, font) for header in headers])
    for label, value in pairs:
        sheet.append([label, _xlsx_value(neutralise(value))])


def _xlsx_value(value):
    """Dates as real dates; ISO date text from the canonical content becomes one again."""
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


# --- PDF ---------------------------------------------------------------------------------


def pdf_bytes(content: ReportContent, burndown_svg: str, base_url: str = ".") -> bytes:
    """The report for signature: header, figures, burndown, the first PDF_DETAIL_ROWS systems."""
    from weasyprint import HTML

    rows = [display_row(record) for record in islice(content.rows, PDF_DETAIL_ROWS)]
    html = render_to_string(
        "compliance/report_pdf.html",
        {
            "content": content,
            "questions": questions(content),
            "signature": signature_block(content),
            "headers": HEADERS,
            "rows": rows,
            "row_limit": PDF_DETAIL_ROWS,
            "total": content.summary["total"],
            "burndown_svg": burndown_svg,
        },
    )
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[_pdf_stylesheet()])


def _pdf_stylesheet():
    """The report's print style, a static file (pages never carry inline style, PDFs neither)."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS

    return CSS(filename=finders.find("compliance/report_pdf.css"))
