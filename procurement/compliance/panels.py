"""Compliance's panel on a system's page: its waivers, and a way to request one."""

from procurement.compliance.selectors import waiver_queryset
from procurement.inventory.access import Action, can


def waiver_panel(user, system) -> dict:
    return {
        "waivers": waiver_queryset(user).filter(system=system).order_by("-pk")[:10],
        "may_request": can(user, Action.CHANGE, system.agency_id) and not system.is_done,
    }
