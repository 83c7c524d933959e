"""What an agency lead's planning pages cost: the same number of queries for a small plan and a
plan several table pages long (and for a plan with what-ifs beside it), and long tables paged
the way the project's lists are, whatever the query string asks."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planner import scenarios, services
from planner.adjustments import Adjustments, TeamIncrease
from planner.load import team_load
from planner.models import Plan
from procurement.inventory.enums import DependencyKind
from tests.factories import SystemFactory
from tests.planner.checks import plan_urls

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
ROW = re.compile(r"<tr><td>")  # a body row of a PhaseoutTable (the header row has <th>s)


def run(user, agency) -> Plan:
    plan = services.plan_request(user=user, agency=agency, time_limit_seconds=2, queue=False, starts_on=MONDAY)
    return services.plan_run_now(plan.pk)


def what_if(user, base, team, extra) -> Plan:
    changes = Adjustments(team_increases=(TeamIncrease(team.pk, extra, MONDAY),))
    scenario = scenarios.scenario_request(user=user, base=base, adjustments=changes, queue=False)
    return services.plan_run_now(scenario.pk)


def add_systems(component, directive, count: int, first: int) -> None:
    for number in range(first, first + count):
        SystemFactory(
            agency=component,
            directive=directive,
            fisma_id=f"IRS-{number:03d}",
            dependency_kind=[DependencyKind.DIRECT_API, DependencyKind.CLOUD_PLATFORM][number % 2],
        )


def queries_per_page(client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        client.get(url)  # once first: the session's own writes are not the page's
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code in (200, 286), (name, response.status_code)
        counts[name] = len(queries)
    return counts


def test_every_plan_page_reads_as_many_queries_for_3_systems_as_for_24(
    client, lena, agency_a, component_a, directive, teams_a
):
    client.force_login(lena)
    add_systems(component_a, directive, 3, 1)
    small_plan = run(lena, agency_a)
    small = queries_per_page(client, plan_urls(small_plan))
    add_systems(component_a, directive, 21, 4)
    large_plan = run(lena, agency_a)
    assert large_plan.item_count > 100, "the larger plan's schedule should need a second page"
    large = queries_per_page(client, plan_urls(large_plan))
    assert small == large


def test_the_what_if_page_reads_as_many_queries_with_three_scenarios_as_with_none(
    client, lena, agency_a, component_a, directive, teams_a
):
    add_systems(component_a, directive, 4, 1)
    base = run(lena, agency_a)
    client.force_login(lena)
    assert client.post(reverse("planner:plan-baseline", args=[base.pk])).status_code == 302
    later = run(lena, agency_a)  # the page then compares the baseline, this plan and its what-ifs
    url = {"scenarios": reverse("planner:plan-scenarios", args=[later.pk])}
    alone = queries_per_page(client, url)
    for extra in (1, 2, 3):
        what_if(lena, later, teams_a["engineers"], extra)
    beside_three = queries_per_page(client, url)
    assert alone == beside_three
    page = client.get(url["scenarios"]).content.decode()
    assert page.count("What-if") >= 3 and "Treasury engineers: " in page  # each column's team peaks


def body_rows(response) -> int:
    return len(ROW.findall(response.content.decode()))


def test_long_tables_are_paged_at_the_lists_sizes_whatever_the_query_asks(
    client, lena, agency_a, component_a, directive, teams_a
):
    add_systems(component_a, directive, 20, 1)
    plan = run(lena, agency_a)
    assert plan.item_count > 100
    client.force_login(lena)
    url = reverse("planner:plan-detail", args=[plan.pk])
    assert body_rows(client.get(url)) == 100  # the default
    assert body_rows(client.get(url, {"per_page": 25})) == 25
    assert body_rows(client.get(url, {"per_page": 100000})) == 100  # not a size the lists offer
    assert body_rows(client.get(url, {"per_page": 7})) == 100
    last_page = plan.item_count - 100 * ((plan.item_count - 1) // 100)
    for page in ("abc", "0", "99999999999999999999"):  # malformed or out of range: a real page
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        assert body_rows(response) in (100, last_page), page
    assert body_rows(client.get(url, {"page": 2})) == min(100, plan.item_count - 100)
    gantt = client.get(reverse("planner:plan-gantt", args=[plan.pk]), {"per_page": 25, "page": "x"})
    assert body_rows(gantt) == plan.system_count == 20


def test_the_schedule_table_says_what_the_steps_are(client, lena, agency_a, component_a, directive, teams_a):
    add_systems(component_a, directive, 2, 1)
    plan = run(lena, agency_a)
    client.force_login(lena)
    page = client.get(reverse("planner:plan-detail", args=[plan.pk]), {"per_page": 100}).content.decode()
    for step in plan.steps.select_related("system"):
        dates = f"<td>{step.starts_on.isoformat()}</td><td>{step.finishes_on.isoformat()}</td>"
        late = f"<td>{step.late_days}</td>" if step.late_days else "<td>—</td>"
        assert f"<td>{step.step_in_words}</td>" in page and dates + late in page, step


def test_the_load_page_has_a_bar_and_a_table_row_per_bucket(client, lena, agency_a, component_a, directive, teams_a):
    add_systems(component_a, directive, 3, 1)
    plan = run(lena, agency_a)
    client.force_login(lena)
    page = client.get(reverse("planner:plan-load", args=[plan.pk])).content.decode()
    for team in team_load(lena, plan):
        for bucket in team.buckets:
            day = bucket.starts_on.isoformat()
            assert f"<title>{day}: {bucket.demand} of {bucket.capacity} person-days</title>" in page
            row = (
                f'<tr><th scope="row">{day}</th><td class="text-right">{bucket.demand}</td>'
                f'<td class="text-right">{bucket.capacity}</td>'
            )
            assert row in page and f">{bucket.percent} %</td></tr>" in page
    assert page.count("<rect ") == sum(len(team.buckets) for team in team_load(lena, plan))
