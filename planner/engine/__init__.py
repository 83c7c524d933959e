"""Phaseout's planning engine: resource-constrained scheduling with due dates.

Plain Python with no Django import: typed dataclasses in, a typed result out.
"""

from planner.engine.decompose import independent_parts
from planner.engine.model import (
    ItemSchedule,
    LateReason,
    Problem,
    Resource,
    Result,
    SolveOptions,
    Status,
    WorkItem,
)
from planner.engine.solve import solve
from planner.engine.validation import ProblemError

__all__ = [
    "ItemSchedule",
    "LateReason",
    "Problem",
    "ProblemError",
    "Resource",
    "Result",
    "SolveOptions",
    "Status",
    "WorkItem",
    "independent_parts",
    "solve",
]
