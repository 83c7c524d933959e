"""Form helpers every app uses: the U.S. Web Design System look."""

# USWDS classes per widget template, so every form gets the design system's look.
USWDS_WIDGET_CLASSES = {
    "text": "usa-input",
    "email": "usa-input",
    "number": "usa-input",
    "date": "usa-input",
    "password": "usa-input",
    "url": "usa-input",
    "select": "usa-select",
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
