"""Reads of discovery, always narrowed to what the user may see (another agency's is a 404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from procurement.discovery.enums import CandidateStatus, SourceKind
from procurement.discovery.filters import CandidateFilter
from procurement.discovery.models import Candidate, ColumnMapping, SourceFile
from procurement.inventory.access import Action, can
from procurement.inventory.models import Agency, Directive, System


def current_directive() -> Directive | None:
    """The directive discovery works for: the latest issued (directives are public reference data)."""
    return Directive.objects.order_by("-issued_on", "-pk").first()


def agencies_visible(user) -> QuerySet[Agency]:
    return Agency.objects.for_user(user).select_related("parent").order_by("name")


def _require(user, action: Action, agency_id: int) -> None:
    """A row the user may see but not change: 403 (one they may not see was already a 404)."""
    if action != Action.VIEW and not can(user, action, agency_id):
        raise PermissionDenied


def agency_get(user, pk: int, action: Action = Action.VIEW) -> Agency:
    agency = get_object_or_404(Agency.objects.for_user(user), pk=pk)
    _require(user, action, agency.pk)
    return agency


def candidate_queryset(user, action: Action = Action.VIEW) -> QuerySet[Candidate]:
    return Candidate.objects.for_user(user, action).select_related("agency", "system", "contract", "decided_by")


def candidate_filter(user, params, agency: Agency) -> CandidateFilter:
    agencies = Agency.objects.with_components(agency.pk)
    return CandidateFilter(params, queryset=candidate_queryset(user).filter(agency__in=agencies))


def candidate_get(user, pk: int, action: Action = Action.VIEW) -> Candidate:
    candidate = get_object_or_404(candidate_queryset(user), pk=pk)
    _require(user, action, candidate.agency_id)
    return candidate


def source_get(user, pk, action: Action = Action.VIEW) -> SourceFile:
    source = get_object_or_404(SourceFile.objects.for_user(user).select_related("agency", "mapping"), pk=pk)
    _require(user, action, source.agency_id)
    return source


def system_for_change(user, pk: int) -> System:
    """The system to attach evidence to: 404 if the user cannot see it, 403 if only see it."""
    system = get_object_or_404(System.objects.for_user(user).select_related("agency", "directive"), pk=pk)
    _require(user, Action.CHANGE, system.agency_id)
    return system


def mappings_for(user, agency: Agency) -> QuerySet[ColumnMapping]:
    """The agency's saved mappings and those of the departments above it."""
    ancestors = [agency.pk] + ([agency.parent_id] if agency.parent_id else [])
    return ColumnMapping.objects.for_user(user).filter(agency__in=ancestors)


def mapping_get(user, pk: int) -> ColumnMapping:
    return get_object_or_404(ColumnMapping.objects.for_user(user), pk=pk)


@dataclass(frozen=True)
class SourceCount:
    source_kind: str
    label: str
    waiting: int
    accepted: int
    rejected: int


@dataclass(frozen=True)
class DiscoverySummary:
    """The agency page's figures: candidates waiting, accepted and rejected, per kind of source."""

    agency: Agency
    by_source: list[SourceCount]
    may_change: bool
    recent_files: list[SourceFile]

    @property
    def waiting(self) -> int:
        return sum(row.waiting for row in self.by_source)

    @property
    def accepted(self) -> int:
        return sum(row.accepted for row in self.by_source)

    @property
    def rejected(self) -> int:
        return sum(row.rejected for row in self.by_source)


def discovery_summary(user, agency: Agency) -> DiscoverySummary:
    """Counts for the agency and its components; the dashboard's "identified" figure can read `accepted`."""
    agencies = Agency.objects.with_components(agency.pk)
    grouped = (
        Candidate.objects.for_user(user)
        .filter(agency__in=agencies)
        .values_list("source_kind", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = {(kind, status): count for kind, status, count in grouped}
    by_source = [
        SourceCount(
            kind,
            str(label),
            counts.get((kind, CandidateStatus.PROPOSED), 0),
            counts.get((kind, CandidateStatus.ACCEPTED), 0),
            counts.get((kind, CandidateStatus.REJECTED), 0),
        )
        for kind, label in SourceKind.choices
    ]
    files = list(SourceFile.objects.for_user(user).filter(agency__in=agencies)[:10])
    return DiscoverySummary(agency, by_source, can(user, Action.CHANGE, agency.pk), files)


def system_evidence(user, system: System) -> list[Candidate]:
    """The evidence that tied `system` to the covered vendor, as far as the user may see it."""
    if not System.objects.for_user(user).filter(pk=system.pk).exists():
        return []
    return list(
        Candidate.objects.for_user(user)
        .filter(system=system)
        .select_related("decided_by")
        .order_by("-decided_at", "-created_at")
    )
