"""Forms for the inventory. They validate input; services.py applies the rules."""

import re

from django import forms

from procurement.core.forms import UswdsFormMixin
from procurement.inventory.access import Action
from procurement.inventory.models import Agency, Contract, Directive, System

LIST_SEPARATORS = re.compile(r"[;,\s]+")


def split_list(text: str) -> list[str]:
    return [item for item in LIST_SEPARATORS.split(text or "") if item]


class FismaIdListField(forms.CharField):
    """FISMA IDs separated by commas, semicolons or spaces, resolved to visible systems."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput())
        super().__init__(*args, **kwargs)
        self.systems = System.objects.none()

    def clean(self, value):
        fisma_ids = split_list(super().clean(value))
        found = {system.fisma_id: system for system in self.systems.filter(fisma_id__in=fisma_ids)}
        unknown = [fisma_id for fisma_id in fisma_ids if fisma_id not in found]
        if unknown:
            raise forms.ValidationError(f"No system you can see has the FISMA ID {', '.join(unknown)}.")
        return [found[fisma_id] for fisma_id in fisma_ids]


class SystemForm(UswdsFormMixin, forms.ModelForm):
    depends_on_ids = FismaIdListField(
        label="Depends on (FISMA system IDs)",
        help_text="Systems this one needs, separated by commas, e.g. ARMY-0001, ARMY-0002.",
    )

    class Meta:
        model = System
        fields = [
            "name",
            "fisma_id",
            "agency",
            "directive",
            "owner_name",
            "owner_email",
            "contacts",
            "mission_function",
            "criticality",
            "environment",
            "network",
            "national_security_system",
            "covered_products",
            "dependency_kind",
            "user_count",
            "identification_method",
            "replacement",
            "cost_estimate",
        ]
        widgets = {
            "contacts": forms.Textarea(attrs={"rows": 3}),
            "covered_products": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_user(user, Action.CHANGE)
        if not self.instance.pk:
            self.initial.setdefault("directive", Directive.objects.values_list("pk", flat=True).first())
        visible = System.objects.for_user(user)
        if self.instance.pk:
            visible = visible.exclude(pk=self.instance.pk)
            linked = visible.filter(depended_by=self.instance)
            self.initial["depends_on_ids"] = ", ".join(linked.values_list("fisma_id", flat=True))
        self.fields["depends_on_ids"].systems = visible


class ContractForm(UswdsFormMixin, forms.ModelForm):
    system_ids = FismaIdListField(
        label="Systems (FISMA system IDs)",
        help_text="Systems bought through this contract, separated by commas.",
    )

    class Meta:
        model = Contract
        fields = [
            "contract_number",
            "order_number",
            "agency",
            "vehicle",
            "vendor_name",
            "vendor_uei",
            "vendor_cage",
            "value",
            "option_date",
            "renewal_date",
            "end_date",
            "contracting_officer",
            "contracting_officer_email",
        ]
        widgets = {
            field: forms.DateInput(attrs={"type": "date"}) for field in ("option_date", "renewal_date", "end_date")
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_user(user, Action.CHANGE)
        changeable = System.objects.for_user(user, Action.CHANGE)
        self.fields["system_ids"].systems = changeable
        if self.instance.pk:
            linked = changeable.filter(contracts=self.instance)
            self.initial["system_ids"] = ", ".join(linked.values_list("fisma_id", flat=True))


class TransitionForm(UswdsFormMixin, forms.Form):
    to_status = forms.ChoiceField(label="New status")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = choices
