"""Forms of the planner."""

from django import forms

from planner import selectors

TIME_LIMIT_CHOICES = ((10, "10 seconds"), (30, "30 seconds"), (60, "1 minute"), (120, "2 minutes"))


class PlanRunForm(forms.Form):
    """Run a plan for an agency the user leads: how long to search, and whether to stay close
    to the current plan."""

    agency = forms.ModelChoiceField(queryset=None, label="Agency", empty_label=None)
    time_limit_seconds = forms.TypedChoiceField(
        choices=TIME_LIMIT_CHOICES, coerce=int, initial=30, label="Search for at most"
    )
    warm_start = forms.BooleanField(
        required=False,
        initial=True,
        label="Start from the current plan",
        help_text="Keeps the schedule stable: only what the changes need moves.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.agencies_to_plan(user)
