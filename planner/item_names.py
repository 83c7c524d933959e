"""How the planner names a step and a team in words and in the engine's terms.

Kept apart from planner.problems, which imports the engine (OR-Tools, pandas, numba: seconds
to load): pages that only show stored plans use these names without paying for the engine.
"""

from __future__ import annotations

from planner.enums import ContractActionKind, Step


def item_label(fisma_id: str, step: str, contract_action: str = "") -> str:
    words = Step(step).label
    if contract_action:
        words = f"{words}: {ContractActionKind(contract_action).label.lower()}"
    return f"{fisma_id} {words}"


def team_resource(team_id: int) -> str:
    return f"team:{team_id}"
