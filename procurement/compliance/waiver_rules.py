"""The exception policy's rules for one waiver request. Plain rules, no database.

Each returns the problems found, as messages naming the field, so a form can show
them all at once; services refuse a request with any.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    allowed_categories: frozenset[str]
    max_days: int
    max_extensions: int


@dataclass(frozen=True)
class Request:
    category: str
    starts_on: datetime.date  # today, or the day the waiver it extends ends
    requested_until: datetime.date
    extension_number: int  # 0 for a first waiver


def problems(policy: Policy, request: Request) -> dict[str, str]:
    found = {}
    if request.category not in policy.allowed_categories:
        found["category"] = "This directive does not allow waivers in that category."
    if request.requested_until <= request.starts_on:
        found["requested_until"] = f"The end date must be after {request.starts_on.isoformat()}."
    elif (request.requested_until - request.starts_on).days > policy.max_days:
        latest = request.starts_on + datetime.timedelta(days=policy.max_days)
        found["requested_until"] = (
            f"A waiver may run at most {policy.max_days} days: the latest end date is {latest.isoformat()}."
        )
    if request.extension_number > policy.max_extensions:
        found["extends"] = (
            f"This directive allows {policy.max_extensions} extension(s); this would be number "
            f"{request.extension_number}."
        )
    return found


def may_decide(requester_id: int, approver_id: int, approver_designated: bool) -> str | None:
    """Why this person may not decide the waiver, or None if they may."""
    if approver_id == requester_id:
        return "The person who requested a waiver cannot decide it."
    if not approver_designated:
        return "Only the agency head or a designee decides waivers."
    return None
