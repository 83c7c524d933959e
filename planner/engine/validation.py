"""Reject a problem the engine cannot schedule, naming the offending item."""

from collections.abc import Iterable

from planner.engine.model import Problem, Resource, WorkItem


class ProblemError(ValueError):
    """A problem that is malformed; `issues` lists every defect found."""

    def __init__(self, issues: list[str]) -> None:
        super().__init__("; ".join(issues))
        self.issues = issues


def validate(problem: Problem) -> None:
    """Raise ProblemError listing every defect, or return quietly."""
    resources = {resource.name: resource for resource in problem.resources}
    issues = [
        *_duplicate_names("resource", (resource.name for resource in problem.resources)),
        *_duplicate_names("work item", (item.id for item in problem.items)),
        *(issue for resource in problem.resources for issue in _resource_issues(resource)),
    ]
    known_items = {item.id for item in problem.items}
    for item in problem.items:
        issues.extend(_item_issues(item, resources, known_items))
    if not issues:
        issues.extend(_cycle_issues(problem.items))
    if problem.horizon is not None and problem.horizon < 0:
        issues.append(f"horizon {problem.horizon} is negative")
    if issues:
        raise ProblemError(issues)


def _duplicate_names(kind: str, names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    issues = []
    for name in names:
        if name in seen:
            issues.append(f"{kind} {name!r} is defined more than once")
        seen.add(name)
    return issues


def _resource_issues(resource: Resource) -> list[str]:
    issues = []
    for unit, capacity in resource.steps():
        if not isinstance(capacity, int) or capacity < 0:
            issues.append(f"resource {resource.name!r} has capacity {capacity!r} at unit {unit}")
        if not isinstance(unit, int) or unit < 0:
            issues.append(f"resource {resource.name!r} has a capacity change at unit {unit!r}")
    return issues


def _item_issues(item: WorkItem, resources: dict[str, Resource], known_items: set[str]) -> list[str]:
    name = f"work item {item.id!r}"
    issues = []
    if item.duration is None:
        issues.append(f"{name} has no duration")
    elif not isinstance(item.duration, int) or item.duration < 0:
        issues.append(f"{name} has a negative or non-integer duration {item.duration!r}")
    if item.release < 0:
        issues.append(f"{name} has a negative release {item.release}")
    if item.weight < 0:
        issues.append(f"{name} has a negative weight {item.weight}")
    issues.extend(_reference_issues(item, name, resources, known_items))
    issues.extend(_period_issues(item, name))
    return issues


def _reference_issues(item: WorkItem, name: str, resources: dict[str, Resource], known_items: set[str]) -> list[str]:
    issues = []
    for predecessor in item.predecessors:
        if predecessor not in known_items:
            issues.append(f"{name} depends on unknown work item {predecessor!r}")
        elif predecessor == item.id:
            issues.append(f"{name} depends on itself")
    for resource_name, demand in item.demands.items():
        resource = resources.get(resource_name)
        if resource is None:
            issues.append(f"{name} demands unknown resource {resource_name!r}")
        elif demand < 0:
            issues.append(f"{name} demands a negative amount {demand} of {resource_name!r}")
        elif demand > resource.peak_capacity():
            issues.append(
                f"{name} demands {demand} of {resource_name!r}, more than its capacity {resource.peak_capacity()}"
            )
    return issues


def _period_issues(item: WorkItem, name: str) -> list[str]:
    return [
        f"{name} has an empty or reversed blocked period [{start}, {end})"
        for start, end in item.blocked_periods
        if start >= end
    ]


def _cycle_issues(items: tuple[WorkItem, ...]) -> list[str]:
    cycle = find_cycle(items)
    if cycle is None:
        return []
    return ["precedence cycle: " + " -> ".join(cycle)]


def find_cycle(items: tuple[WorkItem, ...]) -> list[str] | None:
    """A precedence cycle as item ids (first repeated at the end), or None."""
    remaining = _items_left_after_topological_peel(items)
    if not remaining:
        return None
    predecessors = {item.id: [p for p in item.predecessors if p in remaining] for item in items}
    # Every item left by the peel has a predecessor that is also left, so walking
    # predecessors must revisit an item: the walk from there on is a cycle.
    path: list[str] = []
    position: dict[str, int] = {}
    current = min(remaining)
    while current not in position:
        position[current] = len(path)
        path.append(current)
        current = predecessors[current][0]
    cycle = path[position[current] :]
    cycle.reverse()
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    return [*cycle, cycle[0]]


def _items_left_after_topological_peel(items: tuple[WorkItem, ...]) -> set[str]:
    waiting = {item.id: len(set(item.predecessors)) for item in items}
    successors: dict[str, list[str]] = {item.id: [] for item in items}
    for item in items:
        for predecessor in set(item.predecessors):
            successors[predecessor].append(item.id)
    ready = [item_id for item_id, count in waiting.items() if count == 0]
    while ready:
        for successor in successors[ready.pop()]:
            waiting[successor] -= 1
            if waiting[successor] == 0:
                ready.append(successor)
    return {item_id for item_id, count in waiting.items() if count > 0}
