"""Counts and dashboard figures are exact, and stay exact when they come from the cache.

The systems list and the dashboard reuse a figure while no system of the agencies the
user sees has changed (`inventory.counts`, kept by the triggers of migration 0007). These
tests commit for real (a transaction is rolled back, and inside one nothing is cached),
then change systems through the app's own paths and check the page's figures follow.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.inventory import counts
from procurement.inventory.enums import SystemStatus
from procurement.inventory.models import System, SystemChangeCounter
from procurement.inventory.services import system_transition
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_cache():
    counts.forget_figures()
    yield
    counts.forget_figures()


def shown_count(client, **params) -> tuple[str, int]:
    """The list's "Showing … of N systems" text, and how many COUNT queries the page ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("inventory:system-list"), params)
    assert response.status_code == 200
    body = response.content.decode()
    start = body.index('role="status"')
    status = body[body.index(">", start) + 1 : body.index("</p>", start)]
    counted = sum("COUNT(" in query["sql"] and "inventory_system" in query["sql"] for query in queries)
    return status, counted


def test_the_count_is_exact_and_counted_once_until_a_system_changes(client, alice, component_a, directive):
    systems = SystemFactory.create_batch(3, agency=component_a, directive=directive, criticality="high")
    client.force_login(alice)

    assert shown_count(client, criticality="high") == ("Showing 1–3 of 3 systems", 1)
    assert shown_count(client, criticality="high") == ("Showing 1–3 of 3 systems", 0)  # from the cache

    systems[0].criticality = "low"  # an edit through the ORM: the trigger sees every write path
    systems[0].save()
    assert shown_count(client, criticality="high") == ("Showing 1–2 of 2 systems", 1)

    SystemFactory(agency=component_a, directive=directive, criticality="high")
    assert shown_count(client, criticality="high")[0] == "Showing 1–3 of 3 systems"

    System.objects.filter(pk=systems[1].pk).delete()
    assert shown_count(client, criticality="high")[0] == "Showing 1–2 of 2 systems"


def test_a_bulk_update_and_a_workflow_step_change_the_count(client, alice, lena, component_a, directive):
    systems = SystemFactory.create_batch(4, agency=component_a, directive=directive)
    client.force_login(alice)
    assert shown_count(client, status="identified")[0] == "Showing 1–4 of 4 systems"

    System.objects.filter(pk__in=[systems[0].pk, systems[1].pk]).update(status=SystemStatus.ASSESSED)
    assert shown_count(client, status="identified")[0] == "Showing 1–2 of 2 systems"

    system_transition(user=lena, system=systems[2], to_status=SystemStatus.ASSESSED)
    assert shown_count(client, status="identified")[0] == "Showing 1–1 of 1 system"


def test_changes_in_an_agency_the_user_cannot_see_keep_the_cached_count(
    client, alice, component_a, agency_b, directive
):
    SystemFactory.create_batch(2, agency=component_a, directive=directive)
    client.force_login(alice)
    assert shown_count(client) == ("Showing 1–2 of 2 systems", 1)
    SystemFactory(agency=agency_b, directive=directive)  # DOD: not alice's
    assert shown_count(client) == ("Showing 1–2 of 2 systems", 0)


def test_a_system_moved_to_another_agency_leaves_the_old_agencys_count(client, alice, component_a, agency_b, directive):
    moved, _ = SystemFactory.create_batch(2, agency=component_a, directive=directive)
    client.force_login(alice)
    assert shown_count(client)[0] == "Showing 1–2 of 2 systems"
    System.objects.filter(pk=moved.pk).update(agency=agency_b)
    assert shown_count(client)[0] == "Showing 1–1 of 1 system"


def test_the_dashboard_figures_follow_an_edit(client, olga, component_a, directive):
    systems = SystemFactory.create_batch(3, agency=component_a, directive=directive)
    url = reverse("inventory:directive-dashboard", args=[directive.pk])
    client.force_login(olga)
    assert client.get(url).context["total"] == 3
    assert client.get(url).context["done"] == 0
    System.objects.filter(pk=systems[0].pk).update(status=SystemStatus.VERIFIED)
    response = client.get(url)
    assert (response.context["total"], response.context["done"]) == (3, 1)


def test_every_change_adds_to_its_agencys_counter(component_a, agency_b, directive):
    system = SystemFactory(agency=component_a, directive=directive)
    before_a, before_b = counts.systems_stamp({component_a.pk}), counts.systems_stamp({agency_b.pk})
    System.objects.filter(pk=system.pk).update(agency=agency_b)  # moved: both agencies' figures change
    moved_a, moved_b = counts.systems_stamp({component_a.pk}), counts.systems_stamp({agency_b.pk})
    assert moved_a > before_a and moved_b > before_b
    System.objects.filter(pk=system.pk).update(name="renamed")  # B's system only
    assert counts.systems_stamp({component_a.pk}) == moved_a
    assert counts.systems_stamp({agency_b.pk}) > moved_b
    assert SystemChangeCounter.objects.filter(agency_id=component_a.pk).exists()


def test_an_invalid_filter_shows_no_systems_outside_a_transaction(client, bob, agency_a, system_b):
    """An agency bob cannot see leaves the list empty (`.none()`), which has no SQL to key a cached count on."""
    client.force_login(bob)
    assert shown_count(client, agency=agency_a.pk) == ("No systems match these filters", 0)
