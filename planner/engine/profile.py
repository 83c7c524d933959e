"""Remaining capacity per resource and unit, for the schedule generation scheme.

Plain lists beat numpy here: the windows checked are a few units long and
numpy's per-call overhead would dominate.
"""

from planner.engine.model import Period


class CapacityProfile:
    def __init__(self, capacity_rows: list[list[int]], horizon: int) -> None:
        self.rows = capacity_rows
        self.horizon = horizon

    def copy(self) -> "CapacityProfile":
        return CapacityProfile([list(row) for row in self.rows], self.horizon)

    @classmethod
    def from_steps(cls, capacity_steps: list[list[tuple[int, int]]], horizon: int) -> "CapacityProfile":
        return cls([_expand(steps, horizon) for steps in capacity_steps], horizon)

    def mirrored(self, around: int) -> "CapacityProfile":
        """The profile seen backwards from unit `around`, for right-justifying."""
        rows = []
        for row in self.rows:
            before = row[:around]
            before.reverse()
            rows.append(before + [row[0] if row else 0] * (self.horizon - around))
        return CapacityProfile(rows, self.horizon)

    def earliest_fit(
        self, demands: list[tuple[int, int]], duration: int, earliest: int, forbidden: list[Period]
    ) -> int | None:
        """The first start >= earliest where the item fits, or None before the horizon."""
        start = earliest
        while start + duration <= self.horizon:
            moved = _skip_forbidden(start, forbidden)
            if moved == start:
                moved = self._skip_overload(demands, duration, start)
            if moved == start:
                return start
            start = moved
        return None

    def _skip_overload(self, demands: list[tuple[int, int]], duration: int, start: int) -> int:
        """`start` if the window fits, else the unit after its last overloaded unit."""
        end = start + duration
        for resource, amount in demands:
            window = self.rows[resource][start:end]
            if min(window, default=amount) >= amount:
                continue
            for offset in range(duration - 1, -1, -1):
                if window[offset] < amount:
                    return start + offset + 1
        return start

    def reserve(self, demands: list[tuple[int, int]], start: int, duration: int) -> None:
        for resource, amount in demands:
            row = self.rows[resource]
            for unit in range(start, start + duration):
                row[unit] -= amount


def forbidden_starts(blocked_periods: tuple[Period, ...], duration: int) -> list[Period]:
    """Start ranges [first, last] that would overlap a blocked period."""
    return [(start - duration + 1, end - 1) for start, end in blocked_periods]


def _skip_forbidden(start: int, forbidden: list[Period]) -> int:
    for first, last in forbidden:
        if first <= start <= last:
            return last + 1
    return start


def _expand(steps: list[tuple[int, int]], horizon: int) -> list[int]:
    row = [0] * horizon
    for position, (unit, capacity) in enumerate(steps):
        end = min(steps[position + 1][0] if position + 1 < len(steps) else horizon, horizon)
        first = min(unit, horizon)
        row[first:end] = [capacity] * max(0, end - first)
    return row
