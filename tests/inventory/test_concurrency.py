"""Two people editing the same record never silently undo each other's work (issue 7, item 4)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from procurement.inventory.enums import Role, SystemStatus
from procurement.inventory.models import Contract, StatusChange, System
from procurement.inventory.services import EditConflict, SystemWrite, system_bulk_save, system_save
from tests.factories import MembershipFactory, SystemFactory, UserFactory


@pytest.fixture
def carol(agency_a):
    """A second editor of agency A."""
    user = UserFactory(username="carol")
    MembershipFactory(user=user, agency=agency_a, role=Role.EDITOR)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened_form(client, url) -> dict:
    """The form as the browser got it: every value it would post back."""
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["covered_products"] = [product.pk for product in data.get("covered_products", [])]
    return data


def test_a_stale_system_form_shows_the_conflict_and_loses_nothing(alice, carol, system_a):
    url = reverse("inventory:system-edit", args=[system_a.pk])
    alice_client, carol_client = signed_in(alice), signed_in(carol)
    alices_form, carols_form = opened_form(alice_client, url), opened_form(carol_client, url)

    assert alice_client.post(url, {**alices_form, "owner_name": "Ann Owner"}).status_code == 302
    response = carol_client.post(url, {**carols_form, "criticality": "high"})

    assert response.status_code == 409
    body = response.content.decode()
    assert "changed while you edited it" in body and "alice saved" in body
    assert "system owner" in body and "Ann Owner" in body  # what alice changed, named
    system_a.refresh_from_db()
    assert (system_a.owner_name, system_a.criticality) == ("Ann Owner", "moderate")  # alice's kept, carol's not yet

    # The re-apply form holds alice's change and carol's own: saving it loses neither.
    reapply = response.context["form"]
    assert reapply["owner_name"].value() == "Ann Owner" and reapply["criticality"].value() == "high"
    again = carol_client.post(url, reapply.data)
    assert again.status_code == 302, again.context["form"].errors
    system_a.refresh_from_db()
    assert (system_a.owner_name, system_a.criticality) == ("Ann Owner", "high")


def test_the_same_field_changed_by_both_is_marked(alice, carol, system_a):
    url = reverse("inventory:system-edit", args=[system_a.pk])
    alice_client, carol_client = signed_in(alice), signed_in(carol)
    alices_form, carols_form = opened_form(alice_client, url), opened_form(carol_client, url)
    alice_client.post(url, {**alices_form, "name": "Alice's name"})
    response = carol_client.post(url, {**carols_form, "name": "Carol's name"})
    assert response.status_code == 409
    assert "Someone else changed this too" in " ".join(response.context["form"].errors["name"])
    assert System.objects.get(pk=system_a.pk).name == "Alice's name"


def test_a_status_change_meanwhile_is_no_conflict_for_the_form(alice, carol, system_a):
    """The form does not carry the status, so saving it cannot undo a status change."""
    url = reverse("inventory:system-edit", args=[system_a.pk])
    carols_form = opened_form(signed_in(carol), url)
    signed_in(alice).post(reverse("inventory:system-transition", args=[system_a.pk]), {"to_status": "assessed"})
    assert signed_in(carol).post(url, {**carols_form, "criticality": "low"}).status_code == 302
    system_a.refresh_from_db()
    assert (system_a.status, system_a.criticality) == ("assessed", "low")


def test_a_stale_contract_form_shows_the_conflict(alice, carol, contract_a):
    url = reverse("inventory:contract-edit", args=[contract_a.pk])
    alice_client, carol_client = signed_in(alice), signed_in(carol)
    alices_form, carols_form = opened_form(alice_client, url), opened_form(carol_client, url)
    assert alice_client.post(url, {**alices_form, "vehicle": "GSA MAS"}).status_code == 302
    response = carol_client.post(url, {**carols_form, "contracting_officer": "Dana CO"})
    assert response.status_code == 409 and "GSA MAS" in response.content.decode()
    assert Contract.objects.get(pk=contract_a.pk).contracting_officer == ""
    assert carol_client.post(url, response.context["form"].data).status_code == 302
    contract_a.refresh_from_db()
    assert (contract_a.vehicle, contract_a.contracting_officer) == ("GSA MAS", "Dana CO")


def test_a_stale_status_change_is_not_recorded(alice, carol, system_a):
    url = reverse("inventory:system-transition", args=[system_a.pk])
    page = signed_in(carol).get(system_a.get_absolute_url())
    carols_step = {**page.context["advance_form"].initial, "note": "Scanned the code"}
    assert signed_in(alice).post(url, {"to_status": "assessed", "expected_status": "identified"}).status_code == 302
    # carol's page still offers Identified → Assessed; the system is Assessed by now
    response = signed_in(carol).post(url, carols_step)
    assert response.status_code == 409
    assert "alice moved" in response.content.decode()
    # Her note is kept; from Assessed an editor is offered only the step back (plan approval is a lead's).
    assert response.context["back_form"].initial["note"] == "Scanned the code"
    assert "Next step: Plan approved" in response.content.decode()
    assert StatusChange.objects.count() == 1
    assert System.objects.get(pk=system_a.pk).status == SystemStatus.ASSESSED


def test_bulk_writes_carry_the_version_they_showed(alice, carol, system_a):
    shown = system_a.version
    system_a.name = "Renamed by carol"
    system_save(user=carol, system=system_a)
    stale = System.objects.get(pk=system_a.pk)
    stale.criticality = "high"
    with pytest.raises(EditConflict, match=stale.fisma_id):
        system_bulk_save(user=alice, writes=[SystemWrite(stale, expected_version=shown)])
    assert System.objects.get(pk=system_a.pk).criticality == "moderate"


HEADERS = "FISMA system ID,Name,Agency,Criticality,Network,Dependency kind\n"


def test_import_confirm_reports_a_row_changed_since_the_preview(alice, carol, system_a, component_a, directive):
    client = signed_in(alice)
    content = HEADERS + f"{system_a.fisma_id},{system_a.name},IRS,High,unclassified,Direct API\n"
    content += "IRS-0100,New system,IRS,Low,unclassified,Direct API\n"
    upload = client.post(reverse("inventory:import-upload", args=["systems"]),
                         {"file": SimpleUploadedFile("s.csv", content.encode())})  # fmt: skip
    assert client.get(upload.url).context["result"].updates == 1  # the preview alice saw

    fresh = System.objects.get(pk=system_a.pk)
    fresh.owner_name = "Carol's owner"
    system_save(user=carol, system=fresh)

    confirm = client.post(upload.url, follow=True)
    body = confirm.content.decode()
    assert "Nothing was imported" in body and "changed by carol after your preview" in body
    assert "Carol&#x27;s owner" in body or "Carol's owner" in body
    assert not System.objects.filter(fisma_id="IRS-0100").exists()
    system_a.refresh_from_db()
    assert (system_a.criticality, system_a.owner_name) == ("moderate", "Carol's owner")

    # Having seen the new preview, confirming applies the file over carol's edit of another field.
    client.post(upload.url)
    system_a.refresh_from_db()
    assert (system_a.criticality, system_a.owner_name) == ("high", "Carol's owner")
    assert System.objects.filter(fisma_id="IRS-0100").exists()


def test_import_confirm_reports_a_record_added_since_the_preview(alice, carol, component_a, directive):
    client = signed_in(alice)
    content = HEADERS + "IRS-0100,From the file,IRS,Low,unclassified,Direct API\n"
    upload = client.post(reverse("inventory:import-upload", args=["systems"]),
                         {"file": SimpleUploadedFile("s.csv", content.encode())})  # fmt: skip
    assert client.get(upload.url).context["result"].creates == 1
    SystemFactory(agency=component_a, directive=directive, fisma_id="IRS-0100", name="Added by carol")
    body = client.post(upload.url, follow=True).content.decode()
    assert "was added by someone else after your preview" in body
    assert System.objects.get(fisma_id="IRS-0100").name == "Added by carol"
