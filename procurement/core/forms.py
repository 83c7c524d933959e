"""Form helpers every app uses: the U.S. Web Design System look."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
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
    "checkboxselectmultiple": "usa-checkbox__input",
    "radioselect": "usa-radio__input",
    "clearablefile": "usa-file-input",
    "file": "usa-file-input",
    "nullbooleanselect": "usa-select",
    "selectmultiple": "usa-select",
}


class UswdsFormMixin:
    """Adds the U.S. Web Design System classes to every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
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
