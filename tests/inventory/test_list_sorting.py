"""Choice columns sort in their real order, on screen and in exports, not by code.

By code, criticality would run high < low < moderate and status assessed < cut_over <
identified …; people read Low < Moderate < High and the workflow's order.
"""

import csv
import html
import io

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from procurement.inventory.enums import Criticality, DependencyKind, Network, SystemStatus
from tests.factories import SystemFactory

CHOICES = {
    "criticality": Criticality,
    "status": SystemStatus,
    "network": Network,
    "dependency_kind": DependencyKind,
}


@pytest.fixture
def one_of_each(component_a, directive):
    """A system per value of every choice column, created in reverse order of the choices."""
    count = max(len(choices) for choices in CHOICES.values())
    for number in reversed(range(count)):
        values = {field: choices.values[number % len(choices)] for field, choices in CHOICES.items()}
        SystemFactory(agency=component_a, directive=directive, name=f"System {number}", **values)


def screen_labels(client, column: str, sort: str) -> list[str]:
    table = client.get(reverse("inventory:system-list"), {"sort": sort, "columns": [column]}).context["table"]
    return [html.unescape(strip_tags(row.get_cell(column))) for row in table.rows]


def exported_labels(client, column: str, sort: str) -> list[str]:
    response = client.get(reverse("inventory:system-list"), {"sort": sort, "columns": [column], "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    return [row[0] for row in rows[1:]]


def in_choice_order(labels: list[str], choices) -> bool:
    positions = [choices.labels.index(label) for label in labels]
    return positions == sorted(positions)


@pytest.mark.parametrize("column", list(CHOICES))
def test_choice_columns_sort_in_the_choices_order(client, alice, one_of_each, column):
    client.force_login(alice)
    ascending = screen_labels(client, column, column)
    assert in_choice_order(ascending, CHOICES[column]), ascending
    assert set(ascending) == set(CHOICES[column].labels)
    assert screen_labels(client, column, f"-{column}") == ascending[::-1]
    assert exported_labels(client, column, column) == ascending
    assert exported_labels(client, column, f"-{column}") == ascending[::-1]


def test_criticality_reads_low_moderate_high(client, alice, one_of_each):
    client.force_login(alice)
    labels = screen_labels(client, "criticality", "criticality")
    assert [label for index, label in enumerate(labels) if label not in labels[:index]] == ["Low", "Moderate", "High"]
