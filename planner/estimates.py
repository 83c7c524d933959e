"""How long a removal step takes for one system, and which steps remain. No database.

A template gives each step's effort in work days for a system of moderate criticality
and up to 100 users. Criticality and size scale it (more care for a high-impact system,
more rollout for more users); steps marked as fixed (paperwork such as contract
actions) do not scale. A system's own estimate replaces the scaled figure outright.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from planner.enums import STEP_ORDER, Step
from procurement.inventory.enums import Criticality, SystemStatus

CRITICALITY_FACTOR = {
    Criticality.LOW: Decimal("0.75"),
    Criticality.MODERATE: Decimal("1"),
    Criticality.HIGH: Decimal("1.5"),
}
# (at most this many users, factor); above the last, SIZE_FACTOR_LARGEST.
SIZE_FACTORS = ((100, Decimal("1")), (1_000, Decimal("1.25")), (10_000, Decimal("1.5")))
SIZE_FACTOR_LARGEST = Decimal("2")
# Engine weight of a system's lateness, per day late.
CRITICALITY_WEIGHT = {Criticality.LOW: 1, Criticality.MODERATE: 2, Criticality.HIGH: 3}

# The first step still to do at each workflow status: a system already migrating has
# assessed, chosen its replacement and acted on its contracts.
FIRST_REMAINING_STEP = {
    SystemStatus.IDENTIFIED: Step.ASSESS,
    SystemStatus.ASSESSED: Step.SELECT_REPLACEMENT,
    SystemStatus.PLAN_APPROVED: Step.CONTRACT_ACTION,
    SystemStatus.MIGRATING: Step.BUILD,
    SystemStatus.CUT_OVER: Step.DECOMMISSION,
    SystemStatus.REMOVED: Step.VERIFY,
    SystemStatus.VERIFIED: None,
}


@dataclass(frozen=True)
class TemplateStep:
    """One step of a work template as the estimate needs it."""

    step: str
    effort_days: Decimal
    team_kind: str
    head_count: int
    scales: bool = True


def remaining_steps(status: str) -> tuple[str, ...]:
    """The steps still to do, in order, for a system at `status`."""
    first = FIRST_REMAINING_STEP[SystemStatus(status)]
    if first is None:
        return ()
    return STEP_ORDER[STEP_ORDER.index(first) :]


def size_factor(user_count: int) -> Decimal:
    for at_most, factor in SIZE_FACTORS:
        if user_count <= at_most:
            return factor
    return SIZE_FACTOR_LARGEST


def scaled_effort(template: TemplateStep, criticality: str, user_count: int) -> int:
    """Work days for one system: the template's effort scaled, rounded up, at least 1."""
    effort = template.effort_days
    if template.scales:
        effort *= CRITICALITY_FACTOR[Criticality(criticality)] * size_factor(user_count)
    return max(1, math.ceil(effort))


def step_effort(template: TemplateStep, criticality: str, user_count: int, override: Decimal | None) -> int:
    """The system's own estimate when it has one, else the scaled template."""
    if override is not None:
        return max(1, math.ceil(override))
    return scaled_effort(template, criticality, user_count)
