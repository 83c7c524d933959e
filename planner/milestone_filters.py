"""The milestone list's filters: mine, overdue, due this week, by agency, kind, search."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from planner.enums import MilestoneKind
from procurement.inventory.filters import FilterForm, UserScopedFilterSet, agency_or_component, checkboxes
from procurement.inventory.models import Agency


class MilestoneState:
    OPEN = "open"
    OVERDUE = "overdue"
    THIS_WEEK = "this_week"
    DONE = "done"
    CHOICES = ((OPEN, "Open"), (OVERDUE, "Overdue"), (THIS_WEEK, "Due this week"), (DONE, "Done"))


def this_week(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday to Sunday of the week holding `today`."""
    monday = today - datetime.timedelta(days=today.weekday())
    return monday, monday + datetime.timedelta(days=6)


class MilestoneFilter(UserScopedFilterSet):
    mine = django_filters.BooleanFilter(label="Only mine", method="filter_mine", widget=forms.CheckboxInput)
    state = django_filters.ChoiceFilter(
        label="State", choices=MilestoneState.CHOICES, method="filter_state", empty_label="Any"
    )
    agency = django_filters.ModelChoiceFilter(
        label="Agency or component", queryset=Agency.objects.none(), method="filter_agency"
    )
    kind = checkboxes(MilestoneKind.choices, label="Kind")
    q = django_filters.CharFilter(label="Search", method="search", help_text="Title or FISMA system ID")

    class Meta:
        form = FilterForm
        fields = ["mine", "state", "agency", "kind", "q"]

    def filter_mine(self, queryset, name, value):
        return queryset.owned_by(self.user) if value else queryset

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == MilestoneState.OPEN:
            return queryset.open()
        if value == MilestoneState.OVERDUE:
            return queryset.overdue(today)
        if value == MilestoneState.THIS_WEEK:
            return queryset.due_between(*this_week(today))
        if value == MilestoneState.DONE:
            return queryset.done()
        return queryset

    def filter_agency(self, queryset, name, value):
        return agency_or_component(queryset, "agency", value)

    def search(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(system__fisma_id__icontains=word))
        return queryset
