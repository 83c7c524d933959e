"""Ready-made mappings for files agencies publish in a fixed layout.

The federal AI use case inventory (OMB M-25-21, and the 2024 template before it):
every agency publishes one a year, CSV or XLSX. Its headers changed between the two
templates and differ in small ways between agencies (a trailing colon, a line break,
"Authority" or "Authorization"), so they are compared after normalise_header and both
spellings are listed. Columns not listed here are kept as text and scanned too.
"""

from __future__ import annotations

from procurement.discovery.fields import VENDOR_NAMES, FieldMap

AI_USE_CASE_INVENTORY = "ai-use-case-inventory"

_AI_INVENTORY_COLUMNS = {
    "Use Case ID": "fisma_id",
    "Use Case Name": "name",
    "Use Case Topic Area": "mission_function",
    "Vendor(s) Name": VENDOR_NAMES,
    "Vendor Name": VENDOR_NAMES,
    "Vendor(s)": VENDOR_NAMES,
    "Is the AI use case high-impact?": "criticality",
    # 2024: rights- or safety-impacting is the nearest thing to high criticality.
    "Is the AI use case rights-impacting, safety-impacting, both, or neither?": "criticality",
    # Kept as text (scanned for the vendor's names) but not imported as a field:
    "Agency": "",
    "Bureau/Component": "",
    "Bureau / Component": "",
    "Bureau": "",
    "Stage of Development": "",
    "System(s) Name": "",
    "System Name": "",
    "What is the intended purpose and expected benefits of the AI?": "",
    "Describe the AI system's outputs.": "",
    "Describe the AI system’s outputs.": "",
    "Was the system involved in this use case purchased from a vendor or developed under contract(s) or in-house?": "",
    (
        "Was the AI system involved in this use case developed (or is it to be developed) "
        "under contract(s) or in-house?"
    ): "",
    "Does this AI use case have an associated Authorization to Operate (ATO)?": "",
    "Does this AI use case have an associated Authority to Operate (ATO) for an AI system?": "",
}
_AI_INVENTORY_VALUES = {
    "criticality": {
        "Yes": "high",
        "High-impact": "high",
        "No": "moderate",
        "Presumed high-impact, but determined not high-impact": "moderate",
        "Rights-Impacting": "high",
        "Safety-Impacting": "high",
        "Both": "high",
        "Neither": "moderate",
    },
}
_AI_INVENTORY_DEFAULTS = {"criticality": "moderate", "network": "unclassified"}

PRESETS = {
    AI_USE_CASE_INVENTORY: (
        "Federal AI use case inventory (M-25-21 or 2024)",
        FieldMap(columns=_AI_INVENTORY_COLUMNS, values=_AI_INVENTORY_VALUES, defaults=_AI_INVENTORY_DEFAULTS),
    ),
}
PRESET_CHOICES = [(key, label) for key, (label, _) in PRESETS.items()]


def preset(key: str) -> FieldMap:
    return PRESETS[key][1]
