"""Split a problem into independent subproblems.

Two items interact only through a precedence or a shared resource, so the
connected components of that relation can be solved separately (the app fans
them out to Celery workers) and their schedules simply put side by side.
"""

from planner.engine.model import Problem


def independent_parts(problem: Problem) -> list[Problem]:
    """The connected components, largest first; one part when nothing splits."""
    parent = list(range(len(problem.items)))
    index = {item.id: position for position, item in enumerate(problem.items)}
    first_user: dict[str, int] = {}
    for position, item in enumerate(problem.items):
        for predecessor in item.predecessors:
            _join(parent, position, index[predecessor])
        for resource, amount in item.demands.items():
            if amount > 0 and item.duration > 0:
                _join(parent, position, first_user.setdefault(resource, position))
    groups: dict[int, list[int]] = {}
    for position in range(len(problem.items)):
        groups.setdefault(_root(parent, position), []).append(position)
    parts = [_part(problem, members) for members in groups.values()]
    parts.sort(key=lambda part: -len(part.items))
    return parts


def _part(problem: Problem, members: list[int]) -> Problem:
    items = tuple(problem.items[position] for position in members)
    used = {name for item in items for name in item.demands}
    resources = tuple(resource for resource in problem.resources if resource.name in used)
    return Problem(items, resources, problem.horizon)


def _root(parent: list[int], position: int) -> int:
    while parent[position] != position:
        parent[position] = parent[parent[position]]
        position = parent[position]
    return position


def _join(parent: list[int], first: int, second: int) -> None:
    first_root, second_root = _root(parent, first), _root(parent, second)
    if first_root != second_root:
        parent[max(first_root, second_root)] = min(first_root, second_root)
