"""Reading agencies' own files: encodings, header rows above the table, multi-line cells, extra sheets,
and the import's hostile-input rules, unchanged for mapped files."""

import io
import zipfile

import pytest

from procurement.discovery.presets import AI_USE_CASE_INVENTORY, preset
from procurement.discovery.reading import decode, read_source
from procurement.inventory.imports.readers import Limits, SpreadsheetError
from tests.discovery.conftest import (
    INVENTORY_2024_HEADERS,
    M_25_21_HEADERS,
    M_25_21_ROWS,
    csv_bytes,
    xlsx_bytes,
)
from tests.inventory.test_hostile_uploads import shared_strings_bomb, styles_bomb, with_declaration

PRESET_HEADERS = list(preset(AI_USE_CASE_INVENTORY).columns)


def test_windows_1252_csv_is_detected_and_named(inventory_2024_cp1252):
    source = read_source("inventory.csv", inventory_2024_cp1252, PRESET_HEADERS)
    assert source.encoding == "Windows-1252"
    assert source.header_row == 3  # a title and a blank line above
    assert source.sheet.headers == INVENTORY_2024_HEADERS
    first = source.sheet.rows[0]
    assert first[0] == 4 and first[1][0] == "Résumé screening aid" and "“pilot”" in first[1][4]


def test_utf8_with_and_without_bom():
    assert decode("Résumé".encode()) == ("Résumé", "UTF-8")
    assert decode("\ufeffRésumé".encode()) == ("Résumé", "UTF-8")


def test_xlsx_with_a_merged_title_multiline_cells_and_extra_sheets(m_25_21_xlsx):
    source = read_source("inventory.xlsx", m_25_21_xlsx, PRESET_HEADERS)
    assert source.encoding == "" and source.header_row == 3
    assert source.sheet.headers == M_25_21_HEADERS
    assert [number for number, _ in source.sheet.rows] == [4, 5, 6, 7, 8]
    assert source.sheet.rows[0][1][5] == "Answers taxpayer questions.\nDrafts replies for agents."


def test_without_known_headers_the_fullest_early_row_is_the_header():
    content = csv_bytes(["ID", "Name", "Vendor"], [["1", "A", "Covered AI"]], above=[["Our systems"], ["", ""]])
    source = read_source("systems.csv", content)
    assert source.sheet.headers == ["ID", "Name", "Vendor"] and source.header_row == 3


def test_multiline_csv_cells_keep_their_row():
    content = csv_bytes(M_25_21_HEADERS, M_25_21_ROWS)
    source = read_source("inventory.csv", content, PRESET_HEADERS)
    assert len(source.sheet.rows) == 5 and "\n" in source.sheet.rows[0][1][5]


# The import's limits and hostile-input rules hold for mapped files: the same checks, the same child.


def test_oversized_file_is_refused_before_parsing(settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024
    with pytest.raises(SpreadsheetError, match="limit is 1 KB"):
        read_source("big.csv", b"a,b\n" * 1000)


def test_too_many_rows_and_long_cells_are_refused():
    limits = Limits(max_file_bytes=5_000_000, max_rows=3, max_cell_chars=10, max_unzipped_bytes=50_000_000)
    with pytest.raises(SpreadsheetError, match="more than 3 data rows"):
        read_source("rows.csv", csv_bytes(["A"], [["x"]] * 5), limits=limits)
    with pytest.raises(SpreadsheetError, match="Row 2, column 1: the cell holds 11 characters"):
        read_source("cell.csv", csv_bytes(["A"], [["x" * 11]]), limits=limits)


@pytest.mark.parametrize(
    "content, message",
    [
        (lambda: styles_bomb(), "cell formats"),
        (lambda: shared_strings_bomb(), "shared strings"),
        (lambda: with_declaration("xl/worksheets/sheet1.xml"), "XML bomb"),
    ],
)
def test_expensive_workbooks_are_refused(content, message):
    with pytest.raises(SpreadsheetError, match=message):
        read_source("bomb.xlsx", content())


def test_zip_bomb_is_refused(settings):
    """A workbook whose parts inflate past IMPORT_MAX_UNZIPPED_BYTES."""
    settings.IMPORT_MAX_UNZIPPED_BYTES = 1_000_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(["A"], [["x"]])))
        for item in source.infolist():
            bomb.writestr(item.filename, source.read(item.filename))
        bomb.writestr("xl/media/padding.xml", b"<a>" + b" " * 5_000_000 + b"</a>")
    content = buffer.getvalue()
    assert len(content) < 100_000
    with pytest.raises(SpreadsheetError, match="The workbook unpacks to 5 MB; the limit is 1 MB"):
        read_source("bomb.xlsx", content)


def test_a_parse_that_never_ends_is_stopped(settings, monkeypatch):
    settings.IMPORT_PARSE_CPU_SECONDS, settings.IMPORT_PARSE_TIMEOUT_SECONDS = 1, 2
    monkeypatch.setattr("procurement.discovery.reading.find_header", _spin)
    with pytest.raises(SpreadsheetError, match="took too long"):
        read_source("spin.csv", b"a,b\n1,2\n")


def _spin(*args):
    while True:
        pass
