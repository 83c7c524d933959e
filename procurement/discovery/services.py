"""Writes of discovery: uploads, saved mappings, proposed candidates, and people's decisions.

Accepting a candidate creates or links a system (or a contract) through inventory's
services, so the same rules and history apply as to a manual edit, with the evidence
named as the history entry's reason.
"""

from __future__ import annotations

import csv
import datetime
import io
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.discovery import awards, sbom
from procurement.discovery.enums import IDENTIFICATION_METHOD, CandidateStatus, SourceKind
from procurement.discovery.fields import FieldMap, translate
from procurement.discovery.matching import Matcher, ProposedKind
from procurement.discovery.models import Candidate, ColumnMapping, SourceFile
from procurement.discovery.presets import preset
from procurement.discovery.reading import read_source
from procurement.discovery.scanning import RowFinding, fingerprint, safe_fisma_id, scan_sheet
from procurement.discovery.terms import covered_vendors, matcher_for
from procurement.inventory import services as inventory_services
from procurement.inventory.access import Action, can
from procurement.inventory.enums import Criticality, ImportKind, Network
from procurement.inventory.imports.importers import CellError, SystemImporter, parse_money
from procurement.inventory.imports.services import import_batch_upload
from procurement.inventory.imports.sheets import sheet_pack, sheet_unpack
from procurement.inventory.models import Agency, Contract, Directive, Product, System, User


@dataclass
class ScanResult:
    """What a scan proposed: the JSON line `manage.py discover` prints."""

    rows: int = 0
    candidates: int = 0
    by_kind: Counter = field(default_factory=Counter)
    already_decided: int = 0
    problems: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "candidates": self.candidates,
            "by_kind": dict(sorted(self.by_kind.items())),
            "already_known": self.already_decided,
            "problems": self.problems,
            "seconds": round(self.seconds, 2),
        }


def _require(user, agency_id: int, action: Action = Action.CHANGE) -> None:
    if user is not None and not can(user, action, agency_id):
        raise PermissionDenied("You may not change this agency's discovery.")


# --- Files and mappings --------------------------------------------------------------


def source_upload(
    *, user: User, agency: Agency, filename: str, content: bytes, preset_key: str = "", kind: str = SourceKind.FILE_ROW
) -> SourceFile:
    """Parses an agency's own file once (header row found, encoding detected); may raise SpreadsheetError."""
    _require(user, agency.pk)
    known = list(preset(preset_key).columns) if preset_key else awards.KNOWN_HEADERS if kind == SourceKind.AWARD else []
    parsed = read_source(filename, content, known)
    return SourceFile.objects.create(
        agency=agency,
        user=user,
        kind=kind,
        preset=preset_key,
        filename=filename[:255],
        encoding=parsed.encoding,
        header_row=parsed.header_row,
        parsed=sheet_pack(parsed.sheet),
        row_count=len(parsed.sheet.rows),
    )


def source_sheet(source: SourceFile):
    if source.parsed is None:
        raise ValidationError("This file is no longer kept; upload it again.")
    return sheet_unpack(bytes(source.parsed))


@transaction.atomic
def mapping_save(
    *,
    user: User,
    agency: Agency,
    name: str,
    field_map: FieldMap,
    preset_key: str = "",
    expected_version: int | None = None,
) -> ColumnMapping:
    """Saves the agency's mapping under `name`, creating it or replacing the one of that name.

    With `expected_version`, a mapping someone else saved since is not overwritten.
    """
    _require(user, agency.pk)
    mapping = ColumnMapping.objects.select_for_update().filter(agency=agency, name=name).first()
    if mapping and expected_version is not None and mapping.version != expected_version:
        raise ValidationError(
            f"The mapping “{name}” was changed by someone else after you opened it; nothing was saved."
        )
    mapping = mapping or ColumnMapping(agency=agency, name=name, created_by=user, version=0)
    mapping.columns, mapping.values, mapping.defaults = field_map.columns, field_map.values, field_map.defaults
    mapping.preset = preset_key
    mapping.version += 1
    mapping.full_clean()
    mapping.save()
    return mapping


def field_map_of(mapping: ColumnMapping) -> FieldMap:
    return FieldMap(columns=mapping.columns, values=mapping.values, defaults=mapping.defaults)


def source_map_set(*, user: User, source: SourceFile, field_map: FieldMap, mapping: ColumnMapping | None = None):
    """Keeps the mapping the page shows on the file, so each step of the page starts from it."""
    _require(user, source.agency_id)
    source.working_map = {"columns": field_map.columns, "values": field_map.values, "defaults": field_map.defaults}
    source.mapping = mapping or source.mapping
    source.save(update_fields=["working_map", "mapping"])


def source_import_batch(*, user: User, source: SourceFile, field_map: FieldMap):
    """The file in Phaseout's columns, handed to the systems import: its preview, its all-or-nothing apply.

    Rows keep their order; the preview numbers them from the file's header row. A FISMA
    ID already in the inventory updates that system, so importing the same file again
    with the same mapping updates rather than duplicates.
    """
    _require(user, source.agency_id)
    sheet = source_sheet(source)
    columns = field_map.column_of(sheet.headers)
    fields = [name for name in SystemImporter.headers() if name not in SystemImporter.ignored]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([SystemImporter.headers()[name] for name in fields])
    for _, cells in sheet.rows:
        values = {"agency": source.agency.abbreviation, **translate(field_map, columns, cells)}
        if values.get("fisma_id"):
            values["fisma_id"] = safe_fisma_id(values["fisma_id"])
        writer.writerow([values.get(name, "") for name in fields])
    content = buffer.getvalue().encode()
    name = source.filename.rsplit(".", 1)[0] + " (mapped).csv"
    return import_batch_upload(user=user, kind=ImportKind.SYSTEMS, filename=name, content=content)


# --- Proposing candidates ------------------------------------------------------------


def source_scan(
    *, user: User | None, source: SourceFile, field_map: FieldMap, directive: Directive, extra_terms: list[str] = ()
) -> ScanResult:
    """Proposes a candidate for every row of the file that names the covered vendor."""
    _require(user, source.agency_id)
    started = time.perf_counter()
    sheet = source_sheet(source)
    result = rows_propose(
        agency=source.agency,
        directive=directive,
        sheet=sheet,
        field_map=field_map,
        matcher=matcher_for(directive, extra_terms),
        filename=source.filename,
        source=source,
    )
    SourceFile.objects.filter(pk=source.pk).update(scanned_at=timezone.now())
    result.seconds = time.perf_counter() - started
    return result


def rows_propose(
    *,
    agency: Agency,
    directive: Directive,
    sheet,
    field_map: FieldMap,
    matcher: Matcher,
    filename: str,
    source: SourceFile | None = None,
    store: bool = True,
) -> ScanResult:
    """The scan and its candidates, for uploads and `manage.py discover` alike."""
    findings = scan_sheet(matcher, sheet, field_map)
    linked = _existing_systems(agency, findings)
    candidates = [
        Candidate(
            agency=agency,
            directive=directive,
            source_kind=SourceKind.FILE_ROW,
            source=source,
            fingerprint=found.fingerprint,
            filename=filename[:255],
            row_number=found.row_number,
            title=found.title,
            field=found.field[:200],
            matched_text=found.finding.first.text[:200],
            excerpt=found.excerpt,
            spans=found.spans,
            proposed_kind=found.finding.kind,
            reason=found.finding.reason[:300],
            values=found.values,
            system=linked.get(found.fingerprint),
        )
        for found in findings
    ]
    products = {found.fingerprint: found.finding.products for found in findings}
    result = _store(agency, candidates, products, store)
    result.rows = len(sheet.rows)
    return result


def _existing_systems(agency: Agency, findings: list[RowFinding]) -> dict[str, System]:
    """Rows that describe a system already in the inventory (same FISMA ID, or same name in the agency)."""
    ids = {safe_fisma_id(found.values["fisma_id"]): found for found in findings if found.values.get("fisma_id")}
    names = {found.title.lower(): found for found in findings}
    linked = {}
    for system in System.objects.filter(fisma_id__in=list(ids)):
        linked[ids[system.fisma_id].fingerprint] = system
    for system in System.objects.filter(agency=agency, name__in=[found.title for found in findings]):
        found = names.get(system.name.lower())
        if found is not None:
            linked.setdefault(found.fingerprint, system)
    return {key: system for key, system in linked.items() if system.agency_id == agency.pk}


@transaction.atomic
def _store(agency: Agency, candidates: list[Candidate], products: dict[str, set[str]], store: bool) -> ScanResult:
    """Saves the candidates not seen before; a row already proposed, accepted or rejected is left alone."""
    result = ScanResult()
    known = set(Candidate.objects.filter(agency=agency).values_list("fingerprint", flat=True))
    fresh, seen = [], set(known)
    for candidate in candidates:
        if candidate.fingerprint in seen:
            result.already_decided += 1
            continue
        seen.add(candidate.fingerprint)
        fresh.append(candidate)
    result.candidates = len(fresh)
    result.by_kind = Counter(candidate.proposed_kind for candidate in fresh)
    if store and fresh:
        Candidate.objects.bulk_create(fresh, batch_size=500)
        _link_products(fresh, products)
    return result


def _link_products(candidates: list[Candidate], products: dict[str, set[str]]) -> None:
    by_name = {product.name: product.pk for product in Product.objects.all()}
    through = Candidate.products.through
    links = [
        through(candidate_id=candidate.pk, product_id=by_name[name])
        for candidate in candidates
        for name in products.get(candidate.fingerprint, ())
        if name in by_name
    ]
    through.objects.bulk_create(links, batch_size=1000)


# The system's own words that may name the vendor, by the label a candidate shows.
SYSTEM_TEXT_FIELDS = {
    "name": "Name",
    "mission_function": "Mission function",
    "environment": "Environment",
    "replacement": "Replacement",
    "contacts": "Contacts",
}


def systems_scan(*, user: User | None, agency: Agency, directive: Directive) -> ScanResult:
    """Proposes each existing system whose own text names the covered vendor but lists no covered product."""
    _require(user, agency.pk)
    started = time.perf_counter()
    matcher = matcher_for(directive)
    systems = System.objects.filter(agency__in=Agency.objects.with_components(agency.pk), covered_products=None)
    candidates, products = [], {}
    rows = systems.values_list("pk", "agency_id", *SYSTEM_TEXT_FIELDS).iterator(chunk_size=2000)
    for pk, agency_id, *texts in rows:
        labelled = dict(zip(SYSTEM_TEXT_FIELDS.values(), texts, strict=True))
        found = matcher.scan(labelled)
        if found is None:
            continue
        key = fingerprint("system", str(pk))
        candidates.append(_system_candidate(agency_id, directive, pk, key, found, labelled))
        products[key] = found.products
    result = _store_per_agency(candidates, products)
    result.rows = systems.count()
    result.seconds = time.perf_counter() - started
    return result


def _system_candidate(agency_id, directive, pk, key, found, labelled: dict[str, str]) -> Candidate:
    first = found.first
    text = labelled[first.field]
    return Candidate(
        agency_id=agency_id,
        directive=directive,
        source_kind=SourceKind.SYSTEM,
        fingerprint=key,
        title=labelled["Name"][:300],
        field=first.field,
        matched_text=first.text[:200],
        excerpt=text,
        spans=[(hit.start, hit.end) for hit in found.hits if hit.field == first.field],
        proposed_kind=found.kind,
        reason=found.reason[:300],
        system_id=pk,
    )


def _store_per_agency(candidates: list[Candidate], products: dict[str, set[str]]) -> ScanResult:
    total = ScanResult()
    for agency_id in {candidate.agency_id for candidate in candidates}:
        part = _store(Agency(pk=agency_id), [c for c in candidates if c.agency_id == agency_id], products, True)
        total.candidates += part.candidates
        total.already_decided += part.already_decided
        total.by_kind.update(part.by_kind)
    return total


def sbom_scan(*, user: User, system: System, filename: str, content: bytes) -> ScanResult:
    """Flags the bill's components that are the covered vendor's packages, as candidates on `system`."""
    _require(user, system.agency_id)
    started = time.perf_counter()
    bill = sbom.read_sbom(filename, content)
    matcher = matcher_for(system.directive)
    candidates, products = [], {}
    for component in bill.components:
        hits = matcher.find(component.text, "Component")
        if not hits:
            continue
        key = fingerprint("sbom", str(system.pk), component.group, component.name)
        spans = [(hit.start, hit.end) for hit in hits]
        candidates.append(
            Candidate(
                agency_id=system.agency_id,
                directive=system.directive,
                source_kind=SourceKind.SBOM,
                fingerprint=key,
                filename=filename[:255],
                title=f"{system.name}: {component.label}"[:300],
                field=f"{bill.format} component",
                matched_text=hits[0].text[:200],
                excerpt=component.text,
                spans=spans,
                proposed_kind=ProposedKind.DIRECT_API,
                reason=f"Component {component.label} is the covered vendor's package."[:300],
                values={"component": component.name, "version": component.version, "purl": component.purl},
                system=system,
            )
        )
        products[key] = {hit.term.product for hit in hits if hit.term.product}
    result = _store(system.agency, candidates, products, True)
    result.rows, result.seconds = len(bill.components), time.perf_counter() - started
    return result


def awards_scan(*, user: User | None, source: SourceFile, directive: Directive) -> ScanResult:
    """Proposes a candidate contract for every award to the covered vendor (UEI, CAGE or name)."""
    _require(user, source.agency_id)
    started = time.perf_counter()
    sheet = source_sheet(source)
    matcher = matcher_for(directive)
    candidates = []
    for vendor in covered_vendors(directive):
        for found in awards.scan_awards(sheet, matcher, vendor.uei, vendor.cage_code):
            label = " / ".join(filter(None, (found.values["contract_number"], found.values.get("order_number"))))
            candidates.append(
                Candidate(
                    agency=source.agency,
                    directive=directive,
                    source_kind=SourceKind.AWARD,
                    source=source,
                    fingerprint=found.fingerprint,
                    filename=source.filename,
                    row_number=found.row_number,
                    title=f"Award {label} to {found.values.get('vendor_name', '?')}"[:300],
                    field=found.field,
                    matched_text=found.matched_text[:200],
                    excerpt=found.excerpt,
                    spans=found.spans,
                    proposed_kind=found.kind,
                    reason=f"Matched by {found.matched_by}."[:300],
                    values=found.values,
                )
            )
    result = _store(source.agency, candidates, {}, True)
    result.rows, result.seconds = len(sheet.rows), time.perf_counter() - started
    return result


# --- Decisions ------------------------------------------------------------------------


def _claim(user: User, candidate: Candidate, status: str, note: str) -> None:
    """Moves a waiting candidate to `status`; two people deciding at once: the second is told, not applied."""
    claimed = Candidate.objects.filter(pk=candidate.pk, status=CandidateStatus.PROPOSED).update(
        status=status, decided_by=user, decided_at=timezone.now(), decision_note=note[:300]
    )
    if not claimed:
        decided = Candidate.objects.select_related("decided_by").get(pk=candidate.pk)
        raise ValidationError(
            f"{decided.decided_by or 'Someone'} already {decided.get_status_display().lower()} this candidate."
        )
    candidate.refresh_from_db()


@transaction.atomic
def candidate_reject(*, user: User, candidate: Candidate, note: str) -> Candidate:
    """Rejects with a reason; the same row, system, component or award is not proposed again."""
    _require(user, candidate.agency_id)
    if not note.strip():
        raise ValidationError({"note": "Say why this is not a dependency (it stays on record)."})
    _claim(user, candidate, CandidateStatus.REJECTED, note.strip())
    return candidate


@dataclass(frozen=True)
class Acceptance:
    """What a person confirmed: the kind, and for a new system its FISMA ID and name."""

    dependency_kind: str
    fisma_id: str = ""
    name: str = ""
    note: str = ""


@transaction.atomic
def candidate_accept(*, user: User, candidate: Candidate, acceptance: Acceptance) -> Candidate:
    """Creates or links the system (or creates the contract) the evidence points to, recording who and when."""
    _require(user, candidate.agency_id)
    _claim(user, candidate, CandidateStatus.ACCEPTED, acceptance.note)
    if candidate.source_kind == SourceKind.AWARD:
        candidate.contract = _contract_from(user, candidate)
    else:
        candidate.system = _system_from(user, candidate, acceptance)
    candidate.save(update_fields=["system", "contract"])
    return candidate


def evidence_reason(candidate: Candidate) -> str:
    """The history entry's reason: where the evidence came from (history keeps 100 characters)."""
    return f"Discovery: {candidate.where} (“{candidate.matched_text}”)"[:100]


def _system_from(user: User, candidate: Candidate, acceptance: Acceptance) -> System:
    system = candidate.system
    if system is not None:
        system = System.objects.get(pk=system.pk)  # as stored now, inside this transaction
        expected = system.version
    else:
        system, expected = _new_system(candidate, acceptance), None
    system.dependency_kind = acceptance.dependency_kind
    system.identification_method = IDENTIFICATION_METHOD[candidate.source_kind]
    current = list(system.covered_products.all()) if system.pk else []
    products = {*current, *candidate.products.all()}
    return inventory_services.system_save(
        user=user,
        system=system,
        covered_products=products,
        expected_version=expected,
        reason=evidence_reason(candidate),
    )


def _new_system(candidate: Candidate, acceptance: Acceptance) -> System:
    values = candidate.values
    return System(
        agency=candidate.agency,
        directive=candidate.directive,
        fisma_id=acceptance.fisma_id or safe_fisma_id(values.get("fisma_id", "")),
        name=(acceptance.name or values.get("name") or candidate.title)[:200],
        mission_function=values.get("mission_function", "")[:300],
        owner_name=values.get("owner_name", "")[:200],
        environment=values.get("environment", "")[:200],
        criticality=_choice(values.get("criticality"), Criticality, Criticality.MODERATE),
        network=_choice(values.get("network"), Network, Network.UNCLASSIFIED),
    )


def _choice(value: str | None, choices, default: str) -> str:
    return value if value in choices.values else default


def _contract_from(user: User, candidate: Candidate) -> Contract:
    values = candidate.values
    contract = Contract.objects.filter(
        agency=candidate.agency, contract_number=values["contract_number"], order_number=values.get("order_number", "")
    ).first() or Contract(
        agency=candidate.agency,
        contract_number=values["contract_number"][:60],
        order_number=values.get("order_number", "")[:60],
        vendor_name=values.get("vendor_name", "")[:200] or "Unknown",
        vendor_uei=values.get("vendor_uei", "").upper()[:12],
        vendor_cage=values.get("vendor_cage", "").upper()[:5],
        value=_money(values.get("value", "")),
    )
    if contract.pk:
        return contract
    return inventory_services.contract_save(user=user, contract=contract, reason=evidence_reason(candidate))


def _money(text: str):
    try:
        return parse_money(text)
    except CellError:
        return None


def source_files_expire(now) -> int:
    """Drops the rows of files older than IMPORT_BATCH_TTL_SECONDS; their candidates keep their evidence."""
    cutoff = now - datetime.timedelta(seconds=settings.IMPORT_BATCH_TTL_SECONDS)
    return SourceFile.objects.filter(created_at__lt=cutoff, parsed__isnull=False).update(parsed=None)
