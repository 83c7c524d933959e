"""Hostile uploads (issue 8): small but expensive workbooks, oversized requests, batches kept forever.

Every hostile file is made here, from a workbook openpyxl writes, with one part rewritten:
no binary is committed. bench/hostile_uploads.py times the same files against openpyxl.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import struct
import time
import zipfile
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from procurement.celery import app as celery_app
from procurement.core.uploads import too_large_message
from procurement.inventory import tasks
from procurement.inventory.imports import guard, readers
from procurement.inventory.imports import services as import_services
from procurement.inventory.imports.readers import parse_sheet
from procurement.inventory.imports.sheets import (
    MAX_COLUMNS,
    Limits,
    Sheet,
    SpreadsheetError,
    cell_text,
    sheet_pack,
    sheet_unpack,
)
from procurement.inventory.imports.xlsx import numbers_above
from procurement.inventory.models import ImportBatch, System

HEADERS = ["FISMA system ID", "Name", "Agency", "Criticality", "Network", "Dependency kind"]
GOOD_ROW = ["IRS-0001", "Refund status bot", "IRS", "High", "unclassified", "Direct API"]
SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes(rows=(HEADERS, GOOD_ROW)) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten(content: bytes, change: Callable[[str, bytes], bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with each part passed through change(name, data), plus extra parts."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, change(item.filename, source.read(item.filename)))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


def with_sheet(content: bytes, change: Callable[[bytes], bytes]) -> bytes:
    return rewritten(content, lambda name, data: change(data) if name == SHEET else data)


def styles_bomb(formats: int = 780_000) -> bytes:
    """145 KB: a styles part whose cellXfs holds 780,000 cell formats (18 s and 600 MB for openpyxl)."""
    cell_format = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/styles.xml":
            return data
        start, end = data.index(b"<cellXfs"), data.index(b"</cellXfs>")
        return data[:start] + b'<cellXfs count="%d">' % formats + cell_format * formats + data[end:]

    return rewritten(workbook_bytes(), change)


def shared_strings_bomb(strings: int = 2_900_000) -> bytes:
    """124 KB: a shared-strings part of 2.9 million one-letter strings (29 s for openpyxl)."""
    namespace = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    shared = b'<sst xmlns="%s" count="%d" uniqueCount="%d">' % (namespace, strings, strings)
    shared += b"<si><t>a</t></si>" * strings + b"</sst>"

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        return data

    return rewritten(workbook_bytes(), change, {"xl/sharedStrings.xml": shared})


def far_cells(*references: str) -> bytes:
    """The good workbook with a one-letter value at each cell reference, in rows of their own."""
    cells = b"".join(
        b'<row r="%s"><c r="%s" t="inlineStr"><is><t>x</t></is></c></row>'
        % (re.sub(r"[A-Z]", "", reference).encode(), reference.encode())
        for reference in references
    )
    return with_sheet(workbook_bytes(), lambda data: data.replace(b"</sheetData>", cells + b"</sheetData>"))


def with_declaration(part: str) -> bytes:
    declaration = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'

    def change(name: str, data: bytes) -> bytes:
        return declaration + data.split(b"?>", 1)[-1] if name == part else data

    return rewritten(workbook_bytes(), change)


def with_understated_size(content: bytes, part: str) -> bytes:
    """A zip bomb's trick: the part's headers claim 100 bytes; its data inflates to far more."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = bytearray(content)
    data[archive.getinfo(part).header_offset + 22 : archive.getinfo(part).header_offset + 26] = struct.pack("<I", 100)
    entry = archive.start_dir
    while data[entry : entry + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[entry + 28 : entry + 34])
        if data[entry + 46 : entry + 46 + name_length].decode() == part:
            data[entry + 24 : entry + 28] = struct.pack("<I", 100)
        entry += 46 + name_length + extra_length + comment_length
    return bytes(data)


# Pages and helpers.


@pytest.fixture
def alice_client(client, alice, component_a, directive):
    client.force_login(alice)
    return client


def upload(client, name: str, content: bytes, kind: str = "systems"):
    return client.post(reverse("inventory:import-upload", args=[kind]), {"file": SimpleUploadedFile(name, content)})


def upload_error(client, name: str, content: bytes) -> str:
    response = upload(client, name, content)
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["form"].errors["file"])


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


# 1. Small but expensive workbooks: found by byte scans, refused with a message, in well under 2 s.


def test_workbook_with_780000_cell_formats_is_refused_at_once(alice_client):
    bomb = styles_bomb()
    assert len(bomb) < 150_000
    started = time.monotonic()
    message = upload_error(alice_client, "systems.xlsx", bomb)
    assert message.startswith("The workbook defines 780,001 cell formats; Excel itself allows at most 65,490.")
    assert time.monotonic() - started < 10  # openpyxl: 18 s; the benchmark measures the real figure
    assert not ImportBatch.objects.exists()


def test_workbook_with_2900000_shared_strings_is_refused_at_once(alice_client):
    bomb = shared_strings_bomb()
    assert len(bomb) < 130_000
    started = time.monotonic()
    message = upload_error(alice_client, "systems.xlsx", bomb)
    assert message.startswith("The workbook holds 2,900,000 shared strings, more than a sheet within the import")
    assert time.monotonic() - started < 10  # openpyxl: 29 s


def test_a_sheet_with_every_shared_string_it_can_use_is_read(alice_client):
    """The shared-strings bound is what the row and column limits allow, not less."""
    limits = Limits(max_file_bytes=5_242_880, max_rows=10, max_cell_chars=4_000, max_unzipped_bytes=52_428_800)
    fits = shared_strings_bomb(strings=limits.max_sheet_rows * MAX_COLUMNS)
    assert parse_sheet("systems.xlsx", fits, limits).headers == HEADERS
    with pytest.raises(SpreadsheetError, match="holds 60,661 shared strings"):
        parse_sheet("systems.xlsx", shared_strings_bomb(strings=limits.max_sheet_rows * MAX_COLUMNS + 1), limits)


def test_cells_far_down_are_refused_before_calamine_sizes_its_range(alice_client):
    """calamine's range is dense: a cell at XFD1048576 alone would ask for 550 GB."""
    assert upload_error(alice_client, "s.xlsx", far_cells("XFD1048576")) == (
        "The sheet has more than 21,000 rows, blank ones included."
    )
    assert upload_error(alice_client, "s.xlsx", far_cells("A21002")) == (
        "The sheet has more than 21,000 rows, blank ones included."
    )


def test_values_right_of_column_bh_are_refused_before_calamine_sizes_its_range(alice_client):
    # 20,000 rows by 16,384 columns would be 10 GB of cells in calamine: refused on sight instead.
    assert upload_error(alice_client, "s.xlsx", far_cells("XFD3", "XFD20000")) == "Row 3 has values beyond column BH."
    assert upload_error(alice_client, "s.xlsx", far_cells("BI3")) == "Row 3 has values beyond column BH."
    hidden = with_sheet(far_cells("XFD3", "XFD20000"), lambda data: data.replace(b'<c r="XFD3"', b'<c x=">" r="XFD3"'))
    assert upload_error(alice_client, "s.xlsx", hidden) == "Row 3 has values beyond column BH."


def test_last_column_and_empty_formatted_cells_far_right_are_fine(alice_client):
    styled = with_sheet(
        far_cells("BH3"), lambda data: data.replace(b"</row></sheetData>", b'<c r="XFD3" s="0"/></row></sheetData>')
    )
    sheet = parse_sheet("s.xlsx", styled, Limits.from_settings())
    assert sheet.rows[-1] == (3, [""] * 59 + ["x"])


def test_a_sheet_claiming_a_huge_size_is_read_by_its_cells(alice_client):
    claim = with_sheet(workbook_bytes(), lambda data: data.replace(b'ref="A1:F2"', b'ref="A1:XFD1048576"'))
    assert parse_sheet("s.xlsx", claim, Limits.from_settings()).rows == [(2, GOOD_ROW)]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            lambda data: data.replace(b'<c r="B2" t="inlineStr">', b'<c r="B2" t="str"><f t="shared" si="0"/>'),
            "Row 2, column B",
        ),
        (
            lambda data: data.replace(b'<c r="D2" t="inlineStr">', b'<c r="D2" t="inlineStr"><f>SUM(1)</f>'),
            "Row 2, column D",
        ),
        (  # cells without r attributes are counted, as calamine counts them
            lambda data: (
                data.replace(b' r="A2"', b"")
                .replace(b' r="B2"', b"")
                .replace(b'<c r="C2" t="inlineStr">', b'<c t="inlineStr"><f>1</f>')
            ),
            "Row 2, column C",
        ),
        (  # a namespace prefix on the formula element
            lambda data: data.replace(
                b'<worksheet xmlns="',
                b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns="',
            ).replace(b'<c r="E2" t="inlineStr">', b'<c r="E2" t="inlineStr"><x:f>1</x:f>'),
            "Row 2, column E",
        ),
        (lambda data: data.replace(b"<t>Refund status bot</t>", b"<t>=HYPERLINK(A1)</t>"), "Row 2, column B"),
    ],
)
def test_formulas_are_refused_naming_the_cell(alice_client, change, where):
    message = upload_error(alice_client, "s.xlsx", with_sheet(workbook_bytes(), change))
    assert message == f"{where}: formulas are not accepted; paste the values instead."


@pytest.mark.parametrize("part", ["xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml", "docProps/app.xml"])
def test_entity_declarations_are_refused_in_any_part(alice_client, part):
    message = upload_error(alice_client, "s.xlsx", with_declaration(part))
    assert message == "The workbook declares XML entities (a possible XML bomb); it was not read."


def test_parts_not_in_utf8_are_refused(alice_client):
    def to_utf16(name: str, data: bytes) -> bytes:
        return (
            data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16") if name == SHEET else data
        )

    message = upload_error(alice_client, "s.xlsx", rewritten(workbook_bytes(), to_utf16))
    assert message == f"The workbook part {SHEET} is not UTF-8 XML; save the workbook again from Excel."


def test_a_part_larger_than_its_headers_say_is_refused(alice_client):
    message = upload_error(alice_client, "s.xlsx", with_understated_size(workbook_bytes(), SHEET))
    assert message.startswith("The file is not a valid .xlsx workbook (broken zip: Bad CRC-32")


def test_calamine_reads_only_the_parts_that_were_checked(alice_client):
    """Zip readers differ (here: two sheets whose names differ only in case; calamine takes the last).

    calamine is given a copy holding just the checked parts, so it cannot read one that was not.
    """
    content = workbook_bytes()
    sheet = zipfile.ZipFile(io.BytesIO(content)).read(SHEET)
    formula = b'<c r="B2"><f>1</f><v>1</v></c>'
    twin = sheet.replace(b'<c r="B2" t="inlineStr"><is><t>Refund status bot</t></is></c>', formula)
    twins = rewritten(content, lambda name, data: data, {"xl/worksheets/SHEET1.xml": twin})
    assert parse_sheet("s.xlsx", twins, Limits.from_settings()).rows == [(2, GOOD_ROW)]


def test_a_zip_without_a_workbook_part_is_not_a_workbook(alice_client):
    open_document = rewritten(workbook_bytes(), lambda name, data: data, {"content.xml": b"<document/>"})
    renamed = open_document.replace(b"xl/workbook.xml", b"xl/notebook.xml")
    assert upload_error(alice_client, "s.xlsx", renamed) == "The file is not an Excel workbook (.xlsx)."


def test_values_read_as_the_same_text_as_before(alice_client):
    """Dates, times, numbers and booleans give the text openpyxl's values gave through cell_text."""
    values = [
        datetime.date(2026, 2, 27),
        datetime.datetime(2026, 2, 27, 0, 0),
        datetime.datetime(2026, 2, 27, 13, 45, 30),
        datetime.time(8, 30),
        12,
        12.5,
        0.1 + 0.2,
        1e20,
        -3.0,
        True,
        "text ; with; semicolons",
        "  spaced  ",
    ]
    content = workbook_bytes([[f"h{index}" for index in range(len(values))], values])
    openpyxl_row = next(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(min_row=2))
    expected = [cell_text(cell.value) for cell in openpyxl_row]
    assert parse_sheet("s.xlsx", content, Limits.from_settings()).rows == [(2, expected)]


@given(number=st.integers(min_value=0, max_value=10**8), limit=st.integers(min_value=1, max_value=10**7))
def test_numbers_above_matches_exactly_the_larger_numbers(number, limit):
    pattern = re.compile(numbers_above(limit))
    assert bool(pattern.fullmatch(str(number))) == (number > limit)
    assert bool(pattern.fullmatch("00" + str(number))) == (number > limit)


# 1. The second guard: whatever the parser does, a few seconds of CPU and a few hundred MB.


def spin(*args):
    """A parser that never ends (bounded at 30 s so a broken guard fails instead of hanging)."""
    deadline = time.process_time() + 30
    while time.process_time() < deadline:
        pass
    return iter([HEADERS, GOOD_ROW])


def gorge(*args):
    """A parser that wants 2 GB."""
    hoard = bytearray(2 << 30)
    return iter([HEADERS, GOOD_ROW, ["", str(len(hoard))]])


def test_a_parser_that_never_ends_is_stopped(alice_client, settings, monkeypatch):
    settings.IMPORT_PARSE_CPU_SECONDS = 1
    monkeypatch.setattr(readers, "xlsx_rows", spin)
    started = time.monotonic()
    message = upload_error(alice_client, "systems.xlsx", workbook_bytes())
    assert message.startswith("The workbook took too long to read (more than 1 second); it was not imported.")
    assert time.monotonic() - started < 5


def test_a_parser_that_needs_gigabytes_is_stopped(alice_client, settings, monkeypatch):
    settings.IMPORT_PARSE_MEMORY_BYTES = 64 * 1024 * 1024
    monkeypatch.setattr(readers, "_csv_rows", gorge)
    message = upload_error(alice_client, "systems.csv", csv_bytes([HEADERS, GOOD_ROW]))
    assert message.startswith("The file needs too much memory to read (more than 64 MB); it was not imported.")


def test_a_native_allocation_refused_by_the_limit_is_out_of_memory():
    """Rust aborts when an allocation fails: the guard reads SIGABRT as memory, not as a crash."""
    with pytest.raises(guard.TooHungry):
        guard.run_limited(guard.Budget(cpu_seconds=5, memory_bytes=64 << 20, wall_seconds=10), os.abort)


def test_a_child_that_hangs_is_killed_at_the_wall_clock_limit():
    started = time.monotonic()
    with pytest.raises(guard.TooSlow):
        guard.run_limited(guard.Budget(cpu_seconds=5, memory_bytes=64 << 20, wall_seconds=0.5), time.sleep, 30)
    assert time.monotonic() - started < 3


def test_the_childs_answer_and_exceptions_come_back():
    budget = guard.Budget(cpu_seconds=5, memory_bytes=256 << 20, wall_seconds=10)
    assert guard.run_limited(budget, sum, [1, 2, 3]) == 6
    with pytest.raises(SpreadsheetError, match="The first row must hold the column headers."):
        guard.run_limited(budget, parse_sheet, "s.csv", b"\n\nx", Limits.from_settings())


# 1. Parse once: preview and confirmation use the stored rows.


def test_preview_and_confirm_use_the_rows_parsed_at_upload(alice_client, monkeypatch):
    response = upload(alice_client, "systems.xlsx", workbook_bytes())
    batch = ImportBatch.objects.get()
    assert (batch.row_count, sheet_unpack(bytes(batch.parsed)).rows) == (1, [(2, GOOD_ROW)])
    assert "content" not in {field.name for field in ImportBatch._meta.get_fields()}  # the file is not kept

    def parse_again(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(readers, "parse_sheet", parse_again)
    monkeypatch.setattr(readers, "xlsx_rows", parse_again)
    assert alice_client.get(response.url).context["result"].creates == 1
    alice_client.post(response.url)
    assert System.objects.filter(fisma_id="IRS-0001").exists()
    batch.refresh_from_db()
    assert (batch.applied_count, batch.parsed) == (1, None)  # an applied batch keeps its counts only


# 2. Request size: refused before the body is read.


BOUNDARY = "PhaseoutBoundary"


class GeneratedBody(io.RawIOBase):
    """A multipart body made as it is read: a CSRF field, then a file of `size` bytes. Counts what is read."""

    def __init__(self, size: int):
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\nx\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.parts = [head, size, f"\r\n--{BOUNDARY}--\r\n".encode()]
        self.length = len(head) + size + len(self.parts[2])
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.read_bytes > 16 * 1024 * 1024:
            raise AssertionError("more than 16 MB of the body was read")
        while self.parts:
            part = self.parts[0]
            if isinstance(part, int):
                count = min(part, len(buffer))
                buffer[:count] = b"x" * count
                self.parts[0] -= count
                if not self.parts[0]:
                    self.parts.pop(0)
            else:
                count = min(len(part), len(buffer))
                buffer[:count] = part[:count]
                self.parts[0] = part[count:]
                if not self.parts[0]:
                    self.parts.pop(0)
            if count:
                self.read_bytes += count
                return count
        return 0


def post_body(client, body: GeneratedBody):
    """POSTs the body as a server would pass it on: a stream and its declared length, never held whole."""
    return client.generic(
        "POST",
        reverse("inventory:import-upload", args=["systems"]),
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": body},
    )


@pytest.fixture
def strict_client(alice, component_a, directive):
    """Checks CSRF tokens, as browsers meet the site: the refusal must come before the CSRF check reads the body."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def test_a_1_gib_upload_is_refused_unread(strict_client):
    body = GeneratedBody(1 << 30)
    response = post_body(strict_client, body)
    assert response.status_code == 413
    assert response.context["form"].errors["file"] == ["The file is 1,024.0 MB; the limit is 5 MB."]
    assert body.read_bytes == 0


def test_the_size_in_the_message_is_the_real_one(strict_client):
    response = post_body(strict_client, GeneratedBody(154 * 1024 * 1024))
    assert response.context["form"].errors["file"] == ["The file is 154.0 MB; the limit is 5 MB."]


def test_a_file_over_the_limit_is_stopped_as_it_arrives(alice_client, settings, monkeypatch):
    """Inside the envelope allowed for other fields, the upload handler stops the file; nothing past it is kept."""
    settings.IMPORT_MAX_FILE_BYTES = 64 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # so every kept byte would go to a temporary file
    written = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(handler, raw_data, start):
        written.append(len(raw_data))
        return original(handler, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    response = post_body(alice_client, GeneratedBody(100 * 1024))
    assert response.status_code == 413
    assert response.context["form"].errors["file"] == ["The file is over the 64 KB limit."]
    assert sum(written) <= 64 * 1024
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (154 * 1024 * 1024, "The file is 154.0 MB; the limit is 5 MB."),
        (5 * 1024 * 1024 + 1, "The file is over the 5 MB limit."),
        (None, "The file is over the 5 MB limit."),
    ],
)
def test_size_messages(size, message):
    assert too_large_message(size, 5 * 1024 * 1024) == message


# 3. Batches: unconfirmed ones expire, a user keeps five, applied ones keep counts only.


def make_batch(user, *, applied: bool = False, filename: str = "s.csv") -> ImportBatch:
    sheet = Sheet(headers=HEADERS, rows=[(2, GOOD_ROW)])
    return ImportBatch.objects.create(
        user=user,
        kind="systems",
        filename=filename,
        parsed=None if applied else sheet_pack(sheet),
        applied_at=timezone.now() if applied else None,
    )


def test_expiry_deletes_unconfirmed_batches_past_their_time(alice, bob, settings):
    settings.IMPORT_BATCH_TTL_SECONDS = 3600
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        old, old_applied = make_batch(alice), make_batch(alice, applied=True)
        traveller.shift(datetime.timedelta(minutes=30))
        recent = make_batch(bob)
        traveller.shift(datetime.timedelta(minutes=31))
        assert import_services.import_batch_expire(timezone.now()) == 1
    assert set(ImportBatch.objects.values_list("pk", flat=True)) == {old_applied.pk, recent.pk}
    assert not ImportBatch.objects.filter(pk=old.pk).exists()


def test_the_expiry_task_calls_the_service_and_is_scheduled(alice, settings):
    settings.IMPORT_BATCH_TTL_SECONDS = 60
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=5)):
        make_batch(alice)
    assert tasks.import_batches_expire.apply().get() == 1
    celery_app.loader.import_default_modules()
    entries = [
        entry for entry in celery_app.conf.beat_schedule.values() if entry["task"] == tasks.import_batches_expire.name
    ]
    assert len(entries) == 1 and tasks.import_batches_expire.name in celery_app.tasks


def test_a_sixth_upload_discards_the_oldest_and_says_so(alice_client, alice, settings):
    settings.IMPORT_MAX_PENDING_BATCHES = 5
    for number in range(6):
        response = upload(alice_client, f"file-{number}.csv", csv_bytes([HEADERS, GOOD_ROW]))
        assert response.status_code == 302
    assert sorted(ImportBatch.objects.pending().values_list("filename", flat=True)) == [
        f"file-{number}.csv" for number in range(1, 6)
    ]
    preview = alice_client.get(response.url)
    notes = [str(message) for message in preview.context["messages"]]
    assert "You may keep 5 unconfirmed imports; the oldest, file-0.csv, was discarded." in notes
    page = alice_client.get(reverse("inventory:import-upload", args=["systems"])).content.decode()
    assert "Unconfirmed imports are kept for 24 hours, 5 at most" in page
    assert page.count(".csv</a>") == 5  # each kept upload is listed, with a link back to its preview


def test_a_user_can_discard_an_upload(alice_client):
    response = upload(alice_client, "mine.csv", csv_bytes([HEADERS, GOOD_ROW]))
    discarded = alice_client.post(response.url, {"action": "discard"})
    assert discarded.url == reverse("inventory:import-upload", args=["systems"])
    assert not ImportBatch.objects.exists() and not System.objects.exists()


def test_an_expired_batch_says_why_it_is_gone(alice_client):
    response = upload(alice_client, "late.csv", csv_bytes([HEADERS, GOOD_ROW]))
    import_services.import_batch_expire(timezone.now() + datetime.timedelta(days=2))
    page = alice_client.get(response.url)
    assert page.status_code == 404
    assert "Unconfirmed imports are kept for 24 hours" in page.content.decode()


def test_confirming_a_batch_that_expired_meanwhile_says_so(alice_client, alice):
    response = upload(alice_client, "late.csv", csv_bytes([HEADERS, GOOD_ROW]))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.all().delete()
    with pytest.raises(ValidationError, match="no longer kept"):
        import_services.import_batch_apply(user=alice, batch=batch)
    assert not System.objects.exists()
    assert response.status_code == 302
