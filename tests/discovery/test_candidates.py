"""Candidates from each kind of evidence: the right rows, the right kind; decisions remembered."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.discovery import services
from procurement.discovery.enums import CandidateStatus, SourceKind
from procurement.discovery.models import Candidate
from procurement.discovery.presets import AI_USE_CASE_INVENTORY, preset
from procurement.inventory.enums import DependencyKind, IdentificationMethod
from procurement.inventory.models import System
from tests.factories import SystemFactory


@pytest.fixture
def inventory_file(alice, agency_a, covered, m_25_21_xlsx):
    return services.source_upload(
        user=alice, agency=agency_a, filename="treasury-2025.xlsx", content=m_25_21_xlsx,
        preset_key=AI_USE_CASE_INVENTORY,
    )  # fmt: skip


def scan(user, source, directive, field_map=None):
    field_map = field_map or preset(AI_USE_CASE_INVENTORY)
    return services.source_scan(user=user, source=source, field_map=field_map, directive=directive)


def test_the_preset_finds_each_kind_in_a_published_inventory(alice, inventory_file, directive):
    result = scan(alice, inventory_file, directive)
    assert result.rows == 5 and result.candidates == 3
    assert dict(result.by_kind) == {"direct_api": 1, "embedded": 1, "cloud_platform": 1}
    by_row = {c.row_number: c for c in Candidate.objects.all()}
    assert set(by_row) == {4, 5, 6}  # not the look-alike words of row 7, not the OpenAI row 8
    direct, embedded, platform = by_row[4], by_row[5], by_row[6]
    assert direct.proposed_kind == DependencyKind.DIRECT_API and direct.title == "Taxpayer question assistant"
    assert direct.field == "Vendor(s) Name" and direct.matched_text == "Covered AI Inc"
    assert embedded.proposed_kind == DependencyKind.EMBEDDED and "Acme Analytics LLC" in embedded.reason
    assert [piece for piece, marked in embedded.excerpt_segments() if marked] == ["Covered AI"]
    assert platform.proposed_kind == DependencyKind.CLOUD_PLATFORM
    assert direct.values["criticality"] == "moderate" and embedded.values["criticality"] == "high"
    assert direct.where == "treasury-2025.xlsx, row 4, column “Vendor(s) Name”"


def test_the_2024_layout_in_windows_1252_goes_through_the_same_preset(alice, agency_a, covered, directive,
                                                                      inventory_2024_cp1252):  # fmt: skip
    source = services.source_upload(user=alice, agency=agency_a, filename="2024.csv", content=inventory_2024_cp1252,
                                    preset_key=AI_USE_CASE_INVENTORY)  # fmt: skip
    assert source.encoding == "Windows-1252"
    result = scan(alice, source, directive)
    assert result.candidates == 1 and dict(result.by_kind) == {"cloud_platform": 1}
    candidate = Candidate.objects.get()
    assert candidate.values["fisma_id"] == "IRS-2024-17" and candidate.values["criticality"] == "high"
    assert {product.name for product in candidate.products.all()} == {"Chat Model API"}


def test_scanning_again_proposes_nothing_new(alice, inventory_file, directive):
    scan(alice, inventory_file, directive)
    again = scan(alice, inventory_file, directive)
    assert again.candidates == 0 and again.already_decided == 3
    assert Candidate.objects.count() == 3


def test_rejection_is_remembered_across_uploads(alice, agency_a, inventory_file, directive, m_25_21_xlsx):
    scan(alice, inventory_file, directive)
    candidate = Candidate.objects.get(row_number=6)
    with pytest.raises(ValidationError):
        services.candidate_reject(user=alice, candidate=candidate, note="  ")
    services.candidate_reject(user=alice, candidate=candidate, note="Sandbox only, never used for work.")
    next_year = services.source_upload(user=alice, agency=agency_a, filename="treasury-2026.xlsx",
                                       content=m_25_21_xlsx, preset_key=AI_USE_CASE_INVENTORY)  # fmt: skip
    assert scan(alice, next_year, directive).candidates == 0
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REJECTED and candidate.decided_by == alice
    assert candidate.decision_note == "Sandbox only, never used for work."


def test_acceptance_creates_the_system_and_records_who_when_and_the_evidence(alice, inventory_file, directive):
    scan(alice, inventory_file, directive)
    candidate = Candidate.objects.get(row_number=4)
    acceptance = services.Acceptance(dependency_kind=DependencyKind.DIRECT_API)
    services.candidate_accept(user=alice, candidate=candidate, acceptance=acceptance)
    candidate.refresh_from_db()
    system = candidate.system
    assert system.fisma_id == "TREAS-0001" and system.name == "Taxpayer question assistant"
    assert system.agency == inventory_file.agency and system.directive == directive
    assert system.identification_method == IdentificationMethod.SOFTWARE_INVENTORY
    assert {product.name for product in system.covered_products.all()} == set()  # the vendor, not a product
    assert candidate.status == CandidateStatus.ACCEPTED and candidate.decided_by == alice
    assert candidate.decided_at is not None
    entry = system.history.get()
    assert entry.history_user == alice
    assert (
        entry.history_change_reason
        == "Discovery: treasury-2025.xlsx, row 4, column “Vendor(s) Name” (“Covered AI Inc”)"
    )


def test_acceptance_links_an_existing_system_and_keeps_its_products(alice, agency_a, inventory_file, directive):
    existing = SystemFactory(agency=agency_a, directive=directive, fisma_id="TREAS-0003", name="Sandbox")
    scan(alice, inventory_file, directive)
    candidate = Candidate.objects.get(row_number=6)
    assert candidate.system == existing  # proposed as a link, not a new system
    acceptance = services.Acceptance(dependency_kind=DependencyKind.CLOUD_PLATFORM)
    services.candidate_accept(user=alice, candidate=candidate, acceptance=acceptance)
    existing.refresh_from_db()
    assert existing.dependency_kind == DependencyKind.CLOUD_PLATFORM
    assert System.objects.count() == 1


def test_two_people_deciding_at_once_the_second_is_told(alice, lena, inventory_file, directive):
    scan(alice, inventory_file, directive)
    first = Candidate.objects.get(row_number=4)
    second = Candidate.objects.get(pk=first.pk)  # lena's page, opened at the same time
    services.candidate_reject(user=alice, candidate=first, note="Duplicate of an entry we keep elsewhere.")
    with pytest.raises(ValidationError, match="alice already rejected"):
        services.candidate_accept(user=lena, candidate=second, acceptance=services.Acceptance("direct_api"))
    assert not System.objects.exists()


def test_a_viewer_or_another_agency_cannot_decide(victor, bob, alice, inventory_file, directive):
    scan(alice, inventory_file, directive)
    candidate = Candidate.objects.get(row_number=4)
    for user in (victor, bob):
        with pytest.raises(PermissionDenied):
            services.candidate_reject(user=user, candidate=candidate, note="no")
    with pytest.raises(PermissionDenied):
        services.source_upload(user=bob, agency=inventory_file.agency, filename="x.csv", content=b"a\n1\n")


def test_existing_systems_that_name_the_vendor_but_list_no_product(alice, agency_a, component_a, covered, directive):
    named = SystemFactory(agency=component_a, directive=directive, mission_function="Chat on CoveredAI for agents")
    SystemFactory(agency=component_a, directive=directive, mission_function="Uncovered aid tracking")
    listed = SystemFactory(agency=component_a, directive=directive, mission_function="Covered AI assistant")
    listed.covered_products.set(covered.products.all()[:1])
    result = services.systems_scan(user=alice, agency=agency_a, directive=directive)
    assert result.candidates == 1
    candidate = Candidate.objects.get()
    assert candidate.system == named and candidate.source_kind == SourceKind.SYSTEM
    assert candidate.agency == component_a and candidate.field == "Mission function"
    assert services.systems_scan(user=alice, agency=agency_a, directive=directive).candidates == 0


def test_extra_terms_match_too(alice, inventory_file, directive):
    result = services.source_scan(
        user=alice, source=inventory_file, field_map=preset(AI_USE_CASE_INVENTORY), directive=directive,
        extra_terms=["OpenAI"],
    )  # fmt: skip
    assert result.candidates == 4  # the OpenAI row too


def test_uploaded_rows_expire_but_candidates_keep_their_evidence(alice, inventory_file, directive, settings):
    scan(alice, inventory_file, directive)
    later = inventory_file.created_at + datetime.timedelta(seconds=settings.IMPORT_BATCH_TTL_SECONDS + 1)
    assert services.source_files_expire(later) == 1
    inventory_file.refresh_from_db()
    assert inventory_file.parsed is None
    assert Candidate.objects.filter(excerpt__contains="Covered").count() == 3
