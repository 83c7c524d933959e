"""The discovery pages through the test client: mapping round trip, decisions, evidence, access."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from procurement.discovery import selectors
from procurement.discovery.models import Candidate, ColumnMapping, SourceFile
from procurement.inventory.models import System
from tests.discovery.conftest import M_25_21_HEADERS, M_25_21_ROWS, csv_bytes

# An agency's own systems list, in its own words.
FOREIGN_HEADERS = ["Sys ID", "Application", "Impact Level", "Hosting", "Vendor", "Notes"]
FOREIGN_ROWS = [
    ["TR-100", "Payments chat", "Mod", "GovCloud", "Covered AI", "Pilot since 2025"],
    ["TR-101", "Fraud triage", "High", "Data center", "In-house", ""],
]


@pytest.fixture
def alice_client(client, alice, covered, directive):
    client.force_login(alice)
    return client


def upload(client, agency, name, content, layout=""):
    url = reverse("discovery:source-upload", args=[agency.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content), "layout": layout})


def mapping_post(source, action, name="", **overrides):
    data = {"action": action, "name": name, "default_network": "unclassified", "default_dependency_kind": "direct_api"}
    for index, header in enumerate(source_headers(source)):
        data[f"column_{index}"] = overrides.get(header, "")
    return data


def source_headers(source):
    from procurement.discovery.services import source_sheet

    return source_sheet(source).headers


FOREIGN_MAP = {"Sys ID": "fisma_id", "Application": "name", "Impact Level": "criticality", "Hosting": "environment",
               "Vendor": "vendor_names"}  # fmt: skip


def test_mapping_round_trip_updates_instead_of_duplicating(alice_client, agency_a):
    response = upload(alice_client, agency_a, "our-systems.csv", csv_bytes(FOREIGN_HEADERS, FOREIGN_ROWS))
    source = SourceFile.objects.get()
    assert response.url == source.get_absolute_url()
    page = alice_client.get(response.url)
    # Suggested from the header names alone.
    assert page.context["form"]["column_0"].initial == "fisma_id"
    assert page.context["form"]["column_4"].initial == "vendor_names"
    # Map the columns, then their values: "Mod" → moderate needs the value mapping.
    alice_client.post(response.url, mapping_post(source, "update", **FOREIGN_MAP))
    form = alice_client.get(response.url).context["form"]
    values = {field.label: field.name for field in form.value_fields()}
    assert set(values) == {"Mission criticality: “Mod”", "Mission criticality: “High”"}
    data = mapping_post(source, "save", name="Treasury systems list", **FOREIGN_MAP)
    data[values["Mission criticality: “Mod”"]] = "moderate"
    data[values["Mission criticality: “High”"]] = "high"
    alice_client.post(response.url, data)
    mapping = ColumnMapping.objects.get(agency=agency_a, name="Treasury systems list")
    assert mapping.values == {"criticality": {"Mod": "moderate", "High": "high"}}

    imported = alice_client.post(response.url, {**data, "action": "import"})
    assert imported.status_code == 302 and "/import/" in imported.url
    preview = alice_client.get(imported.url)
    assert preview.context["result"].creates == 2 and not preview.context["result"].problems
    alice_client.post(imported.url)
    assert System.objects.filter(fisma_id__in=["TR-100", "TR-101"]).count() == 2
    assert System.objects.get(fisma_id="TR-100").criticality == "moderate"

    # Next month's file, same layout, one name changed: the saved mapping, and an update.
    rows = [["TR-100", "Payments assistant", "Mod", "GovCloud", "Covered AI", ""], FOREIGN_ROWS[1]]
    upload(alice_client, agency_a, "our-systems-2.csv", csv_bytes(FOREIGN_HEADERS, rows), f"mapping:{mapping.pk}")
    second = SourceFile.objects.exclude(pk=source.pk).get()
    imported = alice_client.post(second.get_absolute_url(), {**data, "action": "import"})
    preview = alice_client.get(imported.url).context["result"]
    assert (preview.creates, preview.updates, preview.unchanged) == (0, 1, 1)
    alice_client.post(imported.url)
    assert System.objects.count() == 2 and System.objects.get(fisma_id="TR-100").name == "Payments assistant"


def test_find_candidates_then_accept_and_see_the_evidence_on_the_system(alice_client, alice, agency_a, directive):
    response = upload(alice_client, agency_a, "inventory.csv", csv_bytes(M_25_21_HEADERS, M_25_21_ROWS),
                      "preset:ai-use-case-inventory")  # fmt: skip
    source = SourceFile.objects.get()
    page = alice_client.get(response.url)
    data = {"action": "scan", "name": ""}
    data.update({field.name: field.initial or "" for field in page.context["form"].column_fields()})
    data.update({field.name: field.initial or "" for field in page.context["form"].value_fields()})
    data.update({field.name: field.initial or "" for field in page.context["form"].default_fields()})
    listed = alice_client.post(source.get_absolute_url(), data, follow=True)
    assert "3 new candidates" in listed.content.decode()
    candidate = Candidate.objects.get(row_number=2)
    detail = alice_client.get(candidate.get_absolute_url()).content.decode()
    assert "<mark>Covered AI Inc</mark>" in detail
    alice_client.post(reverse("discovery:candidate-accept", args=[candidate.pk]),
                      {"dependency_kind": "direct_api", "fisma_id": "TREAS-0001", "name": "IRS Answers"})  # fmt: skip
    system = System.objects.get(fisma_id="TREAS-0001")
    assert system.name == "IRS Answers"
    html = alice_client.get(system.get_absolute_url()).content.decode()  # the system page's panel
    assert "inventory.csv, row 2" in html and "<mark>Covered AI Inc</mark>" in html and "by alice" in html


def test_agency_page_counts(alice_client, agency_a):
    upload(
        alice_client,
        agency_a,
        "inventory.csv",
        csv_bytes(M_25_21_HEADERS, M_25_21_ROWS),
        "preset:ai-use-case-inventory",
    )
    page = alice_client.get(reverse("discovery:agency", args=[agency_a.pk]))
    assert page.status_code == 200 and page.context["summary"].waiting == 0
    assert "inventory.csv" in page.content.decode()


def test_another_agencys_candidates_files_and_mappings_are_404(client, bob, alice, agency_a, covered, directive):
    from procurement.discovery import services
    from procurement.discovery.fields import FieldMap

    source = services.source_upload(user=alice, agency=agency_a, filename="a.csv",
                                    content=csv_bytes(FOREIGN_HEADERS, FOREIGN_ROWS))  # fmt: skip
    services.source_scan(user=alice, source=source, field_map=FieldMap(columns=FOREIGN_MAP), directive=directive)
    mapping = services.mapping_save(user=alice, agency=agency_a, name="Ours", field_map=FieldMap(columns=FOREIGN_MAP))
    candidate = Candidate.objects.get()
    client.force_login(bob)
    for url in (
        candidate.get_absolute_url(),
        source.get_absolute_url(),
        reverse("discovery:agency", args=[agency_a.pk]),
        reverse("discovery:candidates", args=[agency_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("discovery:candidate-reject", args=[candidate.pk]), {"note": "x"}).status_code == 404
    bob_agency = bob.memberships.get().agency
    refused = upload(client, bob_agency, "b.csv", csv_bytes(FOREIGN_HEADERS, FOREIGN_ROWS), f"mapping:{mapping.pk}")
    assert (
        refused.status_code == 200 and "not one of the available choices" in refused.context["form"].errors["layout"][0]
    )
    assert not SourceFile.objects.filter(agency=bob_agency).exists()
    with pytest.raises(Http404):
        selectors.mapping_get(bob, mapping.pk)
    candidate.refresh_from_db()
    assert candidate.status == "proposed"


def test_oversized_upload_is_refused_unread(alice_client, agency_a, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024
    response = upload(alice_client, agency_a, "big.csv", b"a,b\n" * 100_000)
    assert response.status_code == 413
    assert not SourceFile.objects.exists()
