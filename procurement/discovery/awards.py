"""Award exports (USAspending or FPDS downloads): which awards went to the covered vendor.

Plain rules with no database. The columns are found by their names in either download;
an award matches when its recipient's UEI or CAGE code is the covered vendor's, or its
recipient name (or, less surely, its description) names the vendor.
"""

from __future__ import annotations

from dataclasses import dataclass

from procurement.discovery.matching import Matcher, ProposedKind, excerpt
from procurement.discovery.reading import normalise_header
from procurement.discovery.scanning import fingerprint
from procurement.inventory.imports.sheets import Sheet

AWARD_COLUMNS = {
    "contract_number": ["parent_award_id_piid", "referenced idv piid", "parent award id piid", "idv piid"],
    "order_number": ["award_id_piid", "piid", "award id piid", "award id", "contract number"],
    "vendor_name": ["recipient_name", "vendor name", "recipient name", "legal business name"],
    "vendor_uei": ["recipient_uei", "unique entity id", "recipient uei", "vendor uei", "uei"],
    "vendor_cage": ["cage_code", "cage code", "vendor cage code"],
    "value": ["total_obligated_amount", "federal_action_obligation", "action obligation", "dollars obligated",
              "total obligated amount", "base and all options value"],
    "start_date": ["period_of_performance_start_date", "date signed", "action_date", "effective date"],
    "end_date": ["period_of_performance_current_end_date", "ultimate completion date",
                 "current completion date", "period of performance end"],
    "description": ["prime_award_base_transaction_description", "transaction_description",
                    "description of requirement", "award description"],
}  # fmt: skip
KNOWN_HEADERS = [header for headers in AWARD_COLUMNS.values() for header in headers]


@dataclass(frozen=True)
class AwardFinding:
    row_number: int
    fingerprint: str
    values: dict[str, str]
    matched_by: str
    matched_text: str
    field: str
    excerpt: str
    spans: list[tuple[int, int]]
    kind: ProposedKind


def award_columns(headers: list[str]) -> dict[str, int]:
    found = {}
    for index, header in enumerate(headers):
        wanted = normalise_header(header)
        for target, names in AWARD_COLUMNS.items():
            if wanted in names and target not in found:
                found[target] = index
    return found


def scan_awards(sheet: Sheet, matcher: Matcher, uei: str, cage: str) -> list[AwardFinding]:
    columns = award_columns(sheet.headers)
    findings = []
    for row_number, cells in sheet.rows:
        values = {target: cells[index].strip() for target, index in columns.items() if index < len(cells)}
        if not values.get("contract_number"):
            values["contract_number"], values["order_number"] = values.get("order_number", ""), ""
        found = _match(values, matcher, uei, cage)
        if found is None or not values["contract_number"]:
            continue
        matched_by, field, spans, kind = found
        shown, moved = excerpt(values[field], spans)
        key = fingerprint("award", values["contract_number"], values.get("order_number", ""))
        text = values[field][spans[0][0] : spans[0][1]] if spans else values[field]
        findings.append(AwardFinding(row_number, key, values, matched_by, text, field, shown, moved, kind))
    return findings


def _match(values: dict[str, str], matcher: Matcher, uei: str, cage: str):
    """(how, field, spans, kind) when the award is the covered vendor's, else None."""
    for field, wanted, how in (("vendor_uei", uei, "recipient UEI"), ("vendor_cage", cage, "recipient CAGE code")):
        text = values.get(field, "")
        if wanted and text.upper() == wanted.upper():
            return how, field, [(0, len(text))], ProposedKind.DIRECT_API
    for field, how, kind in (
        ("vendor_name", "recipient name", ProposedKind.DIRECT_API),
        ("description", "award description (another recipient)", ProposedKind.EMBEDDED),
    ):
        hits = matcher.find(values.get(field, ""))
        if hits:
            return how, field, [(hit.start, hit.end) for hit in hits], kind
    return None
