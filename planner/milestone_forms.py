"""Forms of milestones: mark done with evidence, move the due date with a reason."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from planner.milestones import REASON_MAX_CHARS, evidence_check, evidence_max_bytes
from procurement.core.forms import UswdsFormMixin
from procurement.core.uploads import size_text


class MilestoneDoneForm(UswdsFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    evidence_note = forms.CharField(
        label="Evidence",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What shows it is done (a ticket, a memo, a screenshot's description).",
    )
    evidence_file = forms.FileField(label="Evidence file", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence_file"].help_text = (
            f"Optional. PDF, image, text, CSV, Word, Excel or e-mail; at most {size_text(evidence_max_bytes())}. "
            "Only people who may see this milestone can download it."
        )

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        return evidence_check(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("evidence_note") or "").strip() and not cleaned.get("evidence_file"):
            raise ValidationError("Say what shows it is done: a note, a file or both.")
        return cleaned


class MilestoneDueForm(UswdsFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    due_on = forms.DateField(label="New due date", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_CHARS,
        help_text="Kept in the milestone's history. Re-plans keep this date.",
    )
