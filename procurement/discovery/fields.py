"""Which Phaseout field each column of a foreign file holds: fields, suggestions, presets, translation.

Plain rules with no database. A mapping is three dicts: header → field (or "" to
ignore the column), field → {their value → our code} for choice fields, and field →
default for fields no column holds. `translate` applies one to a row.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from procurement.discovery.reading import normalise_header
from procurement.inventory.enums import Criticality, DependencyKind, IdentificationMethod, Network

# Phaseout's system fields a column may hold (the systems import's columns), and
# discovery's own: the vendors a row names, which decide the proposed dependency kind.
VENDOR_NAMES = "vendor_names"
FIELD_LABELS = {
    "fisma_id": "FISMA system ID (or the file's own ID)",
    "name": "Name",
    "agency": "Agency",
    "owner_name": "System owner",
    "owner_email": "Owner email",
    "mission_function": "Mission function",
    "criticality": "Mission criticality",
    "environment": "Environment",
    "network": "Network",
    "national_security_system": "National security system",
    "dependency_kind": "Dependency kind",
    "user_count": "Users, seats or endpoints",
    "identification_method": "Identification method",
    "replacement": "Replacement chosen",
    "cost_estimate": "Cost estimate",
    VENDOR_NAMES: "Vendor names (decides the dependency kind)",
}
CHOICES = {
    "criticality": Criticality.choices,
    "network": Network.choices,
    "dependency_kind": DependencyKind.choices,
    "identification_method": IdentificationMethod.choices,
    "national_security_system": [("yes", "Yes"), ("no", "No")],
}
# Header words agencies use for our fields (compared after normalise_header).
SYNONYMS = {
    "fisma_id": [
        "fisma id",
        "fisma system id",
        "system id",
        "sys id",
        "id",
        "use case id",
        "unique id",
        "inventory id",
    ],
    "name": ["name", "system name", "use case name", "application", "application name", "title", "system(s) name"],
    "agency": ["agency", "agency abbreviation", "component", "bureau / component", "bureau", "organization"],
    "owner_name": ["owner", "system owner", "owner name", "point of contact", "poc"],
    "owner_email": ["owner email", "email", "poc email", "contact email"],
    "mission_function": ["mission function", "mission", "purpose", "use case topic area", "topic area"],
    "criticality": ["criticality", "mission criticality", "fips 199", "impact level", "fips 199 categorization"],
    "environment": ["environment", "hosting", "hosting environment", "platform"],
    "network": ["network", "classification", "network classification"],
    "national_security_system": ["nss", "national security system"],
    "dependency_kind": ["dependency kind", "dependency type", "integration type"],
    "user_count": ["users", "user count", "seats", "endpoints", "number of users"],
    "replacement": ["replacement", "replacement chosen"],
    "cost_estimate": ["cost", "cost estimate", "estimated cost"],
    VENDOR_NAMES: ["vendor", "vendors", "vendor name", "vendor(s) name", "vendor(s)", "supplier", "manufacturer"],
}
# Their words for our choices, suggested in the value mapping (normalised → code).
VALUE_SYNONYMS = {
    "criticality": {"yes": "high", "high-impact": "high", "no": "moderate", "medium": "moderate", "mod": "moderate"},
    "network": {
        "unclass": "unclassified",
        "u": "unclassified",
        "sipr": "secret",
        "jwics": "top_secret",
        "ts": "top_secret",
    },
    "national_security_system": {"y": "yes", "true": "yes", "n": "no", "false": "no"},
}


@dataclass(frozen=True)
class FieldMap:
    """A mapping as plain data (the model ColumnMapping stores these three dicts)."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def column_of(self, headers: list[str]) -> dict[str, list[int]]:
        """Field → indexes of the columns that hold it, in file order."""
        found: dict[str, list[int]] = {}
        by_header = {normalise_header(header): target for header, target in self.columns.items()}
        for index, header in enumerate(headers):
            target = by_header.get(normalise_header(header), "")
            if target:
                found.setdefault(target, []).append(index)
        return found


def suggest_field(header: str) -> str:
    """The field a header most likely holds, or "" when none is close."""
    wanted = normalise_header(header)
    for target, words in SYNONYMS.items():
        if wanted in words:
            return target
    spelled = {word: target for target, words in SYNONYMS.items() for word in words}
    close = difflib.get_close_matches(wanted, list(spelled), n=1, cutoff=0.85)
    return spelled[close[0]] if close else ""


def suggest_value(target: str, text: str) -> str:
    """Our code for their word in a choice field (“High” → high, “Yes” → high for high-impact), or ""."""
    word = normalise_header(text)
    for code, label in CHOICES.get(target, []):
        if word in (code.lower(), str(label).lower()):
            return code
    return VALUE_SYNONYMS.get(target, {}).get(word, "")


def suggested(headers: list[str]) -> FieldMap:
    """A first mapping from the header names alone: each field taken by its first likely column."""
    columns, taken = {}, set()
    for header in headers:
        target = suggest_field(header)
        if target and (target not in taken or target == VENDOR_NAMES):
            columns[header] = target
            taken.add(target)
        elif header:
            columns[header] = ""
    return FieldMap(columns=columns)


def translate(mapping: FieldMap, columns: Mapping[str, list[int]], cells: list[str]) -> dict[str, str]:
    """One row in Phaseout's fields: mapped cells, their values mapped, defaults for the rest."""
    row = dict(mapping.defaults)
    for target, indexes in columns.items():
        texts = [cells[index].strip() for index in indexes if index < len(cells) and cells[index].strip()]
        if not texts:
            continue
        value = "; ".join(texts)
        mapped = _value_map(mapping, target).get(normalise_header(value))
        row[target] = mapped or value
    return row


def _value_map(mapping: FieldMap, target: str) -> dict[str, str]:
    return {normalise_header(theirs): ours for theirs, ours in mapping.values.get(target, {}).items()}


def distinct_values(columns: Mapping[str, list[int]], rows: list[tuple[int, list[str]]], most: int = 30):
    """Choice field → the different values its column holds (at most `most`), for value mapping."""
    found: dict[str, list[str]] = {}
    for target, indexes in columns.items():
        if target not in CHOICES:
            continue
        seen: dict[str, str] = {}
        for _, cells in rows:
            for index in indexes:
                text = cells[index].strip() if index < len(cells) else ""
                if text and normalise_header(text) not in seen and len(seen) < most:
                    seen[normalise_header(text)] = text
        found[target] = list(seen.values())
    return found
