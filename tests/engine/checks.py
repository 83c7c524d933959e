"""An independent check of a returned schedule, written without engine code."""

from planner.engine.model import ItemSchedule, Problem, Resource, Result, Status


def capacity_at(resource: Resource, unit: int) -> int:
    capacity = resource.capacity
    for change_unit, change_capacity in sorted(resource.capacity_changes):
        if change_unit <= unit:
            capacity = change_capacity
    return capacity


def assert_schedule_valid(problem: Problem, result: Result) -> None:
    """Every precedence, capacity, release, blocked period and horizon holds."""
    schedule = result.schedule
    assert set(schedule) == {item.id for item in problem.items}
    for item in problem.items:
        entry = schedule[item.id]
        assert entry.finish == entry.start + item.duration
        assert entry.start >= item.release, f"{item.id} starts before its release"
        for predecessor in item.predecessors:
            assert schedule[predecessor].finish <= entry.start, f"{predecessor} -> {item.id} violated"
        for blocked_start, blocked_end in item.blocked_periods:
            overlaps = entry.start < blocked_end and entry.finish > blocked_start
            assert not (overlaps and item.duration > 0), f"{item.id} runs in blocked period"
        if problem.horizon is not None:
            assert entry.finish <= problem.horizon
    _assert_capacities(problem, result)


def _assert_capacities(problem: Problem, result: Result) -> None:
    end = max((entry.finish for entry in result.schedule.values()), default=0)
    for resource in problem.resources:
        for unit in range(end):
            used = sum(
                item.demands.get(resource.name, 0)
                for item in problem.items
                if result.schedule[item.id].start <= unit < result.schedule[item.id].finish
            )
            assert used <= capacity_at(resource, unit), f"{resource.name} overloaded at {unit}"


def recomputed_lateness(problem: Problem, result: Result) -> dict[str, int]:
    lateness = {}
    for item in problem.items:
        finish = result.schedule[item.id].finish
        lateness[item.id] = 0 if item.deadline is None else max(0, finish - item.deadline)
    return lateness


def result_of(problem: Problem, starts: list[int]) -> Result:
    """A schedule given as start times (in item order), in the shape the checks above read."""
    schedule = {
        item.id: ItemSchedule(item.id, start, start + item.duration, 0)
        for item, start in zip(problem.items, starts, strict=True)
    }
    return Result(Status.FEASIBLE, schedule, None, None, 0, None, 0.0)
