"""Discovery: evidence that a system depends on the covered vendor, and what a person decided."""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse

from procurement.discovery.enums import CandidateStatus, MatchTermKind, SourceKind
from procurement.discovery.matching import segments
from procurement.inventory.enums import DependencyKind
from procurement.inventory.models import (
    Agency,
    AgencyScopedQuerySet,
    Contract,
    Directive,
    Product,
    System,
    User,
    Vendor,
)


class MatchTerm(models.Model):
    """A term added by an administrator to those of data/match_terms.toml for a covered vendor."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="match_terms")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MatchTermKind.choices)

    class Meta:
        ordering = ["vendor", "text"]
        constraints = [models.UniqueConstraint(fields=["vendor", "text"], name="unique_match_term_per_vendor")]

    def __str__(self) -> str:
        return self.text


class ColumnMapping(models.Model):
    """An agency's saved way of reading a file in its own layout: their columns and values to ours.

    `columns` maps a header (as the file spells it) to a Phaseout field or "" (ignored);
    `values` maps, per choice field, their words to our codes ("Deployed" → …).
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="column_mappings")
    name = models.CharField(max_length=100)
    preset = models.CharField(max_length=40, blank=True)
    columns = models.JSONField(default=dict, blank=True)
    values = models.JSONField(default=dict, blank=True)
    # Values for fields no column holds (say, every row's network is "unclassified").
    defaults = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unique_mapping_name_per_agency")]

    def __str__(self) -> str:
        return self.name


class SourceFile(models.Model):
    """An uploaded file in an agency's own layout, parsed once, kept while it is mapped and scanned."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="source_files")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.FILE_ROW)
    preset = models.CharField(max_length=40, blank=True)
    filename = models.CharField(max_length=255)
    encoding = models.CharField(max_length=40, blank=True)
    header_row = models.PositiveIntegerField(default=1)
    # The parsed rows as compressed JSON (inventory.imports.sheets.sheet_pack); emptied when they expire.
    parsed = models.BinaryField(null=True, editable=False)
    row_count = models.PositiveIntegerField(default=0)
    mapping = models.ForeignKey(ColumnMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The mapping as last set on the page ({"columns", "values", "defaults"}), saved under a name or not.
    working_map = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("discovery:source-detail", args=[self.pk])


class CandidateQuerySet(AgencyScopedQuerySet):
    def waiting(self) -> CandidateQuerySet:
        return self.filter(status=CandidateStatus.PROPOSED)


class Candidate(models.Model):
    """A place where the covered vendor appears, proposed as a dependent system or contract.

    It is the evidence, too: file, sheet, row, the matched text in its context, and who
    accepted or rejected it and when. `fingerprint` names the row (or system, component,
    award) it came from: a row decided once is never proposed again.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="+")
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    source = models.ForeignKey(SourceFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates")
    fingerprint = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    row_number = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300, help_text="The row's name for what it describes.")
    field = models.CharField("column", max_length=200, blank=True)
    matched_text = models.CharField(max_length=200)
    excerpt = models.TextField(blank=True)
    spans = models.JSONField(default=list)
    proposed_kind = models.CharField(max_length=20, choices=DependencyKind.choices)
    reason = models.CharField("why this kind", max_length=300, blank=True)
    # The row translated to Phaseout's fields, used when accepting creates a system or contract.
    values = models.JSONField(default=dict, blank=True)
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    agency_lookup = "agency"
    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "fingerprint"], name="one_candidate_per_evidence"),
        ]
        indexes = [models.Index(fields=["agency", "status", "source_kind"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.matched_text})"

    def get_absolute_url(self) -> str:
        return reverse("discovery:candidate-detail", args=[self.pk])

    def excerpt_segments(self) -> list[tuple[str, bool]]:
        return segments(self.excerpt, [tuple(span) for span in self.spans])

    @property
    def where(self) -> str:
        """File, sheet and row in words: "ai-inventory.csv, row 12"."""
        parts = [self.filename or self.get_source_kind_display()]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row_number:
            parts.append(f"row {self.row_number}")
        if self.field:
            parts.append(f"column “{self.field}”")
        return ", ".join(parts)
