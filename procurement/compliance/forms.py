"""Forms of the compliance app. They validate input; services apply the rules."""

from django import forms

from procurement.compliance.enums import FeedScope, WaiverCategory
from procurement.compliance.models import StatusReport
from procurement.core.forms import UswdsFormMixin
from procurement.inventory.access import Action
from procurement.inventory.models import Agency

TEXT_LIMIT = 10_000  # bounded: a narrative is pages, not megabytes


def long_text(label: str, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
    )


class WaiverRequestForm(UswdsFormMixin, forms.Form):
    category = forms.ChoiceField(choices=WaiverCategory.choices)
    justification = long_text("Justification")
    alternatives_considered = long_text("Alternatives considered")
    compensating_mitigations = long_text("Compensating mitigations")
    phase_out_plan = long_text(
        "Phase-out plan", help_text="How and by when the product will be removed from this system."
    )
    requested_until = forms.DateField(
        label="Requested end date", widget=forms.DateInput(attrs={"type": "date"}), help_text="YYYY-MM-DD"
    )

    def __init__(self, *args, allowed_categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed_categories is not None:
            self.fields["category"].choices = [
                (value, label) for value, label in WaiverCategory.choices if value in allowed_categories
            ]


class WaiverDecisionForm(UswdsFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("deny", "Deny")], widget=forms.RadioSelect, label="Decision"
    )
    note = long_text("Note", required=False, help_text="Required when denying.")
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReportNarrativeForm(UswdsFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = StatusReport
        fields = ["challenges", "support_needed", "completion_plan", "expected_completion"]
        widgets = {
            "challenges": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_LIMIT}),
            "support_needed": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_LIMIT}),
            "completion_plan": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_LIMIT}),
            "expected_completion": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        for name in ("challenges", "support_needed", "completion_plan"):
            if len(cleaned.get(name) or "") > TEXT_LIMIT:
                self.add_error(name, f"At most {TEXT_LIMIT:,} characters.")
        return cleaned


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FeedForm(UswdsFormMixin, forms.Form):
    scope = forms.ChoiceField(choices=FeedScope.choices, widget=forms.RadioSelect, initial=FeedScope.USER)
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), required=False, help_text="For a one-agency feed.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_user(user, Action.VIEW)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == FeedScope.AGENCY and not cleaned.get("agency"):
            self.add_error("agency", "Choose the agency to follow.")
        return cleaned
