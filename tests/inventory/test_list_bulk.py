"""Bulk actions from the systems list: the preview says what will change; applying makes the
same edits as one at a time (rules, history), only where the user may change, all or nothing."""

import pytest
from django.urls import reverse

from procurement.inventory.enums import Role, SystemStatus
from procurement.inventory.models import System
from tests.factories import MembershipFactory, SystemFactory

PREVIEW, APPLY = "inventory:system-bulk-preview", "inventory:system-bulk-apply"


@pytest.fixture
def three(component_a, directive):
    return [SystemFactory(agency=component_a, directive=directive, name=f"S{n}", criticality="low") for n in range(3)]


def preview(client, systems=(), **fields):
    data = {"query": "", "scope": "selected", "ids": [system.pk for system in systems], **fields}
    response = client.post(reverse(PREVIEW), data)
    return response.context["preview"] if response.status_code == 200 else response


def apply(client, rows, **fields):
    versions = {f"version_{row.system.pk}": row.system.version for row in rows}
    return client.post(reverse(APPLY), {"query": "", **versions, **fields}, follow=True)


def test_preview_then_apply_changes_criticality_with_history(client, alice, three):
    client.force_login(alice)
    result = preview(client, three[:2], action="criticality", criticality="high")
    assert [(row.system.name, row.before, row.after) for row in result.changing] == [
        ("S0", "Low", "High"),
        ("S1", "Low", "High"),
    ]
    assert set(System.objects.values_list("criticality", flat=True)) == {"low"}  # a preview writes nothing
    page = apply(client, result.changing, action="criticality", criticality="high", reason="Mission review")
    assert "Changed 2 systems." in page.content.decode()
    assert dict(System.objects.values_list("name", "criticality")) == {"S0": "high", "S1": "high", "S2": "low"}
    latest = System.objects.get(name="S0").history.first()
    assert (latest.history_user, latest.history_change_reason) == (alice, "Mission review")


def test_status_follows_the_workflow_as_one_edit_does(client, alice, three):
    client.force_login(alice)
    three[1].status = SystemStatus.ASSESSED
    three[1].save()
    result = preview(client, three, action="status", status="assessed")
    assert [row.system.name for row in result.changing] == ["S0", "S2"]
    assert [row.refused for row in result.refused] == ["Already so."]
    apply(client, result.changing, action="status", status="assessed")
    assert System.objects.get(name="S0").status_changes.get().changed_by == alice
    # plan approval needs a transition lead: alice is an editor
    result = preview(client, three, action="status", status="plan_approved")
    assert {row.refused for row in result.refused} == {"Only a transition lead may take this step."}


def test_all_matching_and_only_what_the_user_may_change(client, alice, three, agency_b, directive):
    other = SystemFactory(agency=agency_b, directive=directive, name="Viewed only")
    MembershipFactory(user=alice, agency=agency_b, role=Role.VIEWER)
    client.force_login(alice)
    result = preview(client, scope="all", action="owner", owner_name="Dana Lee", owner_email="dana@example.gov")
    assert len(result.changing) == 3
    assert [(row.system, row.refused) for row in result.refused] == [
        (other, "You may only view this agency's systems.")
    ]
    # a forged confirmation naming the viewed-only system changes nothing at all
    forged = [*result.changing, *result.refused]
    page = apply(client, forged, action="owner", owner_name="Dana Lee", owner_email="dana@example.gov")
    assert "Viewed only" not in page.content.decode() or "Nothing was changed" in page.content.decode()
    assert not System.objects.filter(owner_name="Dana Lee").exists()


def test_another_agencys_systems_are_not_there(client, bob, three):
    client.force_login(bob)
    response = preview(client, three, action="criticality", criticality="high")
    assert response.status_code == 302  # none of them exist for bob: "choose at least one system"
    assert "Choose at least one system." in client.get(response.url).content.decode()


def test_a_system_changed_after_the_preview_stops_the_batch(client, alice, three):
    client.force_login(alice)
    result = preview(client, three, action="criticality", criticality="high")
    stale = System.objects.get(name="S1")
    stale.owner_name, stale.version = "Changed meanwhile", stale.version + 1
    stale.save()
    page = apply(client, result.changing, action="criticality", criticality="high")
    assert "S1" in page.content.decode() or stale.fisma_id in page.content.decode()
    assert "changed after your preview" in page.content.decode()
    assert set(System.objects.values_list("criticality", flat=True)) == {"low"}  # all or nothing


def test_add_a_dependency_names_the_target_and_refuses_itself(client, alice, three):
    client.force_login(alice)
    result = preview(client, three, action="dependency", target=three[0].fisma_id)
    assert [row.refused for row in result.refused] == ["A system cannot depend on itself."]
    apply(client, result.changing, action="dependency", target=three[0].fisma_id)
    assert list(System.objects.get(name="S2").depends_on.all()) == [three[0]]
    response = preview(client, three, action="dependency", target="NOPE-1")
    assert "No system you can see has the FISMA system ID" in client.get(response.url).content.decode()


def test_viewers_get_no_checkboxes(client, victor, alice, three):
    client.force_login(victor)
    assert 'name="ids"' not in client.get(reverse("inventory:system-list")).content.decode()
    client.force_login(alice)
    assert client.get(reverse("inventory:system-list")).content.decode().count('name="ids"') == 3
