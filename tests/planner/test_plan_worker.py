"""Plans run by a real Celery worker process on the real broker (Redis with REDIS_URL, else the
file broker), from the test database, on a queue of its own."""

import os
import uuid

import pytest
from django.urls import reverse

from planner.enums import PlanState
from planner.models import Plan
from tests.core.test_exports_worker import Worker, running, test_database_url
from tests.factories import SystemFactory
from tests.planner.checks import assert_plan_holds

pytestmark = pytest.mark.django_db(transaction=True)
PLAN_SECONDS = 180


@pytest.fixture(scope="module")
def planner_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("planner-worker")
    found = Worker(queue=f"planner-test-{uuid.uuid4().hex[:12]}", export_dir=folder, log=folder / "log")
    with django_db_blocker.unblock():
        # Its own queue is the planner's: it loads the engine's kernels as it starts, as a real one does.
        environment = {**os.environ, "DATABASE_URL": test_database_url(), "PLANNER_CELERY_QUEUE": found.queue}
    with running(found, environment):
        yield found


@pytest.fixture
def worker(settings, planner_worker) -> Worker:
    settings.PLANNER_CELERY_QUEUE = planner_worker.queue
    return planner_worker


def state_of(plan_id: int) -> str:
    return Plan.objects.get(pk=plan_id).state


def test_the_worker_solves_parts_in_parallel_tasks_and_joins_them(
    client, lena, agency_a, component_a, directive, teams_a, worker
):
    """IRS and Treasury headquarters have teams of their own: two independent parts, two tasks."""
    from planner.models import Team

    for kind in ("engineers", "contracting", "assessors"):
        Team.objects.create(agency=component_a, kind=kind, name=f"IRS {kind}", head_count=2)
    for number in range(4):
        SystemFactory(agency=component_a, directive=directive, fisma_id=f"IRS-{number}")
        SystemFactory(agency=agency_a, directive=directive, fisma_id=f"TREAS-{number}")
    client.force_login(lena)
    client.post(reverse("planner:plan-run"), {"agency": agency_a.pk, "time_limit_seconds": 10})
    plan = Plan.objects.get()

    def finished():
        response = client.get(reverse("planner:plan-progress", args=[plan.pk]))
        return response.content.decode() if response.status_code == 286 else None

    worker.wait_for(finished, PLAN_SECONDS)
    plan.refresh_from_db()
    assert plan.state == PlanState.DONE, plan.message
    assert plan.parts_total == 2 and plan.parts_done == 2
    assert plan.system_count == 8
    assert_plan_holds(plan)
    assert "planner.tasks.plan_part_solve" in worker.log_text()


def test_cancel_while_the_worker_solves(client, lena, agency_a, component_a, directive, teams_a, worker):
    for number in range(30):
        SystemFactory(agency=component_a, directive=directive, fisma_id=f"IRS-{number}")
    client.force_login(lena)
    runs_finished_before = worker.log_text().count(" succeeded in ")
    client.post(reverse("planner:plan-run"), {"agency": agency_a.pk, "time_limit_seconds": 10})
    plan = Plan.objects.get()
    # The part is claimed: the worker is solving it when the run is cancelled.
    worker.wait_for(lambda: plan.parts.filter(state=PlanState.RUNNING).exists(), PLAN_SECONDS)
    client.post(reverse("planner:plan-cancel", args=[plan.pk]))
    assert state_of(plan.pk) == PlanState.CANCELLED
    # The task solves the one part itself and then joins: wait until it has returned.
    worker.wait_for(lambda: worker.log_text().count(" succeeded in ") > runs_finished_before, PLAN_SECONDS)
    plan.refresh_from_db()
    assert plan.state == PlanState.CANCELLED and not plan.steps.exists() and not plan.systems.exists()
