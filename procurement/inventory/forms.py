"""Forms for the inventory. They validate input; services.py applies the rules."""

import re

from django import forms
from django.http import QueryDict

from procurement.core.forms import UswdsFormMixin
from procurement.inventory.access import Action
from procurement.inventory.enums import AgencyType, DependencyKind, SystemStatus
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
        self.own_fisma_id = ""

    def clean(self, value):
        fisma_ids = split_list(super().clean(value))
        if self.own_fisma_id and self.own_fisma_id in fisma_ids:
            raise forms.ValidationError("A system cannot depend on itself.")
        found = {system.fisma_id: system for system in self.systems.filter(fisma_id__in=fisma_ids)}
        unknown = [fisma_id for fisma_id in fisma_ids if fisma_id not in found]
        if unknown:
            raise forms.ValidationError(f"No system you can see has the FISMA ID {', '.join(unknown)}.")
        return [found[fisma_id] for fisma_id in fisma_ids]


class VersionedFormMixin(forms.Form):
    """Carries the version of the record the form showed (optimistic concurrency).

    The services refuse a save from a form whose version is no longer the stored one
    when someone changed the same record meanwhile (services.EditConflict).
    """

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["version"] = self.instance.version


def form_as_data(form: forms.BaseForm) -> QueryDict:
    """An unbound form's initial values as the POST data that would submit them."""
    data = QueryDict(mutable=True)
    for bound in form:
        value = bound.value()
        if isinstance(bound.field.widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data.setlist(bound.html_name, [str(item) for item in value])
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


def merge_stale_form(form_class, *, posted: QueryDict, instance, base_initial: dict | None, user) -> forms.BaseForm:
    """A stale form's re-apply form: the user's own changes on top of what is stored now.

    Fields the user changed (against `base_initial`, what their form showed) keep the
    user's values; the others show the stored values, so saving again re-applies the
    user's changes without undoing anyone else's. A field both changed is marked.
    """
    current = form_as_data(form_class(instance=instance, user=user))
    if base_initial is None:  # what the form showed is unknown: keep every posted value
        mine = set(form_class(posted, instance=instance, user=user).fields) - {"version"}
        theirs: set[str] = set()
    else:
        mine = set(form_class(posted, instance=instance, user=user, initial=base_initial).changed_data) - {"version"}
        theirs = set(form_class(current, instance=instance, user=user, initial=base_initial).changed_data)
    data = current.copy()
    for name in mine:
        if name in posted:
            data.setlist(name, posted.getlist(name))
        else:
            data.pop(name, None)  # an unticked checkbox
    data["version"] = str(instance.version)
    merged = form_class(data, instance=instance, user=user)
    merged.is_valid()
    for name in sorted(mine & theirs):
        merged.add_error(name, "Someone else changed this too; your value is shown. Check it before saving again.")
    return merged


class SystemForm(UswdsFormMixin, VersionedFormMixin, forms.ModelForm):
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
        # The system itself is not among the choices, so it gets its own message.
        own = self.instance.fisma_id if self.instance.pk else self.data.get(self.add_prefix("fisma_id"), "")
        self.fields["depends_on_ids"].own_fisma_id = own


class ContractForm(UswdsFormMixin, VersionedFormMixin, forms.ModelForm):
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
    """One move through the workflow; a step back is its own form, whose reason is required.

    `expected_status` is the status the page showed: a system moved by someone else
    meanwhile is not moved again from where it is now (services.EditConflict).
    """

    to_status = forms.ChoiceField(label="New status", widget=forms.HiddenInput)
    expected_status = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, choices, step_back: bool = False, **kwargs):
        if step_back:
            kwargs.setdefault("auto_id", "id_back_%s")  # both forms are on one page: ids stay unique
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = choices
        self.fields["expected_status"].choices = [("", ""), *SystemStatus.choices]
        if step_back:
            self.fields["note"].label = "Why does the system go back a step?"
            self.fields["note"].required = True
            self.fields["note"].widget.attrs["required"] = True


NSS_CHOICES = [("", "Either"), ("yes", "National security systems only"), ("no", "Not national security systems")]


class ScopeRuleForm(UswdsFormMixin, forms.Form):
    """One scope rule of a new revision; blank criteria match every system."""

    description = forms.CharField(max_length=200)
    agency_type = forms.ChoiceField(choices=[("", "Any agency type"), *AgencyType.choices], required=False)
    dependency_kind = forms.ChoiceField(choices=[("", "Any dependency kind"), *DependencyKind.choices], required=False)
    national_security_system = forms.ChoiceField(label="National security systems", choices=NSS_CHOICES, required=False)
    removal_offset_days = forms.IntegerField(
        label="Days after issue to finish removal", min_value=0, max_value=3650, help_text="0: immediately."
    )

    def spec_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.pop("DELETE", None)
        values["national_security_system"] = {"yes": True, "no": False}.get(values["national_security_system"])
        return values

    @staticmethod
    def initial_for(rule) -> dict:
        nss = {True: "yes", False: "no"}.get(rule.national_security_system, "")
        return {
            "description": rule.description,
            "agency_type": rule.agency_type,
            "dependency_kind": rule.dependency_kind,
            "national_security_system": nss,
            "removal_offset_days": rule.removal_offset_days,
        }


ScopeRuleFormSet = forms.formset_factory(ScopeRuleForm, extra=2, can_delete=True, max_num=50, validate_max=True)


class RevisionForm(UswdsFormMixin, forms.Form):
    """A new revision of a directive's scope: when, why, and (after a preview) the confirmations."""

    effective_on = forms.DateField(label="Effective on", widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(max_length=300, help_text="What changed and why.")
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)  # the rules the user last previewed
    confirm_without_deadline = forms.BooleanField(
        required=False, label="Yes, save it although some systems would have no removal deadline"
    )
