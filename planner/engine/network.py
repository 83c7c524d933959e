"""The problem in indexed form, shared by the heuristic, the models and the explainer.

Items are numbered 0..n-1 and resources 0..m-1 so the hot loops work on lists
of integers instead of dictionaries keyed by strings.
"""

from dataclasses import dataclass

from planner.engine.model import Period, Problem


@dataclass(frozen=True)
class Network:
    ids: list[str]
    durations: list[int]
    demands: list[list[tuple[int, int]]]
    """Per item: (resource index, amount) for every positive demand."""
    predecessors: list[list[int]]
    successors: list[list[int]]
    releases: list[int]
    deadlines: list[int | None]
    weights: list[int]
    blocked_periods: list[tuple[Period, ...]]
    resource_names: list[str]
    capacity_steps: list[list[tuple[int, int]]]
    horizon: int
    order: list[int]
    """A topological order of the items."""
    heads: list[int]
    """Earliest start from releases and precedences alone."""
    tails: list[int]
    """Longest duration chain from an item's start to the end of the project."""

    @property
    def size(self) -> int:
        return len(self.ids)

    def peak_capacity(self, resource: int) -> int:
        return max(capacity for _, capacity in self.capacity_steps[resource])

    def has_deadlines(self) -> bool:
        return any(deadline is not None for deadline in self.deadlines)

    def critical_path_bound(self) -> int:
        """Makespan lower bound from releases and precedences alone."""
        return max((head + tail for head, tail in zip(self.heads, self.tails, strict=True)), default=0)

    def tardiness_floor(self) -> int:
        """Weighted tardiness no schedule avoids: items that cannot finish in time even alone."""
        return sum(
            weight * max(0, head + duration - deadline)
            for head, duration, deadline, weight in zip(
                self.heads, self.durations, self.deadlines, self.weights, strict=True
            )
            if deadline is not None
        )

    def makespan_floor(self) -> int:
        """The critical path, or the resource energy over a constant capacity if larger."""
        floor = self.critical_path_bound()
        energy = [0] * len(self.resource_names)
        for item in range(self.size):
            for resource, amount in self.demands[item]:
                energy[resource] += amount * self.durations[item]
        for resource, steps in enumerate(self.capacity_steps):
            if len(steps) == 1 and steps[0][1] > 0:
                floor = max(floor, -(-energy[resource] // steps[0][1]))
        return floor


def build_network(problem: Problem) -> Network:
    """Index a validated problem."""
    ids = [item.id for item in problem.items]
    index = {item_id: position for position, item_id in enumerate(ids)}
    resource_index = {resource.name: position for position, resource in enumerate(problem.resources)}
    predecessors = [sorted({index[p] for p in item.predecessors}) for item in problem.items]
    successors: list[list[int]] = [[] for _ in ids]
    for item, item_predecessors in enumerate(predecessors):
        for predecessor in item_predecessors:
            successors[predecessor].append(item)
    durations = [item.duration for item in problem.items]
    releases = [item.release for item in problem.items]
    order = topological_order(predecessors, successors)
    heads = _heads(order, predecessors, durations, releases)
    return Network(
        ids=ids,
        durations=durations,
        demands=[
            sorted((resource_index[name], amount) for name, amount in item.demands.items() if amount > 0)
            for item in problem.items
        ],
        predecessors=predecessors,
        successors=successors,
        releases=releases,
        deadlines=[item.deadline for item in problem.items],
        weights=[item.weight for item in problem.items],
        blocked_periods=[tuple(sorted(item.blocked_periods)) for item in problem.items],
        resource_names=[resource.name for resource in problem.resources],
        capacity_steps=[resource.steps() for resource in problem.resources],
        horizon=problem.horizon if problem.horizon is not None else _safe_horizon(problem),
        order=order,
        heads=heads,
        tails=_tails(order, successors, durations),
    )


def _safe_horizon(problem: Problem) -> int:
    """A horizon by which a schedule exists if any does.

    After the last release, capacity change and blocked period, running the
    items one after another always fits when demands fit the final capacity.
    """
    settled = max(
        [0]
        + [item.release for item in problem.items]
        + [resource.last_change() for resource in problem.resources]
        + [end for item in problem.items for _, end in item.blocked_periods]
    )
    return settled + sum(item.duration for item in problem.items)


def topological_order(predecessors: list[list[int]], successors: list[list[int]]) -> list[int]:
    waiting = [len(item_predecessors) for item_predecessors in predecessors]
    ready = [item for item, count in enumerate(waiting) if count == 0]
    ready.reverse()
    order = []
    while ready:
        item = ready.pop()
        order.append(item)
        for successor in successors[item]:
            waiting[successor] -= 1
            if waiting[successor] == 0:
                ready.append(successor)
    return order


def _heads(order: list[int], predecessors: list[list[int]], durations: list[int], releases: list[int]) -> list[int]:
    heads = list(releases)
    for item in order:
        for predecessor in predecessors[item]:
            heads[item] = max(heads[item], heads[predecessor] + durations[predecessor])
    return heads


def _tails(order: list[int], successors: list[list[int]], durations: list[int]) -> list[int]:
    tails = list(durations)
    for item in reversed(order):
        for successor in successors[item]:
            tails[item] = max(tails[item], durations[item] + tails[successor])
    return tails
