"""Forms of discovery: uploads, the column and value mapping, and decisions on candidates."""

from __future__ import annotations

from django import forms

from procurement.core.forms import UswdsFormMixin
from procurement.discovery.fields import CHOICES, FIELD_LABELS, FieldMap, suggest_value
from procurement.discovery.presets import PRESET_CHOICES
from procurement.discovery.reading import normalise_header
from procurement.inventory.enums import DependencyKind

IGNORE = ("", "— not imported (still searched) —")


class SourceUploadForm(UswdsFormMixin, forms.Form):
    file = forms.FileField(label="CSV or XLSX file", widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
    layout = forms.ChoiceField(
        label="Layout",
        required=False,
        help_text="A preset or a mapping saved earlier; leave blank to map the columns yourself.",
    )

    def __init__(self, *args, mappings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].choices = [
            ("", "Map the columns myself"),
            *[(f"preset:{key}", label) for key, label in PRESET_CHOICES],
            *[(f"mapping:{mapping.pk}", f"Saved: {mapping.name}") for mapping in mappings],
        ]


class FileForm(UswdsFormMixin, forms.Form):
    file = forms.FileField(label="File")


class MappingForm(UswdsFormMixin, forms.Form):
    """One select per column of the file, one per distinct value of a mapped choice column, a name to save."""

    name = forms.CharField(
        label="Save this mapping as",
        max_length=100,
        required=False,
        help_text="Saved for your agency; choose it next time you upload a file like this.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, headers: list[str], field_map: FieldMap, values: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.value_keys: list[tuple[str, str, str]] = []
        targets = [IGNORE, *FIELD_LABELS.items()]
        by_header = {normalise_header(h): t for h, t in field_map.columns.items()}
        for index, header in enumerate(headers):
            if header:
                self.fields[f"column_{index}"] = forms.ChoiceField(
                    label=header, choices=targets, required=False, initial=by_header.get(normalise_header(header), "")
                )
        for target, seen in values.items():
            known = {normalise_header(k): v for k, v in field_map.values.get(target, {}).items()}
            for position, text in enumerate(seen):
                key = f"value_{target}_{position}"
                initial = known.get(normalise_header(text)) or suggest_value(target, text)
                self.fields[key] = forms.ChoiceField(
                    label=f"{FIELD_LABELS[target]}: “{text}”",
                    choices=[("", "— as written —"), *CHOICES[target]],
                    required=False,
                    initial=initial,
                )
                self.value_keys.append((key, target, text))
        for target, choices in CHOICES.items():
            self.fields[f"default_{target}"] = forms.ChoiceField(
                label=f"{FIELD_LABELS[target]} when no column says",
                choices=[("", "— none —"), *choices],
                required=False,
                initial=field_map.defaults.get(target, ""),
            )

    def column_fields(self):
        return [self[name] for name in self.fields if name.startswith("column_")]

    def value_fields(self):
        return [self[key] for key, _, _ in self.value_keys]

    def default_fields(self):
        return [self[f"default_{target}"] for target in CHOICES]

    def field_map(self) -> FieldMap:
        data = self.cleaned_data
        columns = {header: data.get(f"column_{index}", "") for index, header in enumerate(self.headers) if header}
        values: dict[str, dict[str, str]] = {}
        for key, target, text in self.value_keys:
            if data.get(key):
                values.setdefault(target, {})[text] = data[key]
        defaults = {target: data[f"default_{target}"] for target in CHOICES if data.get(f"default_{target}")}
        return FieldMap(columns=columns, values=values, defaults=defaults)


class AcceptForm(UswdsFormMixin, forms.Form):
    dependency_kind = forms.ChoiceField(label="Dependency kind", choices=DependencyKind.choices)
    fisma_id = forms.CharField(
        label="FISMA system ID",
        max_length=50,
        required=False,
        help_text="For a new system; the file's own ID is proposed.",
    )
    name = forms.CharField(label="System name", max_length=200, required=False)
    note = forms.CharField(label="Note", max_length=300, required=False)


class RejectForm(UswdsFormMixin, forms.Form):
    note = forms.CharField(
        label="Why is this not a dependency?",
        max_length=300,
        help_text="Kept with the decision; this row is not proposed again.",
    )
