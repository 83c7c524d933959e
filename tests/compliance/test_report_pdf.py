"""The report's PDF lists every system in order under a header repeated on each page, nothing cut.

The detail listing is fixed-width text, several systems to a table cell
(`report_files.pdf_bands`), so these tests read the PDF's text back and check what a
reader of the printed report relies on.
"""

import io
import re

import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from procurement.compliance import report_files, services
from procurement.inventory.models import System
from tests.factories import SystemFactory

LONG_NAME = "Navy Maritime Intelligence Knowledge Search and Correspondence Drafting Assistant"
FISMA_ID = re.compile(r"\bFISMA-\d{5}\b")
SYSTEMS = 130  # more than two pages of listing, so the header has to repeat


@pytest.fixture
def large_report(directive, component_a):
    SystemFactory.create_batch(SYSTEMS, agency=component_a, directive=directive)
    return services.status_report_generate(directive=directive, agency=component_a, number=1)


def pdf_pages(client, report) -> list[str]:
    response = client.get(reverse("compliance:report-export", args=[report.pk, "pdf"]))
    assert response.status_code == 200
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_every_system_is_listed_once_in_order_with_the_header_on_every_page(client, alice, large_report):
    client.force_login(alice)
    pages = pdf_pages(client, large_report)
    listed = FISMA_ID.findall("\n".join(pages))
    assert listed == sorted(System.objects.values_list("fisma_id", flat=True))  # FISMA ID order, as it says
    screen_first_page = [row[0] for row in client.get(large_report.get_absolute_url()).context["rows"]]
    assert listed[: len(screen_first_page)] == screen_first_page
    listing_pages = [page for page in pages if FISMA_ID.search(page)]
    assert len(listing_pages) >= 3
    for page in listing_pages:
        assert "FISMA system" in page and "Dependency kind" in page and "Deadline" in page
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_a_long_name_is_wrapped_in_its_column_not_cut(client, alice, component_a, directive):
    SystemFactory(agency=component_a, directive=directive, name=LONG_NAME, fisma_id="FISMA-99999")
    SystemFactory(agency=component_a, directive=directive, name="Short", fisma_id="FISMA-99998")
    report = services.status_report_generate(directive=directive, agency=component_a, number=1)
    client.force_login(alice)
    text = "\n".join(pdf_pages(client, report))
    after_its_id = text[text.index("FISMA-99999") :]
    words = re.findall(r"\S+", after_its_id)
    positions = [words.index(word) for word in LONG_NAME.split()]
    assert positions == sorted(positions) and positions[-1] < 40  # all there, in order, in its row


def column_starts() -> list[int]:
    gap = len(report_files.PDF_COLUMN_GAP)
    starts, offset = [], 0
    for width in report_files.PDF_COLUMN_WIDTHS:
        starts.append(offset)
        offset += width + gap
    return starts


def test_listing_text_keeps_every_column_at_its_place():
    dates = ["2026-08-27", "", "2026-08-27"]
    row = ["IRS-0001", LONG_NAME, "IRS", "Identified", "Direct API", "High", "CUI", "No", *dates]
    lines = report_files.pdf_listing_text(row).split("\n")
    starts = column_starts()
    assert len(lines) > 1  # the name is wider than its column
    assert all(line[starts[1] - 2 : starts[1]] == "  " for line in lines)
    assert lines[0][starts[2] :].split()[:4] == ["IRS", "Identified", "Direct", "API"]
    assert lines[0][starts[10] :] == "2026-08-27"
    name_width = report_files.PDF_COLUMN_WIDTHS[1]
    name_parts = [line[starts[1] : starts[1] + name_width].strip() for line in lines]
    assert " ".join(name_parts) == LONG_NAME


def test_a_line_break_typed_into_a_value_does_not_shift_the_columns():
    row = ["IRS-0001", "Two\nlines\ttabbed", "IRS", "Identified", "", "", "", "", "", "", "2026-08-27"]
    lines = report_files.pdf_listing_text(row).split("\n")
    assert lines == [lines[0]] and lines[0][column_starts()[10] :] == "2026-08-27"
    assert "Two lines tabbed" in lines[0]


def test_the_listing_fits_the_width_the_stylesheet_prints():
    # 187 monospaced characters at 6.5pt fill letter landscape within 10 mm side margins
    # (static/compliance/report_pdf.css): wider columns would run off the page.
    header_lines = report_files.pdf_listing_text(report_files.HEADERS).split("\n")
    assert len(header_lines) == 2
    assert column_starts()[-1] + report_files.PDF_COLUMN_WIDTHS[-1] <= 187


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side cursors are PostgreSQL's")
def test_the_report_page_leaves_no_cursor_open_behind_its_preview(client, alice, large_report):
    """The page shows the first 100 of 130 systems. A cursor left open would be closed by the
    garbage collector at any later moment, even during another query on the same connection,
    which then hangs (seen in the full suite)."""
    client.force_login(alice)
    response = client.get(reverse("compliance:report-detail", args=[large_report.pk]))
    assert response.status_code == 200 and len(response.context["page"].preview_rows) == 100
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        assert cursor.fetchone()[0] == 0
