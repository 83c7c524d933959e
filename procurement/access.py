"""Row access: the one place that decides which agencies' rows a user may see or change.

Every view, export, form choice list, API endpoint and task narrows its queryset
with `for_user(user, action)`. A row outside the result is treated as absent (404).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    APPROVE = "approve"  # transition-lead decisions: plan approval, verification


# Roles that grant each action through a membership (see models.Role).
ROLES_FOR_ACTION = {
    Action.VIEW: ("viewer", "editor", "lead"),
    Action.CHANGE: ("editor", "lead"),
    Action.APPROVE: ("lead",),
}


def sees_everything(user, action: Action) -> bool:
    if user.is_superuser:
        return True
    return action == Action.VIEW and getattr(user, "is_oversight", False)


def agency_ids_for(user, action: Action | str) -> set[int] | None:
    """Ids of the agencies where `user` may do `action`; None means every agency.

    A membership in a department also covers all of its components. The answer is
    cached on the user object for the length of the request.
    """
    action = Action(action)
    if not user.is_authenticated:
        return set()
    if sees_everything(user, action):
        return None
    cache = user.__dict__.setdefault("_phaseout_access", {})
    if "memberships" not in cache:
        cache["memberships"] = _memberships(user)
    if action not in cache:
        granted = {agency_id for agency_id, role in cache["memberships"] if role in ROLES_FOR_ACTION[action]}
        if granted and "children" not in cache:
            cache["children"] = _component_tree()
        cache[action] = _with_components(granted, cache.get("children", {}))
    return cache[action]


def _memberships(user) -> list[tuple[int, str]]:
    from procurement.models import Membership

    return list(Membership.objects.filter(user=user).values_list("agency_id", "role"))


def agency_and_components(agency_id: int) -> set[int]:
    """The agency and every component below it, however deep the tree."""
    return _with_components({agency_id}, _component_tree())


def _component_tree() -> dict[int, list[int]]:
    """Parent id → component ids; agencies number in the hundreds, so one query reads all."""
    from procurement.models import Agency

    children: dict[int, list[int]] = {}
    for agency_id, parent_id in Agency.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(agency_id)
    return children


def _with_components(granted: set[int], children: dict[int, list[int]]) -> set[int]:
    result, frontier = set(granted), list(granted)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in result:
                result.add(child)
                frontier.append(child)
    return result


class AgencyScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to an agency through `model.agency_lookup`."""

    def for_user(self, user, action: Action | str = Action.VIEW) -> AgencyScopedQuerySet:
        agency_ids = agency_ids_for(user, action)
        if agency_ids is None:
            return self.all()
        return self.filter(**{f"{self.model.agency_lookup}__in": agency_ids})


def can(user, action: Action | str, agency_id: int) -> bool:
    """Whether `user` may do `action` on rows of the agency `agency_id`."""
    agency_ids = agency_ids_for(user, action)
    return agency_ids is None or agency_id in agency_ids
