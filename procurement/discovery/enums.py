"""Discovery's fixed vocabularies."""

from django.db import models

from procurement.discovery.matching import ProposedKind, TermKind
from procurement.inventory.enums import DependencyKind, IdentificationMethod


class MatchTermKind(models.TextChoices):
    VENDOR = TermKind.VENDOR, "Vendor name or alias"
    PRODUCT = TermKind.PRODUCT, "Product name"
    MODEL = TermKind.MODEL, "Model identifier"
    API_HOST = TermKind.API_HOST, "API host name"
    SDK_PACKAGE = TermKind.SDK_PACKAGE, "SDK package name"


class SourceKind(models.TextChoices):
    """Where a candidate was found: each kind of evidence."""

    FILE_ROW = "file_row", "Inventory file"
    SYSTEM = "system", "Existing system"
    SBOM = "sbom", "Software bill of materials"
    AWARD = "award", "Award export"


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


# How a system found from each kind of evidence was identified (inventory's vocabulary).
IDENTIFICATION_METHOD = {
    SourceKind.FILE_ROW: IdentificationMethod.SOFTWARE_INVENTORY,
    SourceKind.SYSTEM: IdentificationMethod.SELF_REPORT,
    SourceKind.SBOM: IdentificationMethod.CODE_SCAN,
    SourceKind.AWARD: IdentificationMethod.PROCUREMENT_RECORDS,
}

assert {kind.value for kind in ProposedKind} <= set(DependencyKind.values)
