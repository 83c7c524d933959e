"""Cycle finding on the depends-on graph (plain Python, any hashable node keys)."""

from collections.abc import Hashable, Iterable, Mapping, Sequence

WHITE, GREY, BLACK = 0, 1, 2


def find_cycle(edges: Mapping[Hashable, Sequence[Hashable]], starts: Iterable[Hashable]) -> list | None:
    """A cycle reachable from `starts`, as a path [a, b, …, a], or None.

    Iterative depth-first search, so a long chain cannot exhaust the call stack.
    """
    colour: dict[Hashable, int] = {}
    for start in starts:
        if colour.get(start, WHITE) != WHITE:
            continue
        path, stack = [start], [iter(edges.get(start, ()))]
        colour[start] = GREY
        while stack:
            node = next(stack[-1], None)
            if node is None:
                colour[path.pop()] = BLACK
                stack.pop()
            elif colour.get(node, WHITE) == GREY:
                return path[path.index(node) :] + [node]
            elif colour.get(node, WHITE) == WHITE:
                colour[node] = GREY
                path.append(node)
                stack.append(iter(edges.get(node, ())))
    return None
