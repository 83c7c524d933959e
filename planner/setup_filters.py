"""Filter of the planning set-up's list of agencies."""

import django_filters
from django.db.models import Q

from procurement.inventory.models import Agency


class SetupAgencyFilter(django_filters.FilterSet):
    """Agencies by name or abbreviation, and departments or components."""

    name = django_filters.CharFilter(method="filter_name", label="Agency name or abbreviation")
    departments = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label="Departments only")

    class Meta:
        model = Agency
        fields = ()

    def filter_name(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(abbreviation__iexact=value))
