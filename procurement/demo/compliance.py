"""The demo's compliance data: the directive's policy, the officials who sign, two waivers
(one approved, one waiting) and a draft status report for the current period per agency.

Idempotent like the rest of the demo: the policy and officials are found by directive,
user and agency; a waiver by its agency and justification; a report by its period.
Everything goes through `compliance.services`, so the demo obeys the same rules as users
(the requester never decides, categories come from the policy).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from procurement.compliance import selectors, services
from procurement.compliance.enums import WaiverStatus
from procurement.compliance.models import AgencyOfficial, DirectivePolicy, Waiver
from procurement.demo.data import ComplianceSpec, WaiverSpec
from procurement.inventory.models import Agency, Directive, System, User


def ensure_compliance(
    spec: ComplianceSpec, directive: Directive, agencies: dict[str, Agency], users: dict[str, User]
) -> dict[str, int]:
    DirectivePolicy.objects.update_or_create(
        directive=directive,
        defaults={
            "allowed_categories": list(spec.allowed_categories),
            "begin_removal_offset_days": spec.begin_removal_offset_days,
            "report_layout": spec.report_layout,
        },
    )
    for official in spec.officials:
        AgencyOfficial.objects.update_or_create(
            user=users[official.username], agency=agencies[official.agency], defaults={"kind": official.kind}
        )
    made = sum(ensure_waiver(waiver, agencies, users) for waiver in spec.waivers)
    return {"waivers": made, "reports": ensure_current_reports(directive, agencies)}


def ensure_waiver(spec: WaiverSpec, agencies: dict[str, Agency], users: dict[str, User]) -> int:
    """Requests (and, if the spec names a decider, approves) the waiver unless it exists; 1 if made."""
    agency = agencies[spec.agency]
    if Waiver.objects.filter(agency=agency, justification=spec.justification).exists():
        return 0
    system = (
        System.objects.filter(agency=agency)
        .open()
        .exclude(waivers__status__in=[WaiverStatus.REQUESTED, WaiverStatus.APPROVED])
        .order_by("fisma_id")
        .first()
    )
    if system is None:
        return 0
    fields = {
        "category": spec.category,
        "justification": spec.justification,
        "alternatives_considered": spec.alternatives_considered,
        "compensating_mitigations": spec.compensating_mitigations,
        "phase_out_plan": spec.phase_out_plan,
        "requested_until": timezone.localdate() + datetime.timedelta(days=spec.days),
    }
    waiver = services.waiver_request(user=users[spec.requested_by], system=system, fields=fields)
    if spec.approved_by:
        services.waiver_decide(user=users[spec.approved_by], waiver=waiver, approve=True, version=waiver.version)
    return 1


def ensure_current_reports(directive: Directive, agencies: dict[str, Agency]) -> int:
    """A draft (or the existing report) for the current period of every demo agency."""
    number = selectors.current_period_number(directive, timezone.localdate())
    if number < 1:
        return 0
    for agency in agencies.values():
        services.status_report_generate(directive=directive, agency=agency, number=number)
    return len(agencies)
