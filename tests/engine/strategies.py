"""Hypothesis strategies for small random scheduling problems."""

from hypothesis import strategies as st

from planner.engine.model import Problem, Resource, WorkItem


@st.composite
def resources(draw: st.DrawFn, varying: bool) -> tuple[Resource, ...]:
    count = draw(st.integers(1, 3))
    made = []
    for number in range(count):
        capacity = draw(st.integers(1, 4))
        changes: tuple[tuple[int, int], ...] = ()
        if varying and draw(st.booleans()):
            unit = draw(st.integers(1, 8))
            changes = ((unit, draw(st.integers(0, capacity))), (unit + draw(st.integers(1, 5)), capacity))
        made.append(Resource(f"team{number}", capacity, changes))
    return tuple(made)


@st.composite
def problems(draw: st.DrawFn, rich: bool = True, max_items: int = 9) -> Problem:
    """A random acyclic problem; `rich` adds releases, deadlines, blocked periods and capacity changes."""
    pool = draw(resources(varying=rich))
    count = draw(st.integers(1, max_items))
    items = []
    for number in range(count):
        earlier = [f"w{other}" for other in range(number)]
        predecessors = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
        demands = {resource.name: draw(st.integers(0, resource.capacity)) for resource in pool if draw(st.booleans())}
        items.append(
            WorkItem(
                id=f"w{number}",
                duration=draw(st.integers(0 if rich else 1, 5)),
                demands=demands,
                predecessors=tuple(predecessors),
                release=draw(st.integers(0, 6)) if rich else 0,
                deadline=draw(st.none() | st.integers(1, 20)) if rich else None,
                weight=draw(st.integers(0, 3)) if rich else 1,
                blocked_periods=_blocked(draw) if rich else (),
            )
        )
    return Problem(tuple(items), pool)


def _blocked(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    if not draw(st.booleans()):
        return ()
    start = draw(st.integers(0, 10))
    return ((start, start + draw(st.integers(1, 4))),)
