"""The oversight view: oversight reads every agency, agency users their own; constant queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.compliance import services
from procurement.inventory.services import system_transition
from tests.factories import AgencyFactory, SystemFactory


def departments(client):
    return {row.department.abbreviation: row for row in client.get(reverse("compliance:oversight")).context["rows"]}


def test_oversight_reads_every_agency(client, olga, system_a, system_b):
    client.force_login(olga)
    rows = departments(client)
    assert set(rows) == {"TREAS", "DOD"}
    assert rows["TREAS"].total == 1 and rows["TREAS"].reporting_units == 2  # the department and IRS


def test_an_agency_user_reads_only_their_own(client, alice, bob, system_a, system_b):
    client.force_login(alice)
    assert set(departments(client)) == {"TREAS"}
    client.force_login(bob)
    page = client.get(reverse("compliance:oversight")).content.decode()
    assert "Department of the Treasury" not in page


def test_figures_signed_reports_and_burndown(client, olga, directive, lena, component_a, system_a, ivy):
    SystemFactory(agency=component_a, directive=directive)
    for status in ("assessed", "plan_approved", "migrating", "cut_over", "removed"):
        system_transition(user=lena, system=system_a, to_status=status)
    report = services.status_report_generate(directive=directive, agency=component_a, number=1)
    services.status_report_sign(user=ivy, report=report, version=report.version)
    client.force_login(olga)
    row = departments(client)["TREAS"]
    assert row.total == 2 and row.removed == 1 and row.percent_removed == 50.0
    assert row.signed_units == 1
    assert row.burndown[0].remaining == 2 and row.burndown[-1].remaining in (1, -1)
    page = client.get(reverse("compliance:oversight")).content.decode()
    assert 'role="img"' in page and "Straight line" in page  # the chart and its data table


def oversight_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("compliance:oversight")).status_code == 200
    return len(queries)


def add_departments(directive, count: int) -> None:
    for _ in range(count):
        component = AgencyFactory(parent=AgencyFactory())
        SystemFactory(agency=component, directive=directive)
        SystemFactory(agency=component.parent, directive=directive)


def test_the_number_of_queries_does_not_grow_with_agencies(client, olga, directive, system_a):
    client.force_login(olga)
    add_departments(directive, 1)
    client.get(reverse("compliance:oversight"))  # the session's first reads
    few = oversight_queries(client)
    add_departments(directive, 6)
    assert oversight_queries(client) == few
