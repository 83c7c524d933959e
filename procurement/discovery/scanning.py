"""Turning a mapped file's rows into findings: plain rules, no database (the services store them)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from procurement.discovery.fields import VENDOR_NAMES, FieldMap, translate
from procurement.discovery.matching import Finding, Matcher, excerpt
from procurement.inventory.imports.sheets import Sheet

FISMA_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class RowFinding:
    """A row of the file that names the covered vendor, with its values in Phaseout's fields."""

    row_number: int
    fingerprint: str
    title: str
    values: dict[str, str]
    finding: Finding
    field: str
    excerpt: str
    spans: list[tuple[int, int]]


def fingerprint(*parts: str) -> str:
    """A row's identity across uploads: a decision on it is remembered, whatever the file's name."""
    return hashlib.sha256("|".join(part.strip().lower() for part in parts).encode()).hexdigest()


def scan_sheet(matcher: Matcher, sheet: Sheet, field_map: FieldMap) -> list[RowFinding]:
    """Every row naming the covered vendor in any of its cells."""
    columns = field_map.column_of(sheet.headers)
    vendor_columns = columns.get(VENDOR_NAMES, [])
    headers = unique_headers(sheet.headers)
    findings = []
    for row_number, cells in sheet.rows:
        if not matcher.might_match("\n".join(cells)):
            continue  # most rows: one substring test instead of one per cell
        texts = {headers[index]: cell for index, cell in enumerate(cells[: len(headers)]) if cell}
        vendor_text = "; ".join(cells[index] for index in vendor_columns if index < len(cells) and cells[index])
        found = matcher.scan(texts, vendor_text)
        if found is None:
            continue
        values = translate(field_map, columns, cells)
        findings.append(_row_finding(row_number, cells, values, found, texts))
    return findings


def _row_finding(row_number: int, cells: list[str], values: dict[str, str], found: Finding, texts) -> RowFinding:
    first = found.first
    text = texts[first.field]
    spans = [(hit.start, hit.end) for hit in found.hits if hit.field == first.field]
    shown, moved = excerpt(text, spans)
    key = values.get("fisma_id") or " ".join(cells)
    title = values.get("name") or text[:120]
    return RowFinding(
        row_number=row_number,
        fingerprint=fingerprint("row", key),
        title=title[:300],
        values=values,
        finding=found,
        field=first.field,
        excerpt=shown,
        spans=moved,
    )


def safe_fisma_id(text: str) -> str:
    """A file's own ID made acceptable as a FISMA system ID ("DOE 0042" → "DOE-0042")."""
    return FISMA_ID_UNSAFE.sub("-", text.strip()).strip("-._")[:50]


def unique_headers(headers: list[str]) -> list[str]:
    """Headers as names of a row's fields: blank ones named by position, repeated ones numbered."""
    named, seen = [], set()
    for index, header in enumerate(headers):
        name = header or f"Column {index + 1}"
        if name in seen:
            name = f"{name} ({index + 1})"
        seen.add(name)
        named.append(name)
    return named
