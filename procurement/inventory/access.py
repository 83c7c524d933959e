"""Row access rules: which actions each role grants, and how the agency tree widens them.

Plain rules with no database. The one place that applies them to rows is the
`for_user(user, action)` queryset method (`models.AgencyScopedQuerySet`), called by
every view, export, form choice list, API endpoint and task; a row outside its
result is treated as absent (404). The user's memberships and the agency tree are
read by `User.granted_agency_ids`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from procurement.inventory.enums import Role


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    APPROVE = "approve"  # transition-lead decisions: plan approval, verification


ROLES_FOR_ACTION = {
    Action.VIEW: (Role.VIEWER, Role.EDITOR, Role.TRANSITION_LEAD),
    Action.CHANGE: (Role.EDITOR, Role.TRANSITION_LEAD),
    Action.APPROVE: (Role.TRANSITION_LEAD,),
}


def sees_everything(user, action: Action) -> bool:
    if user.is_superuser:
        return True
    return action == Action.VIEW and getattr(user, "is_oversight", False)


def agency_ids_for(user, action: Action | str) -> set[int] | None:
    """Ids of the agencies where `user` may do `action`; None means every agency."""
    action = Action(action)
    if not user.is_authenticated:
        return set()
    if sees_everything(user, action):
        return None
    return user.granted_agency_ids(action)


def granted_by(memberships: Iterable[tuple[int, str]], action: Action) -> set[int]:
    """Agencies whose membership role grants `action` (components not yet added)."""
    return {agency_id for agency_id, role in memberships if role in ROLES_FOR_ACTION[action]}


def with_components(agency_ids: set[int], children: Mapping[int, list[int]]) -> set[int]:
    """The agencies and every component below them, however deep the tree."""
    result, frontier = set(agency_ids), list(agency_ids)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in result:
                result.add(child)
                frontier.append(child)
    return result


def can(user, action: Action | str, agency_id: int) -> bool:
    """Whether `user` may do `action` on rows of the agency `agency_id`."""
    agency_ids = agency_ids_for(user, action)
    return agency_ids is None or agency_id in agency_ids
