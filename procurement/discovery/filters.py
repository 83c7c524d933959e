"""The candidate list's filters."""

import django_filters

from procurement.discovery.enums import CandidateStatus, SourceKind
from procurement.discovery.models import Candidate
from procurement.inventory.enums import DependencyKind


class CandidateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=CandidateStatus.choices, empty_label="Any status")
    source_kind = django_filters.ChoiceFilter(choices=SourceKind.choices, label="Source", empty_label="Any source")
    proposed_kind = django_filters.ChoiceFilter(
        choices=DependencyKind.choices, label="Proposed kind", empty_label="Any kind"
    )

    class Meta:
        model = Candidate
        fields = ["q", "status", "source_kind", "proposed_kind"]

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value) | queryset.filter(excerpt__icontains=value)
