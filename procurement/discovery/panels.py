"""Discovery's panel on a system's page: the evidence that tied it to the covered vendor."""

from procurement.discovery.selectors import system_evidence
from procurement.inventory.access import Action, can


def evidence_panel(user, system) -> dict:
    return {"evidence": system_evidence(user, system), "may_upload": can(user, Action.CHANGE, system.agency_id)}
