"""Compliance records: exception policy, waivers, status reports, signed snapshots, feeds."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from procurement.compliance.enums import (
    OPEN_WAIVER_STATUSES,
    FeedScope,
    OfficialKind,
    ReportLayout,
    ReportState,
    WaiverCategory,
    WaiverStatus,
)
from procurement.inventory.models import Agency, AgencyScopedQuerySet, Directive, System


def all_categories() -> list[str]:
    return list(WaiverCategory.values)


class DirectivePolicy(models.Model):
    """The rest of a directive's exception policy and its reporting, beside inventory's Directive.

    The directive itself holds the maximum waiver duration (`exception_max_days`) and
    the number of extensions (`exception_max_extensions`); this adds which categories
    may be waived, the begin-removal phase and the layout the issuer asked for. Blanket
    waivers are never allowed: a waiver names one system (see `Waiver`).
    """

    directive = models.OneToOneField(Directive, on_delete=models.CASCADE, related_name="policy")
    allowed_categories = models.JSONField(default=all_categories, help_text="Waiver categories codes allowed.")
    begin_removal_offset_days = models.PositiveIntegerField(default=90)
    report_layout = models.CharField(max_length=20, choices=ReportLayout.choices, default=ReportLayout.ISSUER_TEMPLATE)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "directive policies"

    def __str__(self) -> str:
        return f"Policy of {self.directive}"

    def clean(self) -> None:
        unknown = sorted(set(self.allowed_categories) - set(WaiverCategory.values))
        if unknown:
            raise ValidationError({"allowed_categories": f"Unknown waiver categories: {', '.join(unknown)}."})


class AgencyOfficial(models.Model):
    """The agency head or a designee: decides the agency's waivers and signs its reports.

    Inventory's membership roles (viewer, editor, transition lead) say nothing about
    agency heads, so the designation is kept here (M-23-13: "agency head or designee").
    A department's official is an official of every component below it too.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official_designations")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="officials")
    kind = models.CharField(max_length=10, choices=OfficialKind.choices)
    designated_on = models.DateField(default=datetime.date.today)

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="one_official_designation_per_agency")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_kind_display()}, {self.agency}"


class Waiver(models.Model):
    """An exception for one system: why, until when, who asked and who decided.

    An extension is a new waiver that `extends` the approved one; approving it marks
    the earlier one as extended. `System.waiver_until` mirrors the approved end.
    """

    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="waivers")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    extends = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="extension")
    extension_number = models.PositiveIntegerField(default=0, editable=False)
    category = models.CharField(max_length=20, choices=WaiverCategory.choices)
    justification = models.TextField()
    alternatives_considered = models.TextField()
    compensating_mitigations = models.TextField()
    phase_out_plan = models.TextField(help_text="The plan to remove the product by the requested end date.")
    requested_until = models.DateField("requested end date")
    status = models.CharField(max_length=10, choices=WaiverStatus.choices, default=WaiverStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["system"], condition=Q(status=WaiverStatus.REQUESTED), name="one_requested_waiver_per_system"
            ),
            models.UniqueConstraint(
                fields=["system"], condition=Q(status=WaiverStatus.APPROVED), name="one_approved_waiver_per_system"
            ),
        ]

    def __str__(self) -> str:
        return f"Waiver {self.pk} for {self.system}"

    def get_absolute_url(self) -> str:
        return reverse("compliance:waiver-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_WAIVER_STATUSES


class StatusReport(models.Model):
    """One agency's (or component's) report on one directive for one period.

    Drafts are generated from the inventory (`status_report_generate`); the counts are
    kept in `summary`, the narrative is written by people. Signing freezes a
    `ReportSnapshot`; after that the report changes no more.
    """

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="status_reports")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="status_reports")
    period = models.PositiveIntegerField(help_text="1 for the first reporting period after issue, and so on.")
    period_start = models.DateField()
    period_end = models.DateField(help_text="The day the report is due.")
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    summary = models.JSONField(default=dict, editable=False)
    summary_as_of = models.DateTimeField(null=True, editable=False)
    challenges = models.TextField(blank=True)
    support_needed = models.TextField(blank=True)
    completion_plan = models.TextField("if not complete by the deadline: plan", blank=True)
    expected_completion = models.DateField("if not complete by the deadline: expected date", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "agency", "period"], name="one_report_per_agency_period")
        ]

    def __str__(self) -> str:
        return f"{self.agency.abbreviation} status report {self.period} ({self.directive})"

    def get_absolute_url(self) -> str:
        return reverse("compliance:report-detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.state == ReportState.SIGNED


class ImmutableError(Exception):
    """A signed snapshot was about to change."""


class ReportSnapshot(models.Model):
    """A signed report, frozen: what it said, as of when, signed by whom, and its SHA-256.

    `content` is the zlib-compressed canonical serialisation (`canonical.py`): one JSON
    line for the report, then one per system, sorted. `sha256` is the digest of the
    uncompressed bytes. Rows are never updated or deleted.
    """

    report = models.OneToOneField(StatusReport, on_delete=models.PROTECT, related_name="snapshot")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateTimeField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=200)
    signer_title = models.CharField(max_length=200, blank=True)
    covers_all_subcomponents = models.BooleanField(default=False)
    content = models.BinaryField(editable=False)
    row_count = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Snapshot of {self.report} ({self.sha256[:12]}…)"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ImmutableError("A signed snapshot cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("A signed snapshot cannot be deleted.")


class CalendarFeed(models.Model):
    """A calendar subscription: a secret URL token, revocable, reading as its owner.

    Only the token's SHA-256 is kept; the URL is shown once, when the feed is made.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    scope = models.CharField(max_length=10, choices=FeedScope.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope=FeedScope.USER, agency__isnull=True)
                | Q(scope=FeedScope.AGENCY, agency__isnull=False),
                name="agency_feed_names_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} feed of {self.user}"
