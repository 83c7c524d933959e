"""Celery tasks of the planner: thin, each loads by id and calls one service."""

from __future__ import annotations

from celery import current_app, shared_task

from planner import services


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
