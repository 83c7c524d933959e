"""Filter sets for the inventory lists; their choice lists are scoped to the user."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from procurement.core.forms import PlainSelect
from procurement.inventory.access import Action
from procurement.inventory.enums import Criticality, DependencyKind, Network, SystemStatus
from procurement.inventory.forms import UswdsFormMixin
from procurement.inventory.models import Agency, Contract, Directive, System


def agency_or_component(queryset, field_name: str, agency: Agency | None):
    """A department selects its components' rows too, at every depth."""
    if agency is None:
        return queryset
    return queryset.filter(**{f"{field_name}__in": Agency.objects.with_components(agency.pk)})


class UserScopedFilterSet(django_filters.FilterSet):
    """A filter set for one user: its agency choices are the agencies the user may see."""

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        self.user = user
        if "agency" in self.filters:
            agencies = Agency.objects.for_user(user, Action.VIEW)
            # Validation goes through the queryset (a chosen agency is one the user may see);
            # what the drop-down shows is built when it is rendered (an export never reads it),
            # from the columns it shows.
            self.filters["agency"].queryset = agencies
            self.form.fields["agency"].widget.choices = lambda: agency_tree_choices(
                list(agencies.values_list("pk", "name", "abbreviation", "parent_id", named=True)),
                user.granted_agency_ids(Action.VIEW),
            )
        if "directive" in self.filters:
            # One plain query when the panel is drawn, not a server-side cursor per use of the field.
            field = self.form.fields["directive"]
            field.widget.choices = lambda: [("", field.empty_label), *((pk, name) for pk, name in directive_names())]


def directive_names() -> list[tuple[int, str]]:
    """Every directive's id and short name (how a directive prints), in the directives' order."""
    return list(Directive.objects.values_list("pk", "short_name"))


COMPONENT_INDENT = "\u2003– "  # an em space and a dash: a component under its department


def agency_tree_choices(agencies: list, mine: set[int]) -> list:
    """The agency drop-down: each department followed by its components, the user's own first.

    `agencies` are agencies or rows with their pk, name, abbreviation and parent_id.

    With memberships, "Your agencies" (those and their components) come first as a group,
    then "Other agencies"; oversight and admins without memberships get one tree.
    """
    own = [agency for agency in agencies if agency.pk in mine]
    others = [agency for agency in agencies if agency.pk not in mine]
    if not own or not others:
        return [("", "Any"), *_tree(agencies)]
    return [("", "Any"), ("Your agencies", _tree(own)), ("Other agencies", _tree(others))]


def _tree(agencies: list) -> list[tuple[int, str]]:
    """Departments by name, each followed by its components by name; a component whose
    department is not in the list stands on its own."""
    present = {agency.pk for agency in agencies}
    components: dict[int, list] = {}
    tops = []
    for agency in sorted(agencies, key=lambda agency: agency.name):
        if agency.parent_id in present:
            components.setdefault(agency.parent_id, []).append(agency)
        else:
            tops.append(agency)
    choices = []
    for top in tops:
        choices.append((top.pk, f"{top.name} ({top.abbreviation})"))
        choices += [
            (part.pk, f"{COMPONENT_INDENT}{part.name} ({part.abbreviation})") for part in components.get(top.pk, [])
        ]
    return choices


class FilterForm(UswdsFormMixin, forms.Form):
    """The filter panel's form, in the design system's look."""


ANY_YES_NO = PlainSelect(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


def checkboxes(choices, label=None):
    return django_filters.MultipleChoiceFilter(choices=choices, label=label, widget=forms.CheckboxSelectMultiple)


class SystemFilter(UserScopedFilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    directive = django_filters.ModelChoiceFilter(queryset=Directive.objects.all(), widget=PlainSelect)
    agency = django_filters.ModelChoiceFilter(
        label="Agency or component", queryset=Agency.objects.none(), method="filter_agency", widget=PlainSelect
    )
    status = checkboxes(SystemStatus.choices)
    dependency_kind = checkboxes(DependencyKind.choices)
    criticality = checkboxes(Criticality.choices)
    network = checkboxes(Network.choices)
    national_security_system = django_filters.BooleanFilter(label="National security system", widget=ANY_YES_NO)
    overdue = django_filters.BooleanFilter(
        label="Overdue (past deadline, not removed)", method="filter_overdue", widget=ANY_YES_NO
    )

    class Meta:
        model = System
        fields = ["q", "directive", "agency", "status", "dependency_kind", "criticality", "network"]
        form = FilterForm

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(fisma_id__icontains=word)
                | Q(owner_name__icontains=word)
                | Q(mission_function__icontains=word)
                | Q(replacement__icontains=word)
            )
        return queryset

    def filter_agency(self, queryset, name, value):
        return agency_or_component(queryset, "agency", value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.overdue(today) if value else queryset.not_overdue(today)


class ContractFilter(UserScopedFilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    agency = django_filters.ModelChoiceFilter(
        label="Agency or component", queryset=Agency.objects.none(), method="filter_agency", widget=PlainSelect
    )
    option_date_before = django_filters.DateFilter(
        field_name="option_date",
        lookup_expr="lte",
        label="Next option on or before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Contract
        fields = ["q", "agency", "option_date_before"]
        form = FilterForm

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(contract_number__icontains=word)
                | Q(order_number__icontains=word)
                | Q(vendor_name__icontains=word)
                | Q(vehicle__icontains=word)
                | Q(contracting_officer__icontains=word)
            )
        return queryset

    def filter_agency(self, queryset, name, value):
        return agency_or_component(queryset, "agency", value)
