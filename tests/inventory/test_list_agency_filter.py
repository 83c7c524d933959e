"""The agency filter is a tree (department, then its components) with the user's agencies first."""

import re

from django.urls import reverse

from procurement.inventory.enums import Role
from tests.factories import AgencyFactory, MembershipFactory


def agency_options(client) -> list[str]:
    """The agency drop-down as shown: optgroup labels as "[label]", options by their text."""
    page = client.get(reverse("inventory:system-list")).content.decode()
    select = re.search(r'<select name="agency"[^>]*>(.*?)</select>', page, re.S).group(1)
    found = re.findall(r'<optgroup label="([^"]*)">|<option value="[^"]*"[^>]*>([^<]*)</option>', select)
    return [f"[{group}]" if group else option for group, option in found]


def test_departments_then_components_and_my_agencies_first(client, alice, agency_a, component_a, agency_b):
    army = AgencyFactory(name="Department of the Army", abbreviation="ARMY", parent=agency_b)
    AgencyFactory(name="Z Department", abbreviation="ZD")
    MembershipFactory(user=alice, agency=agency_b, role=Role.VIEWER)  # alice sees DOD too, as a viewer
    MembershipFactory(user=alice, agency=AgencyFactory(name="Unrelated", abbreviation="UN"), role=Role.VIEWER)
    client.force_login(alice)
    assert army  # listed under its department, indented
    assert agency_options(client) == [
        "Any",
        "Department of Defense (DOD)",
        "\u2003– Department of the Army (ARMY)",
        "Department of the Treasury (TREAS)",
        "\u2003– Internal Revenue Service (IRS)",
        "Unrelated (UN)",
    ]  # all of them alice's own: no groups; nothing alice may not see (no Z Department)


def test_oversight_gets_one_tree_with_others_grouped_when_a_member(client, olga, agency_a, component_a, agency_b):
    client.force_login(olga)
    assert agency_options(client) == [
        "Any",
        "Department of Defense (DOD)",
        "Department of the Treasury (TREAS)",
        "\u2003– Internal Revenue Service (IRS)",
    ]
    MembershipFactory(user=olga, agency=agency_b, role=Role.VIEWER)
    assert agency_options(client) == [
        "Any",
        "[Your agencies]",
        "Department of Defense (DOD)",
        "[Other agencies]",
        "Department of the Treasury (TREAS)",
        "\u2003– Internal Revenue Service (IRS)",
    ]


def test_choosing_a_department_still_selects_its_components(client, alice, agency_a, component_a, system_a):
    client.force_login(alice)
    table = client.get(reverse("inventory:system-list"), {"agency": agency_a.pk}).context["table"]
    assert [row.record for row in table.rows] == [system_a]
