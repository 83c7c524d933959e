"""The engine's data: a scheduling problem in, a solved plan out.

Time is counted in integer work-day units. The Django side maps calendars,
holidays and freeze windows onto these units before calling the engine.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

Period = tuple[int, int]
"""A half-open span of units [start, end)."""

Objective = Literal["tardiness_then_makespan", "makespan"]


@dataclass(frozen=True)
class Resource:
    """A renewable resource such as a team of migration engineers.

    `capacity` holds from unit 0; each (from_unit, capacity) step in
    `capacity_changes` replaces it from that unit on, until the next step.
    """

    name: str
    capacity: int
    capacity_changes: tuple[tuple[int, int], ...] = ()

    def steps(self) -> list[tuple[int, int]]:
        """The capacity as sorted (from_unit, capacity) steps starting at unit 0."""
        changes = sorted(self.capacity_changes)
        if changes and changes[0][0] == 0:
            return changes
        return [(0, self.capacity), *changes]

    def peak_capacity(self) -> int:
        return max(capacity for _, capacity in self.steps())

    def last_change(self) -> int:
        return max((unit for unit, _ in self.capacity_changes), default=0)


@dataclass(frozen=True)
class WorkItem:
    """One removal step of one system: runs `duration` units without interruption."""

    id: str
    duration: int
    demands: dict[str, int] = field(default_factory=dict)
    predecessors: tuple[str, ...] = ()
    release: int = 0
    deadline: int | None = None
    weight: int = 1
    blocked_periods: tuple[Period, ...] = ()


@dataclass(frozen=True)
class Problem:
    """Every work item of a scope and the resources they draw on.

    `horizon`, when given, is a hard limit: every item must finish by it.
    """

    items: tuple[WorkItem, ...]
    resources: tuple[Resource, ...]
    horizon: int | None = None


@dataclass(frozen=True)
class SolveOptions:
    """How hard and how to search.

    `hint` is a previous plan (item id -> start); the re-plan stays close to
    it and reports how many items moved.

    `replan_tolerance` lets a re-plan keep previous dates at up to this share more
    weighted tardiness than the best schedule found (0.02: 2 %); 0 keeps a previous date
    only where that costs no tardiness at all.

    `deterministic` makes the answer depend only on the problem, seed and
    worker count: CP-SAT interleaves its workers and stops on deterministic
    time (about seconds on a 2020s core) instead of wall time, each stage and
    part getting a fixed share of the limit whatever the clock says (a wall
    guard of 3 times the limit still applies: search.WALL_TIME_SAFETY_FACTOR), and the
    neighbourhood search thread is not used. It usually costs some quality.
    """

    time_limit_seconds: float = 10.0
    workers: int = 2
    seed: int = 0
    objective: Objective = "tardiness_then_makespan"
    hint: dict[str, int] | None = None
    decompose: bool = True
    deterministic: bool = False
    replan_tolerance: float = 0.0


class Status(StrEnum):
    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class ItemSchedule:
    item_id: str
    start: int
    finish: int
    lateness: int


@dataclass(frozen=True)
class LateReason:
    """Why an item finishes after its deadline.

    `chain` runs from the earliest cause to the late item: each item in it
    could not start before the previous one finished (a precedence) or freed
    capacity (a resource). `binding_resource` is the first resource found
    holding the chain back, if any.
    """

    item_id: str
    lateness: int
    chain: tuple[str, ...]
    binding_resource: str | None
    explanation: str


@dataclass(frozen=True)
class Result:
    """A solved plan.

    `lower_bound` bounds the objective being reported: weighted tardiness while
    that is not proven optimal, otherwise makespan. `gap` is
    (value - lower_bound) / value for that objective, 0 when proven.
    """

    status: Status
    schedule: dict[str, ItemSchedule]
    weighted_tardiness: int | None
    makespan: int | None
    lower_bound: int
    gap: float | None
    seconds: float
    late_reasons: tuple[LateReason, ...] = ()
    moved_items: int | None = None
    components: int = 1
    makespan_lower_bound: int = 0
    tardiness_lower_bound: int = 0
    message: str = ""

    def starts(self) -> dict[str, int]:
        """The plan as item id -> start, the shape `SolveOptions.hint` takes."""
        return {item_id: entry.start for item_id, entry in self.schedule.items()}
