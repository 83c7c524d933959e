"""A re-plan that leaves the previous plan where leaving it costs no tardiness.

Decoding the previous plan's order (the heuristic's first rule on a re-plan) keeps every
item that started before the first change, but behind a longer step on a fully booked
team it shifts most later items by a day each: on the 1,000-system benchmark a doubled
build early in the plan moved 42 % of the other systems' steps, 90 % of them by one day.

Two answers that move fewer items are tried here, and kept only when their weighted
tardiness is no higher than the schedule they replace (plus a tolerance the caller may
allow: a re-plan ends by trading up to that share of tardiness for fewer moved dates,
as a transition lead would rather not re-announce hundreds of dates to gain 1 %):

- kept: every item stays at its previous start where precedences and capacity still
  allow it; the items that cannot (the changed system's, and those its longer step now
  overlaps) are placed at their earliest fit, taking the room of items whose deadline is
  far enough away (at least a margin of units of slack; each margin is one candidate) or
  that no deadline waits for, which then go to their own earliest fit after;
- put back: each moved item returns to its previous start when that is free, keeps every
  precedence, and makes neither it later past its deadline nor the plan longer.
"""

import copy
import time
from collections.abc import Sequence

import numpy as np

from planner.engine.heuristic import _activity_list, _due_latest_start
from planner.engine.network import Network
from planner.engine.sgs import INT, SgsArrays, earliest_fit, forward_schedule, sgs_arrays, weighted_tardiness_of

SLACK_MARGINS = (100, 150, 250, 350, 450)
"""Units of slack to its deadline an item needs before another may take its room, one
candidate each (on the benchmark the best was 100 for one change and 150 for another)."""
PUT_BACK_PASSES = 10
CLOCK_EVERY = 256
"""Items placed (or put back) between two readings of the clock."""
NO_DEADLINE = np.iinfo(np.int64).max // 4


def steadier_schedule(
    network: Network, starts: list[int], previous: dict[int, int], deadline: float, tolerance: float = 0.0
) -> list[int]:
    """`starts`, or a schedule moving fewer items from `previous` with no more weighted tardiness
    than `starts` has, plus `tolerance` of it (0.02: up to 2 % more, to keep people's dates)."""
    arrays = sgs_arrays(network)
    best = np.array(starts, dtype=INT)
    tardiness = weighted_tardiness_of(arrays, best)
    allowed = tardiness + int(tolerance * tardiness)
    hinted = np.zeros(network.size, dtype=bool)
    hinted[list(previous)] = True
    previous_starts = np.array([previous.get(item, network.heads[item]) for item in range(network.size)], dtype=INT)
    if _moved(best, previous_starts, hinted) == 0:
        return starts
    unchanged = _Kept(network, arrays, previous_starts, hinted, deadline)
    for margin in SLACK_MARGINS:
        if time.monotonic() > deadline:
            break
        kept = copy.deepcopy(unchanged).repaired(margin)
        if kept is None or weighted_tardiness_of(arrays, kept) > allowed:
            continue
        if _moved(kept, previous_starts, hinted) < _moved(best, previous_starts, hinted):
            best = kept
    best = _put_back(network, arrays, best, previous_starts, hinted, deadline)
    return [int(start) for start in best]


def _moved(starts: np.ndarray, previous_starts: np.ndarray, hinted: np.ndarray) -> int:
    return int(np.count_nonzero((starts != previous_starts) & hinted))


class _Kept:
    """The previous plan with the items that no longer fit there placed again (see the module)."""

    def __init__(
        self, network: Network, arrays: SgsArrays, previous_starts: np.ndarray, hinted: np.ndarray, deadline: float
    ) -> None:
        self.network, self.arrays = network, arrays
        self.previous_starts, self.hinted, self.deadline = previous_starts, hinted, deadline
        # Free capacity, and free capacity counting the room of movable items as free (of any, and
        # of those no deadline waits for): kept up to date by every change, since summing them per
        # placement costs teams times horizon each time, minutes on a department of 100,000 steps.
        self.capacity = arrays.capacity.copy()
        self.with_movable = arrays.capacity.copy()
        self.with_unhurried = arrays.capacity.copy()
        self.starts = np.full(network.size, -1, dtype=INT)
        due = np.array([min(latest, NO_DEADLINE) for latest in _due_latest_start(network)], dtype=INT)
        self.due, self.unhurried = due, due >= NO_DEADLINE
        self.users = [np.nonzero(arrays.demands[:, resource])[0] for resource in range(arrays.capacity.shape[0])]
        self.movable = np.zeros(network.size, dtype=bool)
        self.ejected: list[tuple[int, int]] = []
        order = _activity_list(network, [float(start) for start in previous_starts])
        self.displaced = [item for item in order if not self._keep(item)]

    def __deepcopy__(self, memo: dict) -> "_Kept":
        """A copy of the changing state only; the problem's arrays are shared."""
        copied = copy.copy(self)
        for name in ("capacity", "with_movable", "with_unhurried", "starts", "movable"):
            setattr(copied, name, getattr(self, name).copy())
        copied.ejected = []
        return copied

    def repaired(self, margin: int) -> np.ndarray | None:
        """The displaced items placed, items with `margin` units of slack or more moved out of their way;
        None when that cannot be done, or not by the deadline."""
        for item in np.nonzero(self.starts >= 0)[0]:
            if self.unhurried[item] or self.due[item] - self.starts[item] >= margin:
                self._mark_movable(item, True)
        for placed, item in enumerate(self.displaced):  # an item no deadline waits for takes no one's room
            if self._past_deadline(placed):
                return None
            if not self._place(item, not_before=0, move=not self.unhurried[item], only_unhurried=False):
                return None
        while self.ejected:  # in their previous order; they move only items no deadline waits for
            batch = sorted(self.ejected, key=lambda entry: (entry[1], self.arrays.topological_rank[entry[0]]))
            self.ejected = []
            for placed, (item, was) in enumerate(batch):
                if self._past_deadline(placed):
                    return None
                if not self._place(item, not_before=was, move=not self.unhurried[item], only_unhurried=True):
                    return None
        return _legal(self.network, self.arrays, self.starts)

    def _past_deadline(self, placed: int) -> bool:
        return placed % CLOCK_EVERY == 0 and time.monotonic() > self.deadline

    def _keep(self, item: int) -> bool:
        """Place the item at its previous start if everything still allows it there."""
        start, duration = int(self.previous_starts[item]), int(self.arrays.durations[item])
        network = self.network
        if not self.hinted[item] or start < network.releases[item]:
            return False
        for predecessor in network.predecessors[item]:
            if self.starts[predecessor] < 0 or self.starts[predecessor] + network.durations[predecessor] > start:
                return False
        if any(start < end and begin < start + duration for begin, end in network.blocked_periods[item]):
            return False
        if not self._fits(item, start, self.capacity):
            return False
        self._reserve(item, start)
        return True

    def _fits(self, item: int, start: int, capacity: np.ndarray) -> bool:
        window = capacity[:, start : start + int(self.arrays.durations[item])]
        demand = self.arrays.demands[item]
        return bool(np.all(window >= demand[:, None]))

    def _place(self, item: int, not_before: int, move: bool, only_unhurried: bool) -> bool:
        """At the earliest fit; with `move`, counting the room of movable items as free and moving them out."""
        network, arrays = self.network, self.arrays
        earliest = max([network.releases[item], not_before])
        earliest = max([earliest] + [self.starts[p] + network.durations[p] for p in network.predecessors[item]])
        room = self.capacity
        if move:
            room = self.with_unhurried if only_unhurried else self.with_movable
        pointers = arrays.blocked_pointers
        start = earliest_fit(
            room,
            arrays.demands[item],
            int(arrays.durations[item]),
            earliest,
            arrays.forbidden_first,
            arrays.forbidden_last,
            pointers[item],
            pointers[item + 1],
        )
        if start < 0:
            return False
        if move:
            self._make_room(item, start, only_unhurried)
        self._reserve(item, start)
        return True

    def _make_room(self, item: int, start: int, only_unhurried: bool) -> None:
        """Moves out movable items (and what follows them) overlapping the item until it fits."""
        duration, demands = int(self.arrays.durations[item]), self.arrays.demands
        for resource in np.nonzero(demands[item])[0]:
            if self._fits_on(resource, item, start):
                continue
            users = self.users[resource]  # the items on this team only: a department has dozens of teams
            starts, finishes = self.starts[users], self.starts[users] + self.arrays.durations[users]
            overlapping = self.movable[users] & (starts < start + duration) & (finishes > start)
            if only_unhurried:
                overlapping &= self.unhurried[users]
            # Items no deadline waits for first, then the most slack.
            candidates = sorted(users[overlapping], key=lambda other: (not self.unhurried[other], -self.due[other]))
            for other in candidates:
                if self._fits_on(resource, item, start):
                    break
                if self.starts[other] >= 0:
                    self._eject_with_successors(other)

    def _fits_on(self, resource: int, item: int, start: int) -> bool:
        window = self.capacity[resource, start : start + int(self.arrays.durations[item])]
        return bool(np.all(window >= self.arrays.demands[item, resource]))

    def _eject_with_successors(self, item: int) -> None:
        stack = [item]
        while stack:
            current = stack.pop()
            if self.starts[current] < 0:
                continue
            was = int(self.starts[current])
            self._release(current)
            self.ejected.append((current, was))
            stack.extend(self.network.successors[current])

    def _reserve(self, item: int, start: int) -> None:
        self.starts[item] = start
        self._change_capacity(item, -1)

    def _release(self, item: int) -> None:
        self._mark_movable(item, False)
        self._change_capacity(item, 1)
        self.starts[item] = -1

    def _change_capacity(self, item: int, sign: int) -> None:
        """The item's demand taken from (-1) or given back to (1) the free capacity over its run."""
        window = slice(int(self.starts[item]), int(self.starts[item] + self.arrays.durations[item]))
        change = sign * self.arrays.demands[item][:, None]
        for room in (self.capacity, self.with_movable, self.with_unhurried):
            room[:, window] += change

    def _mark_movable(self, item: int, movable: bool) -> None:
        if self.movable[item] == movable:
            return
        self.movable[item] = movable
        window = slice(int(self.starts[item]), int(self.starts[item] + self.arrays.durations[item]))
        change = self.arrays.demands[item][:, None] * (1 if movable else -1)
        self.with_movable[:, window] += change
        if self.unhurried[item]:
            self.with_unhurried[:, window] += change


def _legal(network: Network, arrays: SgsArrays, tentative: np.ndarray) -> np.ndarray | None:
    """`tentative` decoded in its own order, no item before its tentative start: unchanged when it
    already holds every precedence and capacity, pushed later where it does not."""
    order = _activity_list(network, [float(start) for start in tentative])
    starts = np.empty(network.size, dtype=INT)
    floors = arrays._replace(releases=np.maximum(arrays.releases, tentative))
    return starts if forward_schedule(floors, order, starts) else None


def _put_back(
    network: Network,
    arrays: SgsArrays,
    starts: np.ndarray,
    previous_starts: np.ndarray,
    hinted: np.ndarray,
    deadline: float,
) -> np.ndarray:
    """Each moved item back at its previous start where that costs nothing (see the module), until
    the deadline: every item put back keeps the schedule legal, so stopping anywhere is safe."""
    starts = starts.copy()
    capacity = arrays.capacity.copy()
    for item in range(network.size):
        capacity[:, starts[item] : starts[item] + arrays.durations[item]] -= arrays.demands[item][:, None]
    makespan = int(np.max(starts + arrays.durations)) if network.size else 0
    for _ in range(PUT_BACK_PASSES):
        moved = np.nonzero((starts != previous_starts) & hinted)[0]
        returned = 0
        for tried, item in enumerate(sorted(moved, key=lambda item: previous_starts[item])):
            if tried % CLOCK_EVERY == 0 and time.monotonic() > deadline:
                return starts
            if _may_return(network, starts, int(previous_starts[item]), item, makespan):
                returned += _return_if_free(arrays, capacity, starts, item, int(previous_starts[item]))
        if not returned:
            break
    return starts


def _may_return(network: Network, starts: Sequence[int], start: int, item: int, makespan: int) -> bool:
    duration, current = network.durations[item], starts[item]
    if start < network.releases[item] or start + duration > makespan:
        return False
    if any(starts[p] + network.durations[p] > start for p in network.predecessors[item]):
        return False
    if any(starts[successor] < start + duration for successor in network.successors[item]):
        return False
    deadline = network.deadlines[item]
    if deadline is not None and start > current and start + duration > deadline:
        return False  # later and late: that costs tardiness
    return not any(start < end and begin < start + duration for begin, end in network.blocked_periods[item])


def _return_if_free(arrays: SgsArrays, capacity: np.ndarray, starts: np.ndarray, item: int, start: int) -> int:
    duration, demand = int(arrays.durations[item]), arrays.demands[item][:, None]
    current = int(starts[item])
    capacity[:, current : current + duration] += demand
    if np.all(capacity[:, start : start + duration] >= demand):
        starts[item] = start
        capacity[:, start : start + duration] -= demand
        return 1
    capacity[:, current : current + duration] -= demand
    return 0
