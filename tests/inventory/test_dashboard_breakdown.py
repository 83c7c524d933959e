"""The dashboard's per-agency breakdown: systems, % removed or verified, overdue, at risk,
per department (components included) and component, sortable, in a constant number of queries;
and its overdue list orders systems due the same day by criticality."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from procurement.inventory import selectors
from procurement.inventory.enums import Criticality, SystemStatus
from procurement.inventory.models import System
from tests.factories import AgencyFactory, SystemFactory

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    noon = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=False):
        yield


def system(agency, directive, status=SystemStatus.IDENTIFIED, due_in=None, **fields):
    created = SystemFactory(agency=agency, directive=directive, **fields)
    created.status = status
    if due_in is not None:
        created.removal_deadline = TODAY + datetime.timedelta(days=due_in)
    created.save()
    return created


def breakdown(client, directive, **params):
    response = client.get(reverse("inventory:directive-dashboard", args=[directive.pk]), params)
    assert response.status_code == 200
    return response.context["agency_breakdown"]


def figures(tally) -> tuple:
    return (tally.agency.abbreviation, tally.systems, tally.done_percent, tally.overdue, tally.at_risk)


def test_departments_count_their_components_and_components_are_listed(client, olga, agency_a, component_a, directive):
    other_component = AgencyFactory(name="Bureau of the Fiscal Service", abbreviation="BFS", parent=agency_a)
    system(agency_a, directive, SystemStatus.VERIFIED, due_in=-5)  # done: not overdue
    system(component_a, directive, due_in=-1)  # overdue
    system(component_a, directive, due_in=0)  # due today: at risk, not overdue
    system(component_a, directive, SystemStatus.CUT_OVER, due_in=3)  # cut over: not at risk
    system(other_component, directive, SystemStatus.MIGRATING, due_in=29)  # at risk
    system(other_component, directive, due_in=30)  # beyond the window
    client.force_login(olga)
    [treasury] = breakdown(client, directive).departments
    assert figures(treasury) == ("TREAS", 6, 16, 1, 2)
    assert [figures(component) for component in treasury.components] == [
        ("IRS", 3, 0, 1, 1),  # sorted by overdue, most first
        ("BFS", 2, 0, 0, 1),
    ]


def test_sortable_both_ways_with_ties_by_name(client, olga, agency_a, agency_b, component_a, directive):
    system(agency_b, directive, due_in=-3)
    system(agency_b, directive, due_in=-3)
    system(component_a, directive, due_in=-3)
    client.force_login(olga)
    names = lambda result: [tally.agency.abbreviation for tally in result.departments]  # noqa: E731
    assert names(breakdown(client, directive)) == ["DOD", "TREAS"]  # most overdue first by default
    assert names(breakdown(client, directive, sort="overdue")) == ["TREAS", "DOD"]
    assert names(breakdown(client, directive, sort="-agency")) == ["TREAS", "DOD"]
    assert names(breakdown(client, directive, sort="agency")) == ["DOD", "TREAS"]
    assert breakdown(client, directive, sort="'; DROP").sort == "-overdue"  # unknown: the default


def test_only_what_the_user_may_see(client, alice, agency_b, component_a, directive):
    system(agency_b, directive, due_in=-3)
    system(component_a, directive, due_in=-3)
    client.force_login(alice)
    result = breakdown(client, directive)
    assert [figures(tally) for tally in result.departments] == [("TREAS", 1, 0, 1, 0)]
    page = client.get(reverse("inventory:directive-dashboard", args=[directive.pk])).content.decode()
    assert "Department of Defense" not in page


@pytest.mark.parametrize("agencies", [2, 12])
def test_dashboard_queries_do_not_grow_with_agencies(client, olga, directive, agencies, django_assert_max_num_queries):
    for number in range(agencies):
        department = AgencyFactory()
        system(AgencyFactory(parent=department), directive, due_in=number - 5)
    client.force_login(olga)
    with django_assert_max_num_queries(12):
        assert len(breakdown(client, directive).departments) == agencies


def test_overdue_ties_are_ordered_by_criticality(client, olga, component_a, directive):
    for name, criticality in [
        ("A low", Criticality.LOW),
        ("B high", Criticality.HIGH),
        ("C moderate", Criticality.MODERATE),
    ]:
        system(component_a, directive, due_in=-10, name=name, criticality=criticality)
    system(component_a, directive, due_in=-20, name="Z oldest", criticality=Criticality.LOW)
    client.force_login(olga)
    response = client.get(reverse("inventory:directive-dashboard", args=[directive.pk]))
    assert [overdue.name for overdue in response.context["overdue"]] == ["Z oldest", "B high", "C moderate", "A low"]


def plan_on_postgresql(queryset) -> str:
    """PostgreSQL's plan for `queryset` when it may not scan the table or sort: an index must serve it.

    Bitmap scans are off too: on a test's few rows the planner otherwise sometimes combined
    another index's bitmap with a hash instead (a tie in cost that the suite's earlier tests
    tip through the statistics they leave).
    """
    if connection.vendor != "postgresql":
        pytest.skip("the dashboard's indexes are PostgreSQL's (inventory migration 0006)")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        return queryset.explain()


def test_most_overdue_walks_its_index_without_sorting(olga, directive):
    """The index's CASE must be the one `choice_rank` writes, or PostgreSQL sorts every overdue system."""
    systems = System.objects.for_user(olga).filter(directive=directive)
    plan = plan_on_postgresql(selectors.most_overdue(systems, TODAY))
    assert "system_overdue_order_idx" in plan
    assert "Sort" not in plan


def test_dashboard_groups_read_their_index_alone(olga, directive):
    systems = System.objects.for_user(olga).filter(directive=directive)
    plan = plan_on_postgresql(selectors.system_group_counts(systems))
    assert "Index Only Scan using system_dashboard_idx" in plan
