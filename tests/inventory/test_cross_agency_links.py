"""Links between agencies' systems: each user sees and edits only their side of them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.inventory.enums import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def linked(system_a, system_b, contract_a, agency_a, agency_b):
    """A user of both agencies links Treasury's system and contract to a Defense system."""
    both = UserFactory(username="maria")
    MembershipFactory(user=both, agency=agency_a, role=Role.EDITOR)
    MembershipFactory(user=both, agency=agency_b, role=Role.EDITOR)
    system_a.depends_on.add(system_b)
    contract_a.systems.add(system_b)
    return system_a


def export(client, url_name, **params) -> str:
    response = client.get(reverse(url_name), {"export": "csv", **params})
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_lists_and_exports_do_not_name_hidden_systems(client, alice, linked, system_b):
    client.force_login(alice)
    assert system_b.fisma_id not in export(client, "inventory:system-list", columns=["name", "fisma_id", "depends_on"])
    assert system_b.fisma_id not in export(client, "inventory:contract-list")
    assert system_b.fisma_id not in client.get(reverse("inventory:system-edit", args=[linked.pk])).content.decode()


def test_saving_the_form_keeps_links_the_user_cannot_see(client, alice, linked, system_b, contract_a):
    client.force_login(alice)
    form = client.get(reverse("inventory:system-edit", args=[linked.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["covered_products"] = []
    response = client.post(reverse("inventory:system-edit", args=[linked.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert list(linked.depends_on.all()) == [system_b]
    contract_form = client.get(reverse("inventory:contract-edit", args=[contract_a.pk])).context["form"]
    contract_data = {name: value for name, value in contract_form.initial.items() if value is not None}
    assert client.post(reverse("inventory:contract-edit", args=[contract_a.pk]), contract_data).status_code == 302
    assert system_b in contract_a.systems.all()


def test_import_round_trip_keeps_links_the_user_cannot_see(client, alice, linked, system_b):
    client.force_login(alice)
    content = export(client, "inventory:system-list", columns=["name", "fisma_id", "agency", "criticality", "network",
                                                     "dependency_kind", "depends_on", "owner_name"])  # fmt: skip
    content = content.replace("Taxpayer chat assistant", "Taxpayer chat assistant v2")
    response = client.post(reverse("inventory:import-upload", args=["systems"]),
                           {"file": SimpleUploadedFile("s.csv", content.encode())})  # fmt: skip
    assert client.get(response.url).context["result"].problems == []
    client.post(response.url)
    linked.refresh_from_db()
    assert linked.name == "Taxpayer chat assistant v2"
    assert list(linked.depends_on.all()) == [system_b]


def test_the_system_page_does_not_list_hidden_links(client, alice, linked, system_b, contract_a):
    client.force_login(alice)
    response = client.get(reverse("inventory:system-detail", args=[linked.pk]))
    assert list(response.context["depends_on"]) == []
    body = response.content.decode()
    assert system_b.fisma_id not in body and system_b.name not in body
    client.force_login(UserFactory(username="olga", is_oversight=True))  # oversight sees the link
    assert system_b.fisma_id in client.get(reverse("inventory:system-detail", args=[linked.pk])).content.decode()
