"""Forms of the reminders app: a user's digest settings and a directive's reminder policy."""

from django import forms

from procurement.core.forms import UswdsFormMixin
from procurement.reminders.models import ReminderPolicy, ReminderPreference


class PreferenceForm(UswdsFormMixin, forms.ModelForm):
    # The version read with the form: a save from a stale page is refused, not applied.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = ReminderPreference
        fields = ["digest_hour", "digest_opt_out"]
        labels = {"digest_hour": "Digest hour", "digest_opt_out": "Do not email me the digest"}
        help_texts = {
            "digest_hour": "0–23, in the time zone of the milestone's agency.",
            "digest_opt_out": "Notices still appear on your notifications page, and escalations to your role "
            "are still emailed.",
        }


class PolicyForm(UswdsFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = ReminderPolicy
        fields = [
            "offsets",
            "overdue_repeat_days",
            "lead_escalation_after_days",
            "agency_escalation_after_days",
            "oversight_email",
        ]

    def clean(self):
        cleaned = super().clean()
        lead, agency = cleaned.get("lead_escalation_after_days"), cleaned.get("agency_escalation_after_days")
        if lead is not None and agency is not None and agency < lead:
            self.add_error(
                "agency_escalation_after_days", "Escalate to the agency no sooner than to the component's lead."
            )
        return cleaned
