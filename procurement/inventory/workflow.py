"""The removal workflow: which status may follow which, and which moves need a lead.

Plain rules with no database; services enforce them and selectors offer them.
Forward one step at a time; one step back is a rollback and needs a reason.
"""

from __future__ import annotations

from procurement.inventory.enums import SystemStatus

STEPS: list[str] = list(SystemStatus.values)
APPROVAL_STATUSES = {SystemStatus.PLAN_APPROVED, SystemStatus.VERIFIED}


def status_label(status: str) -> str:
    return SystemStatus(status).label if status in STEPS else repr(status)


def allowed_transitions(status: str) -> list[str]:
    index = STEPS.index(status)
    return STEPS[max(index - 1, 0) : index] + STEPS[index + 1 : index + 2]


def is_rollback(from_status: str, to_status: str) -> bool:
    return STEPS.index(to_status) < STEPS.index(from_status)


def needs_approval(from_status: str, to_status: str) -> bool:
    """Approving a plan or a removal, and undoing either, is a transition lead's call."""
    undoes_approval = from_status in APPROVAL_STATUSES and is_rollback(from_status, to_status)
    return to_status in APPROVAL_STATUSES or undoes_approval


def next_step(status: str) -> str | None:
    index = STEPS.index(status)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def previous_step(status: str) -> str | None:
    index = STEPS.index(status)
    return STEPS[index - 1] if index > 0 else None


def approval_reason(from_status: str, to_status: str) -> str:
    """Why a move is a transition lead's call, in the words the page shows."""
    if to_status == SystemStatus.PLAN_APPROVED:
        return "a transition lead approves plans"
    if to_status == SystemStatus.VERIFIED:
        return "a transition lead verifies removal"
    return f"only a transition lead undoes {status_label(from_status)}"
