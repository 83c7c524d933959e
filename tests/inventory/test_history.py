"""A system's change history shows no more than its page: no hidden links, no other agency's past."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.inventory import selectors
from procurement.inventory.enums import AgencyType, DependencyKind
from procurement.inventory.services import ScopeRuleSpec, directive_revise, system_save, system_transition
from tests.factories import DEFAULT_RULES, ISSUED_ON, SystemFactory


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


# Issue 7, items 3 and 6 ---------------------------------------------------------------


def entries(client, system) -> list[tuple[str, str]]:
    """(what changed, source) of each history entry on the system's page, newest first."""
    response = client.get(reverse("inventory:system-detail", args=[system.pk]))
    return [
        ("; ".join(map(change_text, entry.changes)), entry.record.history_change_reason or "")
        for entry in response.context["history"]
    ]


def change_text(change) -> str:
    if change.added or change.removed:
        links = [f"+ {name}" for name in change.added] + [f"− {name}" for name in change.removed]
        return f"{change.field}: {', '.join(links)}"
    return f"{change.field}: {change.old} → {change.new}"


def test_links_are_named_by_fisma_id_and_name(client, alice, system_a, neighbour):
    system_save(user=alice, system=system_a, depends_on=[neighbour])
    client.force_login(alice)
    assert entries(client, system_a)[0][0] == "depends on: + IRS-0013 Tax Chat Assistant"
    assert "+ IRS-0013 Tax Chat Assistant" in client.get(system_a.get_absolute_url()).content.decode()


def test_a_save_that_changes_nothing_writes_nothing(alice, system_a, neighbour):
    system_save(user=alice, system=system_a, depends_on=[neighbour])
    records, version = system_a.history.count(), system_a.version
    system_save(user=alice, system=system_a, depends_on=[neighbour], covered_products=[])
    system_a.refresh_from_db()
    assert (system_a.history.count(), system_a.version) == (records, version)


def test_a_revision_that_moves_a_deadline_is_in_history_with_the_revision(client, alice, root, system_a, directive):
    directive_revise(directive=directive, user=root, effective_on=ISSUED_ON, summary="Civilian: 60 days",
                     rules=[ScopeRuleSpec(description="Civilian", removal_offset_days=60)])  # fmt: skip
    client.force_login(alice)
    what, source = entries(client, system_a)[0]
    assert "removal deadline: 2026-02-27 → 2026-04-28" in what
    assert source == "AI-2026-01 revision 2: Civilian: 60 days"
    page = client.get(system_a.get_absolute_url()).content.decode()
    assert "Deadline set by the rule “Civilian” (D+60) of AI-2026-01 revision 2." in page
    assert "Source: AI-2026-01 revision 2: Civilian: 60 days" in page


def test_a_revision_that_leaves_a_deadline_alone_writes_nothing(root, system_a, directive):
    records = system_a.history.count()
    directive_revise(directive=directive, user=root, effective_on=ISSUED_ON, summary="Same deadline",
                     rules=[ScopeRuleSpec(description="Everyone", removal_offset_days=0)])  # fmt: skip
    assert system_a.history.count() == records
    system_a.refresh_from_db()
    assert system_a.deadline_rule.description == "Everyone"  # the page names the rule in force


def test_an_agency_type_edit_moves_deadlines_in_history(client, alice, root, system_a, component_a):
    system_a.dependency_kind = DependencyKind.EMBEDDED
    system_save(user=alice, system=system_a)
    client.force_login(root)
    data = {"name": component_a.name, "abbreviation": "IRS", "parent": component_a.parent_id, "agency_type": "defense"}
    assert client.post(reverse("admin:inventory_agency_change", args=[component_a.pk]), data).status_code == 302
    system_a.refresh_from_db()
    assert system_a.removal_deadline == datetime.date(2026, 8, 27)
    client.force_login(alice)
    what, source = entries(client, system_a)[0]
    assert "removal deadline: 2026-02-27 → 2026-08-27" in what
    assert source == f"agency type of IRS: Civilian → {AgencyType.DEFENSE.label}"


@pytest.mark.parametrize(("field", "value"), [("dependency_kind", "embedded"), ("national_security_system", True)])
def test_an_edit_that_moves_the_deadline_shows_it(client, bob, agency_b, directive, field, value):
    directive_revise(directive=directive, user=None, effective_on=ISSUED_ON, summary="NSS get a year",
                     rules=[*DEFAULT_RULES, ScopeRuleSpec(description="NSS", removal_offset_days=365,
                                                          national_security_system=True)])  # fmt: skip
    system = SystemFactory(agency=agency_b, directive=directive)
    setattr(system, field, value)
    system_save(user=bob, system=system)
    client.force_login(bob)
    what, _ = entries(client, system)[0]
    assert "removal deadline: 2026-02-27 → 2026-08-27" in what or "removal deadline: 2026-02-27 → 2027-02-27" in what


def test_an_import_names_its_file_and_keeps_links_whole(client, alice, system_a, neighbour):
    system_save(user=alice, system=system_a, depends_on=[neighbour])
    client.force_login(alice)
    content = "FISMA system ID,Name,Agency,Criticality,Network,Dependency kind,Depends on\n"
    content += f"{system_a.fisma_id},Renamed,IRS,Moderate,unclassified,Direct API,{neighbour.fisma_id}\n"
    upload = client.post(reverse("inventory:import-upload", args=["systems"]),
                         {"file": SimpleUploadedFile("march.csv", content.encode())})  # fmt: skip
    client.post(upload.url)
    latest, before = entries(client, system_a)[:2]
    assert latest == ("name: Taxpayer chat assistant → Renamed", "import of march.csv")
    assert before == ("depends on: + IRS-0013 Tax Chat Assistant", "")
