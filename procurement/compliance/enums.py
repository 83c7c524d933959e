"""The compliance app's fixed vocabularies."""

from django.db import models


class WaiverCategory(models.TextChoices):
    """Exception categories a directive may allow (OMB M-23-13, FASCSA, NDAA §889 precedents)."""

    NATIONAL_SECURITY = "national_security", "National security activity"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement activity"
    SECURITY_RESEARCH = "security_research", "Security research"
    NO_VIABLE_ALTERNATIVE = "no_alternative", "No viable alternative yet"
    THIRD_PARTY_ROADMAP = "third_party", "Embedded in a third-party product awaiting its vendor"


class WaiverStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    EXTENDED = "extended", "Replaced by an extension"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_WAIVER_STATUSES = (WaiverStatus.REQUESTED, WaiverStatus.APPROVED)


class OfficialKind(models.TextChoices):
    """Who decides waivers and signs reports for an agency: its head, or a designee."""

    AGENCY_HEAD = "head", "Agency head"
    DESIGNEE = "designee", "Designee of the agency head"


class ReportLayout(models.TextChoices):
    """The layout the issuer asked reports in."""

    ISSUER_TEMPLATE = "issuer_template", "Issuer's XLSX template (questions, inventory, signature)"
    NARRATIVE = "narrative", "Narrative report (PDF)"


class ReportState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class FeedScope(models.TextChoices):
    USER = "user", "Everything I can see"
    AGENCY = "agency", "One agency"
