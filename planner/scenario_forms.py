"""The what-if form: at most one change of each kind, each naming what it changes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from planner.enums import Step
from planner.models import Plan, Team
from procurement.core.forms import UswdsFormMixin
from procurement.inventory.models import Agency, System

DATE = forms.DateInput(attrs={"type": "date"})
# (fields that go together, what to say when only some are given)
GROUPS = (
    (("team", "extra", "from_date"), "Give the team, how many people and from when."),
    (("deadline_system", "deadline"), "Give the system and its later deadline."),
    (("waiver_system", "waiver_until"), "Give the system and the waiver's end."),
    (("estimate_system", "estimate_step", "estimate_days"), "Give the system, the step and its work days."),
)


class ScenarioForm(UswdsFormMixin, forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team")
    extra = forms.IntegerField(required=False, min_value=-50, max_value=50, label="More people (negative: fewer)")
    from_date = forms.DateField(required=False, widget=DATE, label="From")
    deadline_system = forms.CharField(required=False, max_length=50, label="System (FISMA ID) with a later deadline")
    deadline = forms.DateField(required=False, widget=DATE, label="Its deadline")
    waiver_system = forms.CharField(required=False, max_length=50, label="System (FISMA ID) with a waiver")
    waiver_until = forms.DateField(required=False, widget=DATE, label="Waiver until")
    estimate_system = forms.CharField(required=False, max_length=50, label="System (FISMA ID) with a new estimate")
    estimate_step = forms.ChoiceField(required=False, choices=[("", "—"), *Step.choices], label="Step")
    estimate_days = forms.DecimalField(
        required=False, min_value=Decimal("0.5"), max_value=Decimal("1000"), decimal_places=1, label="Work days"
    )

    def __init__(self, *args, user, plan: Plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.agency_ids = Agency.objects.with_components(plan.agency_id) if plan.agency_id else None
        teams = Team.objects.for_user(user)
        self.fields["team"].queryset = teams if self.agency_ids is None else teams.filter(agency__in=self.agency_ids)
        self.systems = System.objects.for_user(user)
        if self.agency_ids is not None:
            self.systems = self.systems.filter(agency__in=self.agency_ids)

    def _system(self, name: str) -> System | None:
        fisma_id = (self.cleaned_data.get(name) or "").strip()
        if not fisma_id:
            return None
        system = self.systems.filter(fisma_id=fisma_id).first()
        if system is None:
            raise ValidationError(f"No system “{fisma_id}” in this plan's agency.")
        return system

    def clean_deadline_system(self):
        return self._system("deadline_system")

    def clean_waiver_system(self):
        return self._system("waiver_system")

    def clean_estimate_system(self):
        return self._system("estimate_system")

    def clean(self):
        cleaned = super().clean()
        given_any = False
        for names, message in GROUPS:
            given = [name for name in names if cleaned.get(name) not in (None, "")]
            if given and len(given) < len(names):
                for name in names:
                    if name not in given and name not in self.errors:
                        self.add_error(name, message)
            given_any = given_any or bool(given)
        if not given_any and not self.errors:
            raise ValidationError("Change at least one input: a team, a deadline, a waiver or an estimate.")
        return cleaned
