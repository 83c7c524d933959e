"""Forms of the planning set-up. They check input and name the field in every message;
planner.setup_services applies the rules (who may, versions, history)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from planner.enums import TeamKind
from planner.setup_selectors import EstimateRow, KindTemplate
from planner.setup_services import MAX_HEAD_COUNT, EstimateEdit, StepEdit
from procurement.core.forms import UswdsFormMixin

MIN_EFFORT, MAX_EFFORT = Decimal("0.5"), Decimal("1000")  # as the models' EFFORT_VALIDATORS


def head_count_field(label: str, minimum: int = 0, **kwargs) -> forms.IntegerField:
    """A head count the engine takes: a whole number from `minimum` to MAX_HEAD_COUNT."""
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=MAX_HEAD_COUNT,
        error_messages={
            "required": f"{label}: enter a number of people.",
            "invalid": f"{label}: enter a whole number of people.",
            "min_value": f"{label} must be {minimum} or more.",
            "max_value": f"{label} cannot be above {MAX_HEAD_COUNT:,}, the most the planner takes.",
        },
        **kwargs,
    )


def effort_field(label: str, required: bool = True, **kwargs) -> forms.DecimalField:
    """Effort in work days: more than 0 (at least half a day), at most 1,000, one decimal."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=MIN_EFFORT,
        max_value=MAX_EFFORT,
        max_digits=6,
        decimal_places=1,
        error_messages={
            "required": f"{label}: enter the effort in work days.",
            "invalid": f"{label}: enter a number of work days, e.g. 2.5.",
            "min_value": f"{label} must be more than 0 (at least {MIN_EFFORT} work days).",
            "max_value": f"{label} cannot be above {MAX_EFFORT:,} work days.",
            "max_decimal_places": f"{label}: use at most one decimal place.",
            "max_digits": f"{label} cannot be above {MAX_EFFORT:,} work days.",
        },
        **kwargs,
    )


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": f"{label}: enter a date.", "invalid": f"{label}: enter a date as YYYY-MM-DD."},
        **kwargs,
    )


class TeamForm(UswdsFormMixin, forms.Form):
    """A team's name, kind and head count from the plan's start; `version` is the one the form showed."""

    name = forms.CharField(label="Team name", max_length=200, error_messages={"required": "Team name: enter a name."})
    kind = forms.ChoiceField(label="Kind of work", choices=TeamKind.choices)
    head_count = head_count_field("Head count", help_text="People from the plan's start.")
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class CapacityChangeForm(UswdsFormMixin, forms.Form):
    """From a date the team has this many people (two contractors join; a freeze halves it)."""

    starts_on = date_field("From")
    head_count = head_count_field("Head count from then")
    note = forms.CharField(label="Why (optional)", max_length=200, required=False)


class FreezeWindowForm(UswdsFormMixin, forms.Form):
    starts_on = date_field("First frozen day")
    ends_on = date_field("Last frozen day")
    reason = forms.CharField(label="Reason", max_length=200, error_messages={"required": "Reason: say why work stops."})

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("starts_on"), cleaned.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", f"Last frozen day must be on or after the first frozen day ({first:%Y-%m-%d}).")
        return cleaned


class WorkTemplateForm(UswdsFormMixin, forms.Form):
    """Every step of one dependency kind's template: effort, team kind, people, and its row's version."""

    def __init__(self, *args, template: KindTemplate, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        for row in template.steps:
            self.fields[f"{row.step}-effort"] = effort_field(
                f"{row.label}: effort (work days)", initial=row.effort_days
            )
            self.fields[f"{row.step}-team_kind"] = forms.ChoiceField(
                label=f"{row.label}: team", choices=TeamKind.choices, initial=row.team_kind
            )
            self.fields[f"{row.step}-people"] = head_count_field(
                f"{row.label}: people", minimum=1, initial=row.head_count
            )
            self.fields[f"{row.step}-version"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=row.version
            )

    def step_fields(self):
        """Per step: its label and its three visible bound fields, for a table of steps."""
        return [
            (row.label, self[f"{row.step}-effort"], self[f"{row.step}-team_kind"], self[f"{row.step}-people"])
            for row in self.template.steps
        ]

    def edits(self) -> list[StepEdit]:
        data = self.cleaned_data
        return [
            StepEdit(
                row.step,
                data[f"{row.step}-effort"],
                data[f"{row.step}-team_kind"],
                data[f"{row.step}-people"],
                data[f"{row.step}-version"],
            )
            for row in self.template.steps
        ]


class SystemEstimatesForm(UswdsFormMixin, forms.Form):
    """A system's own effort per step; a blank field means the template's scaled effort."""

    reason = forms.CharField(
        label="Why these estimates (optional)",
        max_length=300,
        required=False,
        help_text="Kept with the estimates and in their history.",
    )

    def __init__(self, *args, rows: tuple[EstimateRow, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"{row.step}-effort"] = effort_field(
                f"{row.label}: own effort (work days)",
                required=False,
                initial=row.own_days,
                help_text=f"Blank: the template's {row.template_days} work days.",
            )
            self.fields[f"{row.step}-version"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=row.version
            )

    def step_fields(self):
        return [(row, self[f"{row.step}-effort"]) for row in self.rows]

    def edits(self) -> list[EstimateEdit]:
        data = self.cleaned_data
        return [
            EstimateEdit(row.step, data[f"{row.step}-effort"], data[f"{row.step}-version"] or 0) for row in self.rows
        ]
