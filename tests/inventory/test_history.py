"""A system's change history shows no more than its page: no hidden links, no other agency's past."""

import pytest
from django.urls import reverse

from procurement.inventory import selectors
from procurement.inventory.services import system_save, system_transition
from tests.factories import SystemFactory


def history_text(client, system) -> str:
    response = client.get(reverse("inventory:system-detail", args=[system.pk]))
    assert response.status_code == 200
    return " ".join(
        f"{change.field}: {change.old} {change.new} {' '.join(change.added)} {' '.join(change.removed)}"
        for entry in response.context["history"]
        for change in entry.changes
    )


@pytest.fixture
def neighbour(component_a, directive):
    return SystemFactory(agency=component_a, directive=directive, fisma_id="IRS-0013", name="Tax Chat Assistant")


def test_links_are_named_and_hidden_ones_left_out(client, alice, root, system_a, system_b, neighbour):
    system_save(user=root, system=system_a, depends_on=[neighbour, system_b])
    client.force_login(alice)
    text = history_text(client, system_a)
    assert "IRS-0013" in text and "Tax Chat Assistant" in text
    assert system_b.fisma_id not in text and system_b.name not in text
    assert "linked" not in text


def test_a_change_of_hidden_links_only_leaves_no_entry(client, alice, root, system_a, system_b):
    system_save(user=root, system=system_a, depends_on=[system_b])
    client.force_login(alice)
    assert history_text(client, system_a) == ""


def test_another_agencys_past_stays_hidden(client, alice, bob, root, agency_b, component_a, directive):
    moved = SystemFactory(agency=agency_b, directive=directive, name="Moved system")
    moved.owner_name = "Owner while at the other agency"
    system_save(user=root, system=moved)
    moved.agency = component_a
    system_save(user=root, system=moved)
    client.force_login(alice)
    text = history_text(client, moved)
    assert "Owner while at the other agency" not in text
    client.force_login(bob)
    assert client.get(reverse("inventory:system-detail", args=[moved.pk])).status_code == 404


def test_saving_without_changes_adds_no_entry(alice, root, system_a):
    before = len(selectors.history_entries(alice, system_a.history))
    system_save(user=root, system=system_a)
    assert len(selectors.history_entries(alice, system_a.history)) == before


def test_status_notes_stay_with_the_agency_they_were_written_in(
    client, alice, bob, root, agency_b, component_a, directive
):
    moved = SystemFactory(agency=agency_b, directive=directive)
    system_transition(user=bob, system=moved, to_status="assessed", note="Classified program detail")
    moved.refresh_from_db()
    moved.agency = component_a
    system_save(user=root, system=moved)
    system_transition(user=alice, system=moved, to_status="identified", note="Re-assessing after the transfer")
    client.force_login(alice)
    page = client.get(reverse("inventory:system-detail", args=[moved.pk])).content.decode()
    assert "Re-assessing after the transfer" in page
    assert "Classified program detail" not in page
