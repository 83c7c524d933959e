"""Depends-on links must stay acyclic: the planner cannot schedule a system that waits on itself."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.core.graphs import find_cycle
from procurement.inventory.enums import Role
from procurement.inventory.services import system_save
from tests.factories import MembershipFactory, SystemFactory, UserFactory


def test_find_cycle():
    assert find_cycle({1: [2], 2: [3], 3: [1]}, [1]) == [1, 2, 3, 1]
    assert find_cycle({1: [1]}, [1]) == [1, 1]
    assert find_cycle({1: [2, 3], 2: [3], 3: []}, [1]) is None
    assert find_cycle({i: [i + 1] for i in range(100_000)}, [0]) is None  # no recursion limit


@pytest.fixture
def chain(component_a, directive):
    first, second, third = SystemFactory.create_batch(3, agency=component_a, directive=directive)
    second.depends_on.add(first)
    third.depends_on.add(second)
    return first, second, third


def test_form_refuses_a_cycle(client, alice, chain):
    first, second, third = chain
    with pytest.raises(ValidationError, match=f"{first.fisma_id} → {third.fisma_id} → {second.fisma_id}"):
        system_save(user=alice, system=first, depends_on=[third])
    with pytest.raises(ValidationError, match="^\\['A system cannot depend on itself.'\\]$"):
        system_save(user=alice, system=first, depends_on=[first])
    assert not first.depends_on.exists()


def test_cycle_through_another_agency_is_refused_without_naming_it(alice, agency_b, component_a, chain, system_b):
    first, second, _ = chain
    maria = UserFactory(username="maria")  # edits both agencies
    MembershipFactory(user=maria, agency=agency_b, role=Role.EDITOR)
    MembershipFactory(user=maria, agency=component_a, role=Role.EDITOR)
    system_save(user=maria, system=system_b, depends_on=[second])
    third = SystemFactory(agency=component_a, directive=second.directive)
    system_save(user=maria, system=third, depends_on=[system_b])
    with pytest.raises(ValidationError) as error:
        system_save(user=alice, system=first, depends_on=[third])
    message = str(error.value)
    assert f"{first.fisma_id} → {third.fisma_id} → (a system of another agency) → {second.fisma_id}" in message
    assert system_b.fisma_id not in message


def test_links_only_to_systems_the_user_can_see(alice, system_a, system_b):
    with pytest.raises(PermissionDenied):
        system_save(user=alice, system=system_a, depends_on=[system_b])


def test_import_preview_names_the_cycle_and_its_row(client, alice, chain):
    first, second, third = chain
    client.force_login(alice)
    headers = "FISMA system ID,Name,Agency,Criticality,Network,Dependency kind,Depends on\n"
    row = f"{first.fisma_id},{first.name},IRS,Moderate,unclassified,Direct API,{third.fisma_id}\n"
    response = client.post(
        reverse("inventory:import-upload", args=["systems"]),
        {"file": SimpleUploadedFile("s.csv", (headers + row).encode())},
    )
    problems = [str(problem) for problem in client.get(response.url).context["result"].problems]
    cycle = f"{first.fisma_id} → {third.fisma_id} → {second.fisma_id} → {first.fisma_id}"
    assert problems == [f"Row 2, column “Depends on”: Depends-on links would form a cycle: {cycle}."]
