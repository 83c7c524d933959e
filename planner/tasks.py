"""Celery tasks of the planner: thin, each loads by id and calls one service."""

from __future__ import annotations

import logging
import threading
import time

from celery import current_app, shared_task
from celery.signals import worker_process_init

from planner import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True)
def plan_run(self, plan_id: int) -> None:
    """Builds the plan's problem and fans its parts out to workers on this task's own queue."""
    try:
        part_ids = services.plan_start(plan_id)
    except Exception:
        services.plan_fail(plan_id, services.FAILED_MESSAGE)
        raise
    if len(part_ids) == 1:  # one part: solve it here rather than queue it
        plan_part_solve.run(part_ids[0])
        return
    queue = (self.request.delivery_info or {}).get("routing_key") or services.planner_queue()
    for part_id in part_ids:
        current_app.send_task(services.PART_TASK, args=[part_id], queue=queue)


@shared_task(acks_late=True)
def plan_part_solve(part_id: int) -> None:
    """Solves one part of a plan; the last part in stores the schedule."""
    try:
        services.plan_part_solve(part_id)
    except Exception:
        services.plan_part_fail(part_id)
        raise


@shared_task
def plans_stuck_fail() -> int:
    """Periodic (procurement/celery.py): runs whose worker died fail with a reason on their page."""
    return services.plans_stuck_fail()


@worker_process_init.connect
def engine_kernels_load(**kwargs) -> None:
    """A worker process that takes plan runs loads the engine's compiled kernels as it starts,
    so that its first plan searches for its whole time limit (planner/engine/kernels.py).

    In a thread: Celery stops a pool process that takes more than a few seconds to start,
    and the first load after an install compiles for longer. Workers on other queues only
    (exports, reminders) skip it and the 200 MB the engine takes.
    """
    if services.planner_queue() not in current_app.amqp.queues.consume_from:
        return
    threading.Thread(target=_engine_kernels_load, name="engine-kernels", daemon=True).start()


def _engine_kernels_load() -> None:
    started = time.monotonic()
    try:
        from planner.engine.kernels import load_kernels  # only workers import the engine

        load_kernels()
    except Exception:  # a plan then compiles what it needs itself, as before
        logger.exception("engine kernels not loaded")
        return
    logger.info(
        "engine kernels ready in %.1f s (the engine imported and its kernels loaded)", time.monotonic() - started
    )
