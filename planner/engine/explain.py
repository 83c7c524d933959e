"""Say why a late item is late: its critical chain and the binding resource.

Walking back from the late item, each step asks why the current item could
not start one unit earlier: a predecessor finishing exactly at its start (a
precedence), a resource too full in the unit before (capacity; the chain
continues through an item on that resource finishing right then), a blocked
period, or its release date. The walk stops at the first item that started
as early as its release allows.

Each item's step is worked out once and shared by every late item whose walk
passes through it, and a walk reports at most CHAIN_LIMIT items (the ones
nearest the late item): on a plan whose systems queue for one team, every
late item's full chain runs back through most of the plan, and a full chain
per late item made explaining (and storing) it quadratic in the plan's size.
"""

from collections.abc import Callable
from dataclasses import dataclass

from planner.engine.evaluation import lateness
from planner.engine.model import LateReason
from planner.engine.network import Network
from planner.engine.profile import CapacityProfile

CHAIN_LIMIT = 50
"""The most items one late item's chain reports, counted back from the late item."""


@dataclass(frozen=True)
class _Step:
    previous: int | None
    resource: int | None
    cause: str


def explain_lateness(network: Network, starts: list[int]) -> list[LateReason]:
    late_items = [item for item in range(network.size) if lateness(network, item, starts[item]) > 0]
    if not late_items:
        return []
    usage = _usage(network, starts)
    steps: dict[int, _Step] = {}

    finishing = _finishing_by_unit_and_resource(network, starts)

    def step_of(item: int) -> _Step:
        if item not in steps:
            steps[item] = _why_not_earlier(network, starts, usage, finishing, item)
        return steps[item]

    return [_explain(network, starts, step_of, item) for item in late_items]


def _finishing_by_unit_and_resource(network: Network, starts: list[int]) -> dict[tuple[int, int], list[int]]:
    """The items that free each resource at each unit: keyed by both, since on a department of
    100,000 steps hundreds finish in each unit and most of them on other teams."""
    finishing: dict[tuple[int, int], list[int]] = {}
    for item, start in enumerate(starts):
        for resource, _ in network.demands[item]:
            finishing.setdefault((start + network.durations[item], resource), []).append(item)
    return finishing


def _usage(network: Network, starts: list[int]) -> CapacityProfile:
    """Remaining capacity after the schedule, per resource and unit."""
    end = max([network.horizon] + [start + duration for start, duration in zip(starts, network.durations, strict=True)])
    profile = CapacityProfile.from_steps(network.capacity_steps, end + 1)
    for item, start in enumerate(starts):
        profile.reserve(network.demands[item], start, network.durations[item])
    return profile


def _explain(network: Network, starts: list[int], step_of: Callable[[int], _Step], late_item: int) -> LateReason:
    chain = [late_item]
    binding: int | None = None
    cause = "release"
    seen = {late_item}
    current = late_item
    while True:
        step = step_of(current)
        cause = step.cause
        if binding is None and step.resource is not None:
            binding = step.resource
        if step.previous is None or step.previous in seen:
            break
        if len(chain) >= CHAIN_LIMIT:
            cause = "chain limit"
            break
        seen.add(step.previous)
        chain.append(step.previous)
        current = step.previous
    chain.reverse()
    resource_name = None if binding is None else network.resource_names[binding]
    return LateReason(
        item_id=network.ids[late_item],
        lateness=lateness(network, late_item, starts[late_item]),
        chain=tuple(network.ids[item] for item in chain),
        binding_resource=resource_name,
        explanation=_sentence(network, chain, resource_name, cause),
    )


def _why_not_earlier(
    network: Network,
    starts: list[int],
    usage: CapacityProfile,
    finishing: dict[tuple[int, int], list[int]],
    item: int,
) -> _Step:
    start = starts[item]
    if start <= network.releases[item]:
        return _Step(None, None, "release")
    for predecessor in network.predecessors[item]:
        if starts[predecessor] + network.durations[predecessor] == start:
            return _Step(predecessor, None, "precedence")
    if any(first < start <= last + 1 for first, last in _blocked_starts(network, item)):
        return _Step(None, None, "blocked period")
    resource = _full_resource(network, usage, item, start - 1)
    if resource is None:
        return _Step(None, None, "not forced")
    return _Step(_finishing_user(network, finishing, item, resource, start), resource, "capacity")


def _blocked_starts(network: Network, item: int) -> list[tuple[int, int]]:
    duration = network.durations[item]
    return [(begin - duration + 1, end - 1) for begin, end in network.blocked_periods[item]]


def _full_resource(network: Network, usage: CapacityProfile, item: int, unit: int) -> int | None:
    """A resource without room for the item in `unit`, the one unit before its start.

    Only that unit matters: starting one unit earlier frees the last unit of
    the item's own run and needs this one.
    """
    for resource, amount in network.demands[item]:
        if usage.rows[resource][unit] < amount:
            return resource
    return None


def _finishing_user(
    network: Network, finishing: dict[tuple[int, int], list[int]], item: int, resource: int, unit: int
) -> int | None:
    """The longest-running item on the resource that frees it exactly at `unit`."""
    candidates = [other for other in finishing.get((unit, resource), []) if other != item]
    return max(candidates, key=lambda other: (network.durations[other], -other), default=None)


def _sentence(network: Network, chain: list[int], resource_name: str | None, cause: str) -> str:
    names = " -> ".join(network.ids[item] for item in chain)
    earlier = " (and earlier ones)" if cause == "chain limit" else ""
    if resource_name is not None:
        return f"held back by the capacity of {resource_name!r} along {names}{earlier}"
    if earlier:
        return f"held back by its chain of predecessors {names}{earlier}"
    return f"held back by its chain of predecessors {names} (starts at its {cause})"
