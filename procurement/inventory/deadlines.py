"""Which scope rule covers a system, and the removal deadline that follows from it.

Plain rules with no database: they work on anything shaped like a scope rule (a
`ScopeRule` row or a `ScopeRuleSpec`), so they are tested without one and the
services that store deadlines stay short.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol, TypeVar


class ScopeCriteria(Protocol):
    """What a scope rule says: blank criteria match anything."""

    agency_type: str
    dependency_kind: str
    national_security_system: bool | None
    removal_offset_days: int


Rule = TypeVar("Rule", bound=ScopeCriteria)


def specificity(rule: ScopeCriteria) -> int:
    """How many criteria the rule sets; the most specific matching rule wins."""
    criteria = (rule.agency_type, rule.dependency_kind, rule.national_security_system)
    return sum(1 for value in criteria if value not in ("", None))


def scope_rule_matches(rule: ScopeCriteria, agency_type: str, dependency_kind: str, nss: bool) -> bool:
    return (
        rule.agency_type in ("", agency_type)
        and rule.dependency_kind in ("", dependency_kind)
        and rule.national_security_system in (None, nss)
    )


def scope_rule_for(rules: Iterable[Rule], agency_type: str, dependency_kind: str, nss: bool) -> Rule | None:
    """The most specific matching rule; among equally specific ones, the earliest deadline.

    Taking the earliest on a tie is the cautious reading of an ambiguous scope.
    """
    matching = [rule for rule in rules if scope_rule_matches(rule, agency_type, dependency_kind, nss)]
    if not matching:
        return None
    return min(matching, key=lambda rule: (-specificity(rule), rule.removal_offset_days))


def removal_deadline_for(
    issued_on: datetime.date, rules: Iterable[ScopeCriteria], agency_type: str, dependency_kind: str, nss: bool
) -> datetime.date | None:
    """The deadline under a directive issued on `issued_on`, or None when no rule applies."""
    return deadline_under(issued_on, scope_rule_for(rules, agency_type, dependency_kind, nss))


def deadline_under(issued_on: datetime.date, rule: ScopeCriteria | None) -> datetime.date | None:
    """The deadline a rule sets for a directive issued on `issued_on`; None without a rule."""
    if rule is None:
        return None
    return issued_on + datetime.timedelta(days=rule.removal_offset_days)
