"""A run whose worker died does not stay "running" forever: the periodic task fails it with a
reason the page shows, and the agency's current plan stays as it was."""

import datetime

import pytest
from django.utils import timezone

from planner import selectors, services, tasks
from planner.enums import PlanState
from planner.models import Plan
from procurement.celery import BEAT_SCHEDULE

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
LIMIT = 2  # seconds of search


def request(user, agency) -> Plan:
    return services.plan_request(
        user=user, agency=agency, time_limit_seconds=LIMIT, queue=False, starts_on=MONDAY, warm_start=False
    )


def silent_for(plan: Plan, seconds: float) -> None:
    """As if the worker's last sign of progress was `seconds` ago."""
    Plan.objects.filter(pk=plan.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds))


def test_a_run_silent_past_its_limit_fails_and_the_previous_plan_stays(client, lena, agency_a, irs_systems):
    previous = services.plan_run_now(request(lena, agency_a).pk)
    stuck = request(lena, agency_a)
    part_ids = services.plan_start(stuck.pk)  # claimed and split, then its worker died
    margin = services.stuck_margin().total_seconds()
    silent_for(stuck, LIMIT + margin + 5)

    assert tasks.plans_stuck_fail() == 1
    stuck.refresh_from_db()
    assert stuck.state == PlanState.FAILED and "stopped making progress" in stuck.message
    assert selectors.current_plan(agency_a) == previous

    for part_id in part_ids:  # a worker that comes back late stores nothing
        services.plan_part_solve(part_id)
    stuck.refresh_from_db()
    assert stuck.state == PlanState.FAILED and not stuck.steps.exists()
    assert selectors.current_plan(agency_a) == previous

    client.force_login(lena)
    page = client.get(stuck.get_absolute_url()).content.decode()
    assert "stopped making progress" in page and "previous plan stays as it was" in page


def test_a_run_within_its_limit_and_margin_is_left_alone(lena, agency_a, irs_systems):
    running = request(lena, agency_a)
    services.plan_start(running.pk)
    silent_for(running, LIMIT + services.stuck_margin().total_seconds() - 30)
    assert services.plans_stuck_fail() == 0
    running.refresh_from_db()
    assert running.state == PlanState.RUNNING


def test_a_run_never_picked_up_fails_after_the_queue_limit(lena, agency_a, irs_systems):
    waiting, fresh = request(lena, agency_a), request(lena, agency_a)
    waited = services.queued_limit() + datetime.timedelta(minutes=1)
    Plan.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - waited)
    assert services.plans_stuck_fail() == 1
    waiting.refresh_from_db()
    fresh.refresh_from_db()
    assert waiting.state == PlanState.FAILED and "No worker picked this run up" in waiting.message
    assert fresh.state == PlanState.QUEUED


def test_the_sweep_is_on_the_beat_schedule():
    assert BEAT_SCHEDULE["fail-stuck-plans"]["task"] == tasks.plans_stuck_fail.name
