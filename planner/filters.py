"""Filters of the planner's lists."""

import django_filters

from planner.enums import PlanState
from procurement.inventory.models import Agency


class PlanFilter(django_filters.FilterSet):
    """Plans by agency and state; the agency choices are the agencies the user may see."""

    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.none(), label="Agency")
    state = django_filters.ChoiceFilter(choices=PlanState.choices, label="State")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["agency"].queryset = Agency.objects.for_user(user)
