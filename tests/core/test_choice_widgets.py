"""Checkbox and radio groups are written in Python (`core.forms.ChoiceGroupMixin`), in the
design system's markup: option for option what `includes/field.html` wrote with a template
loop over Django's own options, on every form that takes the design system's look."""

import re

import pytest
from django import forms
from django.template import engines
from django.urls import reverse

from procurement.compliance.forms import FeedForm, WaiverDecisionForm
from procurement.compliance.models import CalendarFeed
from procurement.core.forms import CheckboxGroup, RadioGroup, UswdsFormMixin
from procurement.inventory.enums import SystemStatus
from procurement.inventory.filters import SystemFilter
from procurement.inventory.forms import SystemForm
from procurement.inventory.models import Agency
from procurement.inventory.tables import SystemTable

HOSTILE = "<b>&\"'"
CHOICES = [("a", HOSTILE), ('b&"', "Bee"), ("", "None of these"), ("a", "A again")]
GROUPED = [("x", "Ex"), ("Group <1>", [("g1", "G one"), ("g2", "G two")]), ("y", "Why")]

# The loop field.html ran for each group before the widget wrote it, verbatim.
TEMPLATE_LOOP = (
    "{% with disabled=field.field.disabled %}{% for option in field %}"
    "{% with data=option.data id=option.id_for_label %}"
    '<div class="usa-{{ data.type }}"><input type="{{ data.type }}" name="{{ data.name }}" value="{{ data.value }}"'
    ' id="{{ id }}" class="usa-{{ data.type }}__input"{% if data.selected %} checked{% endif %}'
    '{% if disabled %} disabled{% endif %}><label class="usa-{{ data.type }}__label" for="{{ id }}">'
    "{{ option.choice_label }}</label></div>\n{% endwith %}{% endfor %}{% endwith %}"
)


class DjangoGroups(forms.Form):
    """Django's own widgets, which the template loop read."""

    many = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False)
    one = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    grouped = forms.MultipleChoiceField(choices=GROUPED, widget=forms.CheckboxSelectMultiple, required=False)
    locked = forms.MultipleChoiceField(
        choices=CHOICES, widget=forms.CheckboxSelectMultiple, disabled=True, initial=["a"], required=False
    )


class UswdsGroups(UswdsFormMixin, DjangoGroups):
    """The same fields, in the design system's look."""


def old_options(bound_field) -> list[str]:
    return engines["django"].from_string(TEMPLATE_LOOP).render({"field": bound_field}).split("\n")[:-1]


def new_options(bound_field) -> list[str]:
    return str(bound_field).split("\n")


@pytest.mark.parametrize(
    "data, options",
    [
        (None, {}),
        ({"many": ["a", 'b&"'], "one": "a", "grouped": ["g2", "y"]}, {}),
        ({"many": [""], "one": "", "grouped": ["nope"]}, {}),
        ({"p-many": ["a"], "p-one": 'b&"'}, {"prefix": "p"}),
        ({"one": "a"}, {"auto_id": "form-%s"}),
    ],
)
def test_each_option_is_what_the_template_loop_wrote(data, options):
    django_form, uswds_form = DjangoGroups(data, **options), UswdsGroups(data, **options)
    for name in DjangoGroups.base_fields:
        assert new_options(uswds_form[name]) == old_options(django_form[name]), name


@pytest.mark.django_db
def test_model_choices_are_what_the_template_loop_wrote(agency_a, agency_b):
    class DjangoAgencies(forms.Form):
        agencies = forms.ModelMultipleChoiceField(Agency.objects.order_by("pk"), widget=forms.CheckboxSelectMultiple)

    class UswdsAgencies(UswdsFormMixin, DjangoAgencies):
        pass

    data = {"agencies": [str(agency_b.pk)]}
    assert new_options(UswdsAgencies(data)["agencies"]) == old_options(DjangoAgencies(data)["agencies"])
    assert " checked" in new_options(UswdsAgencies(data)["agencies"])[1]


def test_writes_the_design_systems_markup_escaping_everything():
    form = UswdsGroups({"many": ['b&"'], "one": "a"})
    assert str(form["many"]) == (
        '<div class="usa-checkbox"><input type="checkbox" name="many" value="a" id="id_many_0"'
        ' class="usa-checkbox__input"><label class="usa-checkbox__label" for="id_many_0">'
        "&lt;b&gt;&amp;&quot;&#x27;</label></div>\n"
        '<div class="usa-checkbox"><input type="checkbox" name="many" value="b&amp;&quot;" id="id_many_1"'
        ' class="usa-checkbox__input" checked><label class="usa-checkbox__label" for="id_many_1">Bee</label></div>\n'
        '<div class="usa-checkbox"><input type="checkbox" name="many" value="" id="id_many_2"'
        ' class="usa-checkbox__input"><label class="usa-checkbox__label" for="id_many_2">None of these</label></div>\n'
        '<div class="usa-checkbox"><input type="checkbox" name="many" value="a" id="id_many_3"'
        ' class="usa-checkbox__input"><label class="usa-checkbox__label" for="id_many_3">A again</label></div>'
    )
    # A radio group checks its first match only; a disabled field disables every option.
    assert str(form["one"]).split("\n")[::3] == [
        '<div class="usa-radio"><input type="radio" name="one" value="a" id="id_one_0" class="usa-radio__input"'
        ' checked><label class="usa-radio__label" for="id_one_0">&lt;b&gt;&amp;&quot;&#x27;</label></div>',
        '<div class="usa-radio"><input type="radio" name="one" value="a" id="id_one_3" class="usa-radio__input">'
        '<label class="usa-radio__label" for="id_one_3">A again</label></div>',
    ]
    assert str(form["locked"]).split("\n")[0] == (
        '<div class="usa-checkbox"><input type="checkbox" name="locked" value="a" id="id_locked_0"'
        ' class="usa-checkbox__input" checked disabled><label class="usa-checkbox__label" for="id_locked_0">'
        "&lt;b&gt;&amp;&quot;&#x27;</label></div>"
    )
    assert 'id="id_grouped_1_1"' in str(form["grouped"])  # an option in a group: Django's <group>_<option> index


def test_without_ids_the_options_have_no_id_or_for():
    written = str(UswdsGroups(auto_id=False)["one"])
    assert " id=" not in written and " for=" not in written


def test_the_design_systems_forms_take_the_written_groups_keeping_attributes_and_choices():
    class Groups(UswdsFormMixin, forms.Form):
        many = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple(attrs={"id": "mine"}))
        one = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)

    form = Groups()
    assert type(form.fields["many"].widget) is CheckboxGroup and type(form.fields["one"].widget) is RadioGroup
    assert form.fields["many"].widget.attrs == {"id": "mine"}  # no class: the markup fixes it
    assert list(form.fields["one"].widget.choices) == CHOICES
    assert 'id="mine_0"' in str(form["many"])
    assert type(Groups.base_fields["many"].widget) is forms.CheckboxSelectMultiple  # the class's own field is untouched


@pytest.mark.django_db
def test_every_group_the_project_declares_is_written(alice, system_a):
    widgets = {
        **{name: SystemFilter(user=alice).form.fields[name].widget for name in SystemFilter.base_filters},
        "covered_products": SystemForm(user=alice, instance=system_a).fields["covered_products"].widget,
        "decision": WaiverDecisionForm().fields["decision"].widget,
        "scope": FeedForm(user=alice).fields["scope"].widget,
    }
    groups = {name: type(widget) for name, widget in widgets.items() if isinstance(widget, forms.RadioSelect)}
    assert groups == {
        "status": CheckboxGroup,
        "dependency_kind": CheckboxGroup,
        "criticality": CheckboxGroup,
        "network": CheckboxGroup,
        "covered_products": CheckboxGroup,
        "decision": RadioGroup,
        "scope": RadioGroup,
    }


def fieldset(page: str, legend: str) -> str:
    start = page.index(f'<legend class="usa-legend">{legend}</legend>')
    return page[page.rindex("<fieldset", 0, start) : page.index("</fieldset>", start)]


@pytest.mark.django_db
def test_the_systems_list_checks_the_chosen_statuses(client, alice, system_a):
    client.force_login(alice)
    chosen = [SystemStatus.IDENTIFIED, SystemStatus.ASSESSED]
    page = client.get(reverse("inventory:system-list"), {"status": chosen}).content.decode()
    statuses = fieldset(page, "Status")
    for index, (value, label) in enumerate(SystemStatus.choices):
        checked = " checked" if value in chosen else ""
        assert (
            f'<input type="checkbox" name="status" value="{value}" id="id_status_{index}" class="usa-checkbox__input"'
            f'{checked}><label class="usa-checkbox__label" for="id_status_{index}">{label}</label>'
        ) in statuses
    assert statuses.count(" checked") == 2


@pytest.mark.django_db
def test_the_column_chooser_checks_the_shown_columns_and_labels_each(client, alice, system_a):
    client.force_login(alice)
    shown = ["name", "network", "owner_email"]
    page = client.get(reverse("inventory:system-list"), {"columns": shown}).content.decode()
    chooser = page[page.index('<legend class="usa-sr-only">Columns to show and export</legend>') :]
    chooser = chooser[: chooser.index("</fieldset>")]
    for name in SystemTable.base_columns:
        if name in SystemTable.page_columns:
            continue
        option = re.search(rf'<input type="checkbox" name="columns" value="{name}" id="(columns_\d+)"[^>]*>', chooser)
        assert option, name
        assert (" checked>" in option.group(0)) == (name in shown), name
        assert f'<label class="usa-checkbox__label" for="{option.group(1)}">' in chooser
    assert chooser.count(" checked") == len(shown)


@pytest.mark.django_db
def test_an_invalid_status_shows_its_error_in_the_group(client, alice, system_a):
    client.force_login(alice)
    page = client.get(reverse("inventory:system-list"), {"status": "bogus"}).content.decode()
    assert (
        '<span class="usa-error-message" id="id_status_error">'
        "Select a valid choice. bogus is not one of the available choices.</span>"
    ) in fieldset(page, "Status")
    assert "usa-form-group--error" in page


@pytest.mark.django_db
def test_the_feed_form_writes_its_radio_group_and_its_error(client, alice):
    client.force_login(alice)
    page = client.get(reverse("compliance:feed-list")).content.decode()
    assert 'value="user" id="id_scope_0" class="usa-radio__input" checked><label class="usa-radio__label"' in page
    page = client.post(reverse("compliance:feed-list"), {"scope": "<i>"}).content.decode()
    scope = fieldset(page, "Scope")
    assert '<span class="usa-error-message" id="id_scope_error">Select a valid choice.' in scope
    assert "&lt;i&gt; is not one of the available choices." in scope
    assert " checked" not in scope
    assert not CalendarFeed.objects.exists()
