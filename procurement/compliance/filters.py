"""Filter sets for the compliance lists; their agency choices are scoped to the user."""

import django_filters

from procurement.compliance.enums import ReportState, WaiverCategory, WaiverStatus
from procurement.compliance.models import StatusReport, Waiver
from procurement.inventory.filters import FilterForm, UserScopedFilterSet, agency_or_component, checkboxes
from procurement.inventory.models import Agency, Directive


class WaiverFilter(UserScopedFilterSet):
    q = django_filters.CharFilter(label="System name or FISMA ID", method="search")
    agency = django_filters.ModelChoiceFilter(
        label="Agency or component", queryset=Agency.objects.none(), method="filter_agency"
    )
    status = checkboxes(WaiverStatus.choices)
    category = checkboxes(WaiverCategory.choices)

    class Meta:
        model = Waiver
        fields = ["q", "agency", "status", "category"]
        form = FilterForm

    def search(self, queryset, name, value):
        value = value.strip()[:200]
        if not value:
            return queryset
        return queryset.filter(system__name__icontains=value) | queryset.filter(system__fisma_id__icontains=value)

    def filter_agency(self, queryset, name, value):
        return agency_or_component(queryset, "agency", value)


class ReportFilter(UserScopedFilterSet):
    directive = django_filters.ModelChoiceFilter(queryset=Directive.objects.all())
    agency = django_filters.ModelChoiceFilter(
        label="Agency or component", queryset=Agency.objects.none(), method="filter_agency"
    )
    period = django_filters.NumberFilter(min_value=1, max_value=10_000)
    state = checkboxes(ReportState.choices)

    class Meta:
        model = StatusReport
        fields = ["directive", "agency", "period", "state"]
        form = FilterForm

    def filter_agency(self, queryset, name, value):
        return agency_or_component(queryset, "agency", value)
