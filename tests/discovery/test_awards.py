"""Award exports: USAspending and FPDS columns; the covered vendor found by UEI, CAGE code or name."""

import decimal

import pytest

from procurement.discovery import services
from procurement.discovery.enums import SourceKind
from procurement.discovery.models import Candidate
from procurement.inventory.enums import DependencyKind
from procurement.inventory.models import Contract
from tests.discovery.conftest import CAGE, UEI, csv_bytes, xlsx_bytes

USASPENDING_HEADERS = [
    "contract_award_unique_key", "award_id_piid", "parent_award_id_piid", "total_obligated_amount",
    "period_of_performance_start_date", "period_of_performance_current_end_date", "recipient_uei", "recipient_name",
    "cage_code", "prime_award_base_transaction_description",
]  # fmt: skip
USASPENDING_ROWS = [
    ["K1", "47QFCA26F0001", "47QTCA26D0007", "1250000.00", "2026-01-01", "2026-12-31", UEI, "COVERED AI, INC.",
     CAGE, "Enterprise assistant seats"],
    ["K2", "47QFCA26F0002", "", "80000", "2026-01-01", "2026-12-31", "ZZZZZZZZZZZZ", "ACME RESELLER LLC", "1ABC2",
     "Covered AI API credits, resold"],
    ["K3", "47QFCA26F0003", "", "50000", "2026-01-01", "2026-12-31", "YYYYYYYYYYYY", "DISCOVERED AID LLC", "9ZZZ9",
     "Translation services"],
]  # fmt: skip
FPDS_HEADERS = ["PIID", "Referenced IDV PIID", "Vendor Name", "Unique Entity ID", "CAGE Code", "Action Obligation",
                "Date Signed", "Ultimate Completion Date", "Description of Requirement"]  # fmt: skip
FPDS_ROWS = [["70RTAC26F0001", "", "Renamed Vendor Co", "", CAGE, "$12,000.00", "2026-02-01", "2027-01-31", "Seats"]]


def upload(user, agency, name, content, directive):
    source = services.source_upload(user=user, agency=agency, filename=name, content=content, kind=SourceKind.AWARD)
    return services.awards_scan(user=user, source=source, directive=directive)


def test_usaspending_download(alice, agency_a, covered, directive):
    result = upload(alice, agency_a, "awards.csv", csv_bytes(USASPENDING_HEADERS, USASPENDING_ROWS), directive)
    assert result.rows == 3 and result.candidates == 2
    by_order = {c.values["order_number"]: c for c in Candidate.objects.all()}
    uei_match, described = by_order["47QFCA26F0001"], by_order[""]
    assert uei_match.reason == "Matched by recipient UEI." and uei_match.proposed_kind == DependencyKind.DIRECT_API
    assert uei_match.values["contract_number"] == "47QTCA26D0007"
    assert described.values["contract_number"] == "47QFCA26F0002"
    assert described.proposed_kind == DependencyKind.EMBEDDED and described.matched_text == "Covered AI"


def test_fpds_export_matched_by_cage_code(alice, agency_a, covered, directive):
    result = upload(alice, agency_a, "fpds.xlsx", xlsx_bytes(FPDS_HEADERS, FPDS_ROWS, above=[["FPDS ezSearch"]]),
                    directive)  # fmt: skip
    assert result.candidates == 1
    candidate = Candidate.objects.get()
    assert candidate.reason == "Matched by recipient CAGE code." and candidate.row_number == 3


def test_accepting_creates_the_contract_with_its_history(alice, agency_a, covered, directive):
    upload(alice, agency_a, "awards.csv", csv_bytes(USASPENDING_HEADERS, USASPENDING_ROWS[:1]), directive)
    candidate = Candidate.objects.get()
    services.candidate_accept(user=alice, candidate=candidate, acceptance=services.Acceptance("direct_api"))
    contract = Contract.objects.get()
    assert (contract.contract_number, contract.order_number) == ("47QTCA26D0007", "47QFCA26F0001")
    assert contract.vendor_uei == UEI and contract.vendor_cage == CAGE
    assert contract.value == decimal.Decimal("1250000.00") and contract.agency == agency_a
    assert contract.history.get().history_change_reason.startswith("Discovery: awards.csv, row 2")
    candidate.refresh_from_db()
    assert candidate.contract == contract


@pytest.mark.parametrize("again", ["awards.csv", "awards-next-month.csv"])
def test_an_award_is_proposed_once(alice, agency_a, covered, directive, again):
    content = csv_bytes(USASPENDING_HEADERS, USASPENDING_ROWS)
    upload(alice, agency_a, "awards.csv", content, directive)
    assert upload(alice, agency_a, again, content, directive).candidates == 0
