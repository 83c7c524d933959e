"""Pages render for the people who may see them, with their data and nothing more."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from procurement.inventory.enums import SystemStatus
from procurement.inventory.models import StatusChange, System


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC), tick=False)
def test_dashboard_counts_only_own_agency(alice_client, system_a, system_b, directive):
    response = alice_client.get(reverse("inventory:directive-dashboard", args=[directive.pk]))
    assert response.status_code == 200
    assert response.context["total"] == 1
    assert response.context["overdue_count"] == 1
    assert system_a.name in response.content.decode()
    assert system_b.name not in response.content.decode()


def test_home_redirects_to_the_directive_dashboard(alice_client, directive):
    response = alice_client.get(reverse("inventory:home"))
    assert response.url == reverse("inventory:directive-dashboard", args=[directive.pk])


def test_system_list_filters_and_shows_chosen_columns(alice_client, system_a, component_a, directive):
    from tests.factories import SystemFactory

    SystemFactory(agency=component_a, directive=directive, name="Payroll bot", criticality="high")
    response = alice_client.get(
        reverse("inventory:system-list"), {"criticality": "high", "columns": ["name", "owner_email"]}
    )
    body = response.content.decode()
    assert "Payroll bot" in body and system_a.name not in body
    assert response.context["table"].visible_column_names() == ["name", "owner_email"]


def test_system_detail_shows_history_and_links(alice_client, system_a, contract_a):
    response = alice_client.get(system_a.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert contract_a.contract_number in body
    assert "Change history" in body


def test_create_system_derives_deadline_and_records_history(alice_client, component_a, directive, system_a):
    response = alice_client.post(
        reverse("inventory:system-create"),
        {
            "name": "Grants summarizer",
            "fisma_id": "IRS-0100",
            "agency": component_a.pk,
            "directive": directive.pk,
            "criticality": "low",
            "network": "unclassified",
            "dependency_kind": "cloud_platform",
            "user_count": "12",
            "identification_method": "code_scan",
            "depends_on_ids": system_a.fisma_id,
        },
    )
    system = System.objects.get(fisma_id="IRS-0100")
    assert response.url == system.get_absolute_url()
    assert system.removal_deadline == directive.issued_on
    assert list(system.depends_on.all()) == [system_a]
    assert system.history.first().history_user.username == "alice"


def test_form_shows_field_errors(alice_client, component_a, directive):
    response = alice_client.post(
        reverse("inventory:system-create"), {"name": "", "fisma_id": "bad id!", "agency": component_a.pk}
    )
    form = response.context["form"]
    assert "fisma_id" in form.errors and "name" in form.errors
    body = response.content.decode()
    assert 'aria-describedby="id_fisma_id_error"' in body  # the input names its error message
    assert '<span class="usa-error-message" id="id_fisma_id_error">' in body


def test_depends_on_unknown_system_is_a_field_error(alice_client, system_a, system_b):
    response = alice_client.post(
        reverse("inventory:system-edit", args=[system_a.pk]),
        {"depends_on_ids": f"{system_b.fisma_id}, NOPE-1"},
    )
    errors = response.context["form"].errors["depends_on_ids"][0]
    assert system_b.fisma_id in errors and "NOPE-1" in errors  # another agency's system is not visible


def test_transition_through_the_page(alice_client, system_a):
    response = alice_client.post(
        reverse("inventory:system-transition", args=[system_a.pk]), {"to_status": "assessed", "note": "Checked"}
    )
    assert response.url == system_a.get_absolute_url()
    assert StatusChange.objects.get().note == "Checked"
    system_a.refresh_from_db()
    assert system_a.status == SystemStatus.ASSESSED


def test_refused_transition_shows_message(alice_client, system_a):
    response = alice_client.post(
        reverse("inventory:system-transition", args=[system_a.pk]), {"to_status": "verified"}, follow=True
    )
    assert "cannot go from Identified to Verified" in response.content.decode()


def test_oversight_reads_every_agency_and_changes_nothing(client, olga, system_a, system_b):
    client.force_login(olga)
    body = client.get(reverse("inventory:system-list")).content.decode()
    assert system_a.name in body and system_b.name in body
    assert client.get(reverse("inventory:system-edit", args=[system_a.pk])).status_code == 403
    assert client.get(reverse("inventory:system-create")).status_code == 403


def test_contract_pages(alice_client, contract_a, system_a):
    assert contract_a.contract_number in alice_client.get(reverse("inventory:contract-list")).content.decode()
    response = alice_client.post(
        reverse("inventory:contract-edit", args=[contract_a.pk]),
        {
            "contract_number": contract_a.contract_number,
            "agency": contract_a.agency_id,
            "vendor_name": "Covered AI Inc.",
            "vendor_uei": "bad",
            "system_ids": system_a.fisma_id,
        },
    )
    assert "vendor_uei" in response.context["form"].errors


def test_change_history_lists_old_and_new_values(alice_client, system_a, alice):
    from procurement.inventory.selectors import FieldChange
    from procurement.inventory.services import system_save

    system_a.criticality = "high"
    system_save(user=alice, system=system_a)
    alice_client.post(reverse("inventory:system-transition", args=[system_a.pk]), {"to_status": "assessed"})
    history = alice_client.get(system_a.get_absolute_url()).context["history"]
    changes = [change for entry in history for change in entry.changes]
    assert FieldChange("mission criticality (FIPS 199)", "Moderate", "High") in changes
    assert FieldChange("status", "Identified", "Assessed") in changes


def test_invalid_filter_shows_and_exports_nothing(client, bob, agency_a, system_b):
    client.force_login(bob)
    params = {"agency": agency_a.pk}  # not an agency bob can see: the filter is invalid
    assert list(client.get(reverse("inventory:system-list"), params).context["table"].data) == []
    exported = b"".join(client.get(reverse("inventory:system-list"), {**params, "export": "csv"}).streaming_content)
    assert system_b.fisma_id.encode() not in exported


def test_sorting_always_ends_with_the_id(alice_client, system_a):
    table = alice_client.get(reverse("inventory:system-list"), {"sort": "status"}).context["table"]
    assert table.data.data.query.order_by[-1] == "pk"


def test_agency_filter_includes_components_at_every_depth(alice_client, agency_a, component_a, directive):
    from tests.factories import AgencyFactory, SystemFactory

    office = AgencyFactory(name="IRS Office of Chief Counsel", abbreviation="IRS-CC", parent=component_a)
    deep = SystemFactory(agency=office, directive=directive, name="Counsel research assistant")
    table = alice_client.get(reverse("inventory:system-list"), {"agency": agency_a.pk}).context["table"]
    assert deep in list(table.data)


def test_a_system_that_depends_on_itself_gets_its_own_message(alice_client, system_a):
    response = alice_client.post(
        reverse("inventory:system-edit", args=[system_a.pk]), {"depends_on_ids": system_a.fisma_id}
    )
    assert response.context["form"].errors["depends_on_ids"] == ["A system cannot depend on itself."]
