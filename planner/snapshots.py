"""Engine problems and part results as JSON, for the plan's input snapshot and its parts."""

from __future__ import annotations

from planner.engine import Problem, Resource, Result, WorkItem


def problem_to_json(problem: Problem) -> dict:
    return {
        "resources": [[r.name, r.capacity, [list(step) for step in r.capacity_changes]] for r in problem.resources],
        "items": [
            {
                "id": item.id,
                "duration": item.duration,
                "demands": item.demands,
                "predecessors": list(item.predecessors),
                "deadline": item.deadline,
                "weight": item.weight,
                "blocked": [list(period) for period in item.blocked_periods],
            }
            for item in problem.items
        ],
    }


def problem_from_json(data: dict, item_ids: set[str] | None = None) -> Problem:
    """The stored problem, or only the items in `item_ids` and the resources they use."""
    items = tuple(
        WorkItem(
            id=entry["id"],
            duration=entry["duration"],
            demands=entry["demands"],
            predecessors=tuple(entry["predecessors"]),
            deadline=entry["deadline"],
            weight=entry["weight"],
            blocked_periods=tuple(tuple(period) for period in entry["blocked"]),
        )
        for entry in data["items"]
        if item_ids is None or entry["id"] in item_ids
    )
    used = {name for item in items for name in item.demands}
    resources = tuple(
        Resource(name, capacity, tuple(tuple(step) for step in changes))
        for name, capacity, changes in data["resources"]
        if name in used
    )
    return Problem(items, resources)


def result_to_json(result: Result) -> dict:
    return {
        "status": str(result.status),
        "message": result.message,
        "starts": result.starts(),
        "weighted_tardiness": result.weighted_tardiness,
        "lower_bound": result.lower_bound,
        "tardiness_lower_bound": result.tardiness_lower_bound,
        "makespan_lower_bound": result.makespan_lower_bound,
        "gap": result.gap,
        "seconds": result.seconds,
        "late_items": sum(1 for entry in result.schedule.values() if entry.lateness > 0),
        "late_reasons": [
            {"item": reason.item_id, "chain": list(reason.chain), "resource": reason.binding_resource}
            for reason in result.late_reasons
        ],
    }
