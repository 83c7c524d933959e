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
    cache = user.__dict__.setdefault("_phaseout_agency_ids", {})
    if action not in cache:
        cache[action] = _member_agency_ids(user, ROLES_FOR_ACTION[action])
    return cache[action]


def _member_agency_ids(user, roles: tuple[str, ...]) -> set[int]:
    from procurement.models import Agency, Membership

    granted = set(Membership.objects.filter(user=user, role__in=roles).values_list("agency_id", flat=True))
    frontier = granted
    while frontier:  # walk down the component tree
        children = set(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = children - granted
        granted |= frontier
    return granted


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
