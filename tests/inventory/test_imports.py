"""Bulk import through the pages: template, upload, preview, confirm; hostile files change nothing."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from procurement.inventory.models import Contract, ImportBatch, System
from tests.factories import ProductFactory, SystemFactory

HEADERS = ["FISMA system ID", "Name", "Agency", "Criticality", "Network", "Dependency kind"]
GOOD_ROW = ["IRS-0001", "Refund status bot", "IRS", "High", "unclassified", "Direct API"]


@pytest.fixture
def alice_client(client, alice, component_a, directive):
    client.force_login(alice)
    return client


def csv_file(rows, name="systems.csv", encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="systems.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, upload_file, kind="systems"):
    return client.post(reverse("inventory:import-upload", args=[kind]), {"file": upload_file})


def preview_problems(client, upload_file, kind="systems") -> list[str]:
    response = upload(client, upload_file, kind)
    assert response.status_code == 302, response.context["form"].errors
    preview = client.get(response.url)
    return [str(problem) for problem in preview.context["result"].problems]


def upload_error(client, upload_file) -> str:
    response = upload(client, upload_file)
    assert response.status_code == 200
    return " ".join(response.context["form"].errors["file"])


def snapshot():
    return sorted(System.objects.values_list("fisma_id", "name", "agency_id", "criticality", "updated_at"))


def test_csv_import_previews_then_applies(alice_client, component_a):
    response = upload(alice_client, csv_file([HEADERS, GOOD_ROW]))
    preview = alice_client.get(response.url)
    assert preview.context["result"].creates == 1
    assert not System.objects.exists()  # nothing until confirmed
    confirmed = alice_client.post(response.url)
    assert confirmed.url == reverse("inventory:system-list")
    system = System.objects.get(fisma_id="IRS-0001")
    assert (system.agency, system.criticality, system.removal_deadline) == (
        component_a,
        "high",
        system.directive.issued_on,
    )
    assert alice_client.post(response.url).status_code == 302  # a second confirm applies nothing more
    assert System.objects.count() == 1


def test_existing_fisma_id_updates_the_system(alice_client, system_a):
    row = [system_a.fisma_id, "Renamed", "IRS", "Low", "CUI", "Embedded in a third-party product"]
    response = upload(alice_client, xlsx_file([HEADERS, row]))
    alice_client.post(response.url)
    system_a.refresh_from_db()
    assert (system_a.name, system_a.criticality, system_a.network) == ("Renamed", "low", "cui")
    assert System.objects.count() == 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ["X-1", "A", "NOWHERE", "High", "unclassified", "Direct API"],
            "Row 2, column “Agency”: Unknown agency “NOWHERE”",
        ),
        (
            ["X-1", "A", "IRS", "Extreme", "unclassified", "Direct API"],
            "Row 2, column “Criticality”: “Extreme” is not one of",
        ),
        (["X-1", "", "IRS", "High", "unclassified", "Direct API"], "Row 2, column “Name”: This field cannot be blank."),
        (
            ["", "A", "IRS", "High", "unclassified", "Direct API"],
            "Row 2, column “FISMA system ID”: This field is required.",
        ),
        (["bad id!", "A", "IRS", "High", "unclassified", "Direct API"], "Row 2, column “FISMA system ID”: Use letters"),
    ],
)
def test_bad_cells_are_reported_with_row_and_column(alice_client, row, expected):
    problems = preview_problems(alice_client, csv_file([HEADERS, row]))
    assert any(problem.startswith(expected) for problem in problems), problems
    assert not System.objects.exists()


def test_missing_required_column_is_reported(alice_client):
    problems = preview_problems(alice_client, csv_file([HEADERS[:-1], GOOD_ROW[:-1]]))
    assert problems == ["Row 1, column “Dependency kind”: This required column is missing."]


def test_unknown_column_is_reported(alice_client):
    problems = preview_problems(alice_client, csv_file([[*HEADERS, "Colour"], [*GOOD_ROW, "red"]]))
    assert problems == ["Row 1, column “Colour”: Unknown column. Download the template for the columns."]


def test_duplicate_fisma_id_in_file(alice_client):
    problems = preview_problems(alice_client, csv_file([HEADERS, GOOD_ROW, GOOD_ROW]))
    assert problems == ["Row 3, column “FISMA system ID”: IRS-0001 also appears in row 2."]


def test_fisma_id_of_another_agency_is_refused(alice_client, system_b):
    row = [system_b.fisma_id, "Mine now", "IRS", "High", "unclassified", "Direct API"]
    problems = preview_problems(alice_client, csv_file([HEADERS, row]))
    assert problems == [
        f"Row 2, column “FISMA system ID”: {system_b.fisma_id} is already used by a system you cannot change."
    ]
    system_b.refresh_from_db()
    assert system_b.name != "Mine now"


def test_dependency_on_unknown_system(alice_client, system_b):
    headers = [*HEADERS, "Depends on"]
    rows = [headers, [*GOOD_ROW, f"NOPE-9; {system_b.fisma_id}"]]
    problems = preview_problems(alice_client, csv_file(rows))
    assert problems == [f"Row 2, column “Depends on”: Unknown system NOPE-9, {system_b.fisma_id}."]


def test_dependencies_within_the_file_are_linked(alice_client, system_a):
    headers = [*HEADERS, "Depends on"]
    second = ["IRS-0002", "Second", "IRS", "Low", "unclassified", "Direct API", f"IRS-0003; {system_a.fisma_id}"]
    third = ["IRS-0003", "Third", "IRS", "Low", "unclassified", "Direct API", ""]
    response = upload(alice_client, csv_file([headers, [*GOOD_ROW, "IRS-0002"], second, third]))
    assert alice_client.get(response.url).context["result"].problems == []
    alice_client.post(response.url)
    first = System.objects.get(fisma_id="IRS-0001")
    assert list(first.depends_on.values_list("fisma_id", flat=True)) == ["IRS-0002"]
    assert set(System.objects.get(fisma_id="IRS-0002").depends_on.values_list("fisma_id", flat=True)) == {
        "IRS-0003",
        system_a.fisma_id,
    }


def test_cycle_within_the_file_is_a_problem(alice_client):
    headers = [*HEADERS, "Depends on"]
    second = ["IRS-0002", "Second", "IRS", "Low", "unclassified", "Direct API", "IRS-0001"]
    problems = preview_problems(alice_client, csv_file([headers, [*GOOD_ROW, "IRS-0002"], second]))
    cycle = "IRS-0001 → IRS-0002 → IRS-0001"
    assert problems == [f"Row 2, column “Depends on”: Depends-on links would form a cycle: {cycle}."]


def test_one_bad_row_applies_nothing(alice_client, system_a):
    before = snapshot()
    bad = ["IRS-0009", "Bad", "IRS", "High", "nowhere", "Direct API"]
    update = [system_a.fisma_id, "Changed", "IRS", "Low", "unclassified", "Direct API"]
    response = upload(alice_client, csv_file([HEADERS, GOOD_ROW, update, bad]))
    problems = [str(problem) for problem in alice_client.get(response.url).context["result"].problems]
    assert problems[0].startswith("Row 4, column “Network”")
    confirm = alice_client.post(response.url)  # confirming anyway applies nothing either
    assert "Nothing was imported" in confirm.content.decode()
    assert snapshot() == before
    assert ImportBatch.objects.get().applied_at is None


def test_confirm_saves_no_good_row_when_another_turned_bad(alice_client, agency_a, component_a):
    """Row 2 (Treasury) stays good; row 3's agency disappears between preview and confirm."""
    treasury_row = ["TREAS-0001", "Payroll bot", "TREAS", "Low", "unclassified", "Direct API"]
    response = upload(alice_client, csv_file([HEADERS, treasury_row, GOOD_ROW]))
    assert alice_client.get(response.url).context["result"].creates == 2
    component_a.abbreviation = "IRS2"
    component_a.save()
    confirm = alice_client.post(response.url)
    assert "Nothing was imported" in confirm.content.decode()
    assert [str(problem) for problem in confirm.context["result"].problems] == [
        "Row 3, column “Agency”: Unknown agency “IRS” (or not one you may change)."
    ]
    assert not System.objects.exists()
    assert ImportBatch.objects.get().applied_at is None


def test_confirm_reports_what_it_saved(alice_client, system_a):
    update = [system_a.fisma_id, "Renamed", "IRS", "Moderate", "unclassified", "Direct API"]
    response = upload(alice_client, csv_file([HEADERS, GOOD_ROW, update]))
    confirmed = alice_client.post(response.url, follow=True)
    assert "Imported 2 rows: 1 new, 1 updated, 0 unchanged." in confirmed.content.decode()
    assert System.objects.get(fisma_id="IRS-0001").name == "Refund status bot"
    assert System.objects.get(pk=system_a.pk).name == "Renamed"
    assert ImportBatch.objects.get().applied_count == 2


def test_an_agency_the_user_may_only_view_is_refused_in_preview_and_confirm(alice_client, alice, agency_b, system_b):
    from tests.factories import MembershipFactory

    MembershipFactory(user=alice, agency=agency_b, role="viewer")
    new_row = ["DOD-0100", "New at defense", "DOD", "High", "unclassified", "Direct API"]
    existing_row = [system_b.fisma_id, "Renamed", "IRS", "High", "unclassified", "Direct API"]
    response = upload(alice_client, csv_file([HEADERS, new_row, existing_row]))
    problems = [str(problem) for problem in alice_client.get(response.url).context["result"].problems]
    assert problems == [
        "Row 2, column “Agency”: Unknown agency “DOD” (or not one you may change).",
        f"Row 3, column “FISMA system ID”: {system_b.fisma_id} is already used by a system you cannot change.",
    ]
    confirm = alice_client.post(response.url)
    assert [str(problem) for problem in confirm.context["result"].problems] == problems
    assert not System.objects.filter(fisma_id="DOD-0100").exists()
    system_b.refresh_from_db()
    assert system_b.name != "Renamed"


def test_confirm_revalidates_and_rolls_back(alice_client, component_a, directive):
    response = upload(
        alice_client, csv_file([HEADERS, GOOD_ROW, ["IRS-0002", "Two", "IRS", "High", "cui", "Direct API"]])
    )
    SystemFactory(agency=component_a, directive=directive, fisma_id="IRS-0002-X")
    component_a.abbreviation = "IRS2"  # the file's agency disappears between preview and confirm
    component_a.save()
    confirm = alice_client.post(response.url)
    assert "Nothing was imported" in confirm.content.decode()
    assert not System.objects.filter(fisma_id__in=["IRS-0001", "IRS-0002"]).exists()
    assert ImportBatch.objects.get().applied_at is None


def test_wrong_encoding(alice_client):
    message = upload_error(
        alice_client, csv_file([HEADERS, ["X-1", "Café ñ", "IRS", "High", "cui", "Direct API"]], encoding="latin-1")
    )
    assert "not UTF-8" in message


def test_not_a_spreadsheet(alice_client):
    png = SimpleUploadedFile("systems.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert "not an Excel workbook" in upload_error(alice_client, png)
    pdf = SimpleUploadedFile("systems.pdf", b"%PDF-1.4")
    assert "Upload a .csv or .xlsx file" in upload_error(alice_client, pdf)
    binary_csv = SimpleUploadedFile("systems.csv", b"a,b\x00c")
    assert "binary data" in upload_error(alice_client, binary_csv)


def test_xlsx_zip_bomb(alice_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    bomb = SimpleUploadedFile("systems.xlsx", buffer.getvalue())
    assert len(buffer.getvalue()) < 1024 * 1024
    assert "unpacks to 60 MB" in upload_error(alice_client, bomb)


def with_huge_cell(workbook_file, placeholder: str, huge: str) -> SimpleUploadedFile:
    """openpyxl cuts cells at Excel's 32,767 characters, so the XML is rewritten by hand."""
    source = zipfile.ZipFile(io.BytesIO(workbook_file.read()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(placeholder.encode(), huge.encode())
            target.writestr(item, data)
    return SimpleUploadedFile("systems.xlsx", buffer.getvalue())


def test_huge_cell(alice_client):
    huge = "A" * (10 * 1024 * 1024)
    workbook = xlsx_file([HEADERS, ["X-1", "PLACEHOLDER", "IRS", "High", "cui", "Direct API"]])
    message = upload_error(alice_client, with_huge_cell(workbook, "PLACEHOLDER", huge))
    assert "Row 2, column B: the cell holds 10,485,760 characters; the limit is 4,000." in message
    too_large = upload(alice_client, csv_file([HEADERS, ["X-1", huge]]))
    assert too_large.status_code == 413  # refused by its Content-Length, unread
    assert too_large.context["form"].errors["file"] == ["The file is 10.0 MB; the limit is 5 MB."]


def test_a_million_rows(alice_client):
    content = ("\n".join(["FISMA system ID"] + ["x"] * 1_000_000)).encode()
    message = upload_error(alice_client, SimpleUploadedFile("systems.csv", content))
    assert "more than 20,000 data rows" in message


def test_formulas_are_refused(alice_client):
    message = upload_error(alice_client, xlsx_file([HEADERS, ["X-1", "=1+1", "IRS", "High", "cui", "Direct API"]]))
    assert "Row 2, column B: formulas are not accepted" in message
    assert not ImportBatch.objects.exists()


def test_template_downloads_have_the_import_columns(alice_client):
    csv_template = alice_client.get(reverse("inventory:import-template", args=["systems", "csv"]))
    headers = next(csv.reader(io.StringIO(csv_template.content.decode("utf-8-sig"))))
    assert headers[:2] == ["Name", "FISMA system ID"] and "Status" not in headers
    xlsx_template = alice_client.get(reverse("inventory:import-template", args=["systems", "xlsx"]))
    workbook = load_workbook(io.BytesIO(xlsx_template.content))
    assert [cell.value for cell in workbook.worksheets[0][1]] == headers
    assert "Allowed values" in workbook.sheetnames


def test_filled_template_imports(alice_client):
    template = alice_client.get(reverse("inventory:import-template", args=["systems", "xlsx"]))
    workbook = load_workbook(io.BytesIO(template.content))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    values = dict(zip(HEADERS, GOOD_ROW, strict=True))
    workbook.worksheets[0].append([values.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(alice_client, SimpleUploadedFile("filled.xlsx", buffer.getvalue()))
    assert alice_client.get(response.url).context["result"].problems == []
    alice_client.post(response.url)
    assert System.objects.filter(fisma_id="IRS-0001").exists()


ALL_SYSTEM_COLUMNS = [
    "name", "fisma_id", "agency", "directive", "status", "dependency_kind", "criticality", "network",
    "national_security_system", "removal_deadline", "days_left", "covered_products", "depends_on",
    "owner_name", "owner_email", "contacts", "mission_function", "environment", "user_count",
    "identification_method", "replacement", "cost_estimate",
]  # fmt: skip


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(alice_client, system_a, component_a, directive, file_format):
    other = SystemFactory(
        agency=component_a,
        directive=directive,
        name="=cmd|' /C calc'!A0",
        replacement="-ish",
        owner_name="'=quoted",
        mission_function="'apostrophe first; and a semicolon",
    )
    system_a.covered_products.add(ProductFactory(name="Chat API"))
    system_a.depends_on.add(other)
    system_a.cost_estimate = "1234.50"
    system_a.contacts = "Ann\nBen"
    system_a.save()
    before = snapshot()
    history_before = System.history.count()
    exported = alice_client.get(
        reverse("inventory:system-list"), {"export": file_format, "columns": ALL_SYSTEM_COLUMNS}
    )
    content = b"".join(exported.streaming_content) if file_format == "csv" else exported.getvalue()
    response = upload(alice_client, SimpleUploadedFile(f"export.{file_format}", content))
    preview = alice_client.get(response.url).context["result"]
    assert (preview.problems, preview.unchanged, preview.creates, preview.updates) == ([], 2, 0, 0)
    alice_client.post(response.url)
    assert snapshot() == before
    assert System.history.count() == history_before


def test_contract_import_round_trip_and_update(alice_client, contract_a, system_a):
    exported = alice_client.get(reverse("inventory:contract-list"), {"export": "csv"})
    content = b"".join(exported.streaming_content).decode("utf-8-sig")
    content = content.replace("Covered AI Inc.", "Covered AI Incorporated")
    response = upload(alice_client, SimpleUploadedFile("contracts.csv", content.encode()), kind="contracts")
    preview = alice_client.get(response.url).context["result"]
    assert (preview.problems, preview.updates) == ([], 1)
    alice_client.post(response.url)
    contract_a.refresh_from_db()
    assert contract_a.vendor_name == "Covered AI Incorporated"
    assert list(contract_a.systems.all()) == [system_a]
    assert Contract.objects.count() == 1


def test_viewer_cannot_import(client, victor):
    client.force_login(victor)
    assert client.get(reverse("inventory:import-upload", args=["systems"])).status_code == 403


def test_another_users_batch_is_not_found(alice_client, client, bob):
    response = upload(alice_client, csv_file([HEADERS, GOOD_ROW]))
    client.force_login(bob)
    assert client.get(response.url).status_code == 404
    assert client.post(response.url).status_code == 404


def test_imported_systems_have_history_by_the_importer(alice_client, alice, system_a):
    update = [system_a.fisma_id, "Renamed", "IRS", "High", "unclassified", "Direct API"]
    response = upload(alice_client, csv_file([HEADERS, GOOD_ROW, update]))
    alice_client.post(response.url)
    created = System.objects.get(fisma_id="IRS-0001")
    assert [(record.history_type, record.history_user) for record in created.history.all()] == [("+", alice)]
    latest = system_a.history.first()
    assert (latest.history_type, latest.name, latest.history_user) == ("~", "Renamed", alice)


def test_xml_entity_bomb_is_refused(alice_client):
    bomb_doctype = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    source = zipfile.ZipFile(io.BytesIO(xlsx_file([HEADERS, GOOD_ROW]).read()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b"")
                data = bomb_doctype.encode() + data.replace(b"Refund status bot", b"&lol3;")
            target.writestr(item, data)
    message = upload_error(alice_client, SimpleUploadedFile("systems.xlsx", buffer.getvalue()))
    assert message == "The workbook declares XML entities (a possible XML bomb); it was not read."


def test_blank_cells_keep_stored_counts_and_directive(alice_client, system_a, directive):
    from tests.factories import DirectiveFactory

    DirectiveFactory(short_name="OTHER-1")  # with two directives, new rows must name one
    System.objects.filter(pk=system_a.pk).update(user_count=500)
    headers = [*HEADERS, "Users, seats or endpoints", "Directive"]
    update = [system_a.fisma_id, "Renamed", "IRS", "High", "unclassified", "Direct API", "", ""]
    new = [*GOOD_ROW, "", ""]
    problems = preview_problems(alice_client, csv_file([headers, update, new]))
    assert problems == ["Row 3, column “Directive”: Required for a new system (there are several directives)."]
    response = upload(alice_client, csv_file([headers, update]))
    alice_client.post(response.url)
    system_a.refresh_from_db()
    assert (system_a.name, system_a.user_count, system_a.directive) == ("Renamed", 500, directive)


@pytest.mark.parametrize("count", [5, 40])
def test_preview_of_unchanged_rows_costs_no_queries_per_row(
    alice_client, component_a, directive, count, django_assert_max_num_queries
):
    systems = SystemFactory.create_batch(count, agency=component_a, directive=directive)
    for system, other in zip(systems, systems[1:], strict=False):
        system.depends_on.add(other)
        system.covered_products.add(ProductFactory(name="Chat API"))
    exported = alice_client.get(reverse("inventory:system-list"), {"export": "csv", "columns": ALL_SYSTEM_COLUMNS})
    response = upload(alice_client, SimpleUploadedFile("s.csv", b"".join(exported.streaming_content)))
    with django_assert_max_num_queries(20):
        result = alice_client.get(response.url).context["result"]
    assert (result.problems, result.unchanged) == ([], count)


def test_tiny_workbook_claiming_a_huge_sheet_is_refused(alice_client):
    workbook = Workbook()
    workbook.active["A1"] = "FISMA system ID"
    workbook.active["XFD1"] = "far right"
    workbook.active["A1048576"] = "far down"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(buffer.getvalue()) < 10_000
    message = upload_error(alice_client, SimpleUploadedFile("systems.xlsx", buffer.getvalue()))
    assert message == "The sheet has more than 21,000 rows, blank ones included."


def test_too_many_columns_is_refused(alice_client):
    message = upload_error(alice_client, csv_file([HEADERS + [f"extra {n}" for n in range(60)]]))
    assert message == "Row 1 has values beyond column BH."
