"""Form helpers every app uses: the U.S. Web Design System look."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

# USWDS classes per widget template, so every form gets the design system's look.
USWDS_WIDGET_CLASSES = {
    "text": "usa-input",
    "email": "usa-input",
    "number": "usa-input",
    "date": "usa-input",
    "password": "usa-input",
    "url": "usa-input",
    "select": "usa-select",
    "plainselect": "usa-select",
    "textarea": "usa-textarea",
    "checkbox": "usa-checkbox__input",
    "clearablefile": "usa-file-input",
    "file": "usa-file-input",
    "nullbooleanselect": "usa-select",
    "selectmultiple": "usa-select",
}


class UswdsFormMixin:
    """Adds the U.S. Web Design System classes to every widget, and writes checkbox and
    radio groups in its markup (Django's groups put each input inside its label, which the
    design system's styles cannot draw)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            group = USWDS_CHOICE_GROUPS.get(type(field.widget))
            if group:
                field.widget = group(attrs=field.widget.attrs, choices=field.widget.choices)
            widget_type = field.widget.__class__.__name__.lower().removesuffix("input").removesuffix("widget")
            css = USWDS_WIDGET_CLASSES.get(widget_type)
            if css:
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()


class PlainSelect(forms.Select):
    """A drop-down written out in Python, for filter panels.

    Django renders a template for the select and another for every option: for a list's
    filter panel (an agency tree of dozens of options, four drop-downs) that was most of
    the form's time on every list page. The markup is the same as Django's. A filter is
    never required, so the widget does not look at its first choice to decide whether
    to say so (which would read a model choice list from the database once more).
    """

    def use_required_attribute(self, initial) -> bool:
        return False

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        options = []
        for group, choices in _grouped(self.choices):
            written = "".join(_option(choice_value, label, chosen) for choice_value, label in choices)
            options.append(f'<optgroup label="{escape(group)}">{written}</optgroup>' if group else written)
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{"".join(options)}</select>')  # noqa: S308


def _grouped(choices):
    """Choices as (group label or None, [(value, label), ...]), in order."""
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield value, label
        else:
            yield None, [(value, label)]


def _option(value, label, chosen: set[str]) -> str:
    text = "" if value is None else str(value)
    selected = " selected" if text in chosen else ""
    return f'<option value="{escape(text)}"{selected}>{escape(label)}</option>'


class ChoiceGroupMixin:
    """Checkboxes or radio buttons written out in Python, in the design system's markup.

    Django renders a template per option (and the list pages' filter panels have four
    groups of them on every request). Each input is followed by its label; ids are
    Django's (`<id>_<index>`, what the options' id_for_label gives). The design system
    fixes the classes, so of the attributes only the id and disabled are written.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attributes = self.build_attrs(self.attrs, attrs)
        group_id = attributes.get("id")
        disabled = " disabled" if attributes.get("disabled") else ""
        chosen = set(self.format_value(value))
        name = conditional_escape(name)
        options = []
        for index, (group, choices) in enumerate(_grouped(self.choices)):
            for subindex, (choice_value, label) in enumerate(choices):
                text = "" if choice_value is None else str(choice_value)
                checked = " checked" if text in chosen else ""
                if checked and not self.allow_multiple_selected:
                    chosen = set()  # a radio group checks its first match only, as Django does
                option_id = self.id_for_label(group_id, f"{index}_{subindex}" if group else str(index))
                options.append(_choice(self.input_type, name, text, label, option_id, checked + disabled))
        return mark_safe("\n".join(options))  # noqa: S308


def _choice(kind: str, name: str, value: str, label, option_id: str | None, flags: str) -> str:
    """One option: the input (with its " checked"/" disabled" flags), then its label."""
    id_attribute = for_attribute = ""
    if option_id:
        id_attribute = f' id="{conditional_escape(option_id)}"'
        for_attribute = f' for="{conditional_escape(option_id)}"'
    return (
        f'<div class="usa-{kind}"><input type="{kind}" name="{name}" value="{conditional_escape(value)}"'
        f'{id_attribute} class="usa-{kind}__input"{flags}>'
        f'<label class="usa-{kind}__label"{for_attribute}>{conditional_escape(label)}</label></div>'
    )


class CheckboxGroup(ChoiceGroupMixin, forms.CheckboxSelectMultiple):
    """A group of checkboxes in the design system's markup."""


class RadioGroup(ChoiceGroupMixin, forms.RadioSelect):
    """A group of radio buttons in the design system's markup."""


# Django's groups (exactly these classes, not subclasses made for another look) are
# replaced by the forms that take the design system's look.
USWDS_CHOICE_GROUPS = {forms.CheckboxSelectMultiple: CheckboxGroup, forms.RadioSelect: RadioGroup}
