"""The inventory's fixed vocabularies, in the order the domain uses them.

Plain choices with no database behind them: the pure rule modules (`deadlines`,
`workflow`), the demo data file and the import all read values through these.
"""

from django.db import models


class AgencyType(models.TextChoices):
    CIVILIAN = "civilian", "Civilian"
    DEFENSE = "defense", "Defense"
    INTELLIGENCE = "intelligence", "Intelligence"


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    TRANSITION_LEAD = "lead", "Transition lead"


class DependencyKind(models.TextChoices):
    DIRECT_API = "direct_api", "Direct API"
    CLOUD_PLATFORM = "cloud_platform", "Model behind a cloud or multi-model platform"
    EMBEDDED = "embedded", "Embedded in a third-party product"
    DEVELOPER_TOOL = "developer_tool", "Developer tool"
    CUSTOM_MODEL = "custom_model", "Fine-tuned or custom model"


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class Network(models.TextChoices):
    UNCLASSIFIED = "unclassified", "Unclassified"
    CUI = "cui", "CUI"
    SECRET = "secret", "Secret"
    TOP_SECRET = "top_secret", "Top secret"


class IdentificationMethod(models.TextChoices):
    SELF_REPORT = "self_report", "System owner report"
    SOFTWARE_INVENTORY = "software_inventory", "Software inventory"
    NETWORK_SCAN = "network_scan", "Network traffic or scan"
    CODE_SCAN = "code_scan", "Code or dependency scan"
    PROCUREMENT_RECORDS = "procurement_records", "Procurement records"
    OTHER = "other", "Other"


class SystemStatus(models.TextChoices):
    """The removal workflow, in order (see `workflow`)."""

    IDENTIFIED = "identified", "Identified"
    ASSESSED = "assessed", "Assessed"
    PLAN_APPROVED = "plan_approved", "Plan approved"
    MIGRATING = "migrating", "Migrating"
    CUT_OVER = "cut_over", "Cut over"
    REMOVED = "removed", "Removed"
    VERIFIED = "verified", "Verified"


DONE_STATUSES = (SystemStatus.REMOVED, SystemStatus.VERIFIED)


class ImportKind(models.TextChoices):
    SYSTEMS = "systems", "Systems"
    CONTRACTS = "contracts", "Contracts"
