import datetime

import pytest
from django.core.exceptions import PermissionDenied

from procurement.inventory.deadlines import scope_rule_for
from procurement.inventory.enums import AgencyType, DependencyKind
from procurement.inventory.models import System
from procurement.inventory.services import ScopeRuleSpec, directive_revise
from tests.factories import ISSUED_ON, SystemFactory


@pytest.fixture
def embedded_defense_system(agency_b, directive):
    return SystemFactory(agency=agency_b, directive=directive, dependency_kind=DependencyKind.EMBEDDED)


def test_civilian_system_must_cease_on_issue_day(system_a):
    assert system_a.removal_deadline == ISSUED_ON


def test_defense_embedded_system_gets_six_months(embedded_defense_system):
    assert embedded_defense_system.removal_deadline == datetime.date(2026, 8, 27)


def test_defense_direct_api_falls_back_to_the_general_rule(system_b):
    assert system_b.removal_deadline == ISSUED_ON


def test_component_takes_its_own_agency_type(component_a, directive):
    component_a.agency_type = AgencyType.DEFENSE
    component_a.save()
    system = SystemFactory(agency=component_a, directive=directive, dependency_kind=DependencyKind.EMBEDDED)
    assert system.removal_deadline == datetime.date(2026, 8, 27)


def test_scope_change_moves_deadlines_and_keeps_the_old_revision(directive, system_a, embedded_defense_system, root):
    directive_revise(
        directive=directive,
        user=root,
        effective_on=datetime.date(2026, 3, 15),
        summary="Cloud marketplace models are in scope with 90 days",
        rules=[
            ScopeRuleSpec(description="All agencies", removal_offset_days=0),
            ScopeRuleSpec(
                description="Models behind cloud platforms",
                removal_offset_days=90,
                dependency_kind=DependencyKind.DIRECT_API,
            ),
        ],
    )
    system_a.refresh_from_db()
    embedded_defense_system.refresh_from_db()
    assert system_a.removal_deadline == ISSUED_ON + datetime.timedelta(days=90)
    assert embedded_defense_system.removal_deadline == ISSUED_ON
    assert list(directive.revisions.values_list("number", flat=True)) == [2, 1]
    first = directive.revisions.get(number=1)
    assert first.scope_rules.filter(removal_offset_days=181).exists()


def test_the_most_specific_rule_wins_over_earlier_deadlines(directive, agency_b, root):
    directive_revise(
        directive=directive,
        user=root,
        effective_on=ISSUED_ON,
        summary="Overlapping rules",
        rules=[
            ScopeRuleSpec(description="Defense", removal_offset_days=120, agency_type=AgencyType.DEFENSE),
            ScopeRuleSpec(description="NSS", removal_offset_days=60, national_security_system=True),
            ScopeRuleSpec(
                description="Defense NSS",
                removal_offset_days=200,
                agency_type=AgencyType.DEFENSE,
                national_security_system=True,
            ),
        ],
    )
    nss = SystemFactory(agency=agency_b, directive=directive, national_security_system=True)
    plain = SystemFactory(agency=agency_b, directive=directive)
    assert nss.removal_deadline == ISSUED_ON + datetime.timedelta(days=200)
    assert plain.removal_deadline == ISSUED_ON + datetime.timedelta(days=120)


def test_system_outside_every_rule_has_no_deadline(directive, system_a, root):
    directive_revise(
        directive=directive,
        user=root,
        effective_on=ISSUED_ON,
        summary="Defense only",
        rules=[ScopeRuleSpec(description="Defense", removal_offset_days=10, agency_type=AgencyType.DEFENSE)],
    )
    assert System.objects.get(pk=system_a.pk).removal_deadline is None


def test_only_administrators_revise_scope(directive, lena):
    with pytest.raises(PermissionDenied):
        directive_revise(directive=directive, user=lena, effective_on=ISSUED_ON, summary="x", rules=[])


def test_admin_records_a_scope_change_as_a_new_revision(client, root, directive, system_a):
    client.force_login(root)
    prefix = "scope_rules"
    response = client.post(
        "/admin/inventory/directiverevision/add/",
        {
            "directive": directive.pk,
            "effective_on": "2026-04-01",
            "summary": "Civilian agencies get 60 days",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-description": "Civilian",
            f"{prefix}-0-agency_type": "civilian",
            f"{prefix}-0-removal_offset_days": "60",
            f"{prefix}-0-national_security_system": "unknown",
            f"{prefix}-1-description": "",
            f"{prefix}-1-national_security_system": "unknown",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    revision = directive.current_revision()
    assert (revision.number, revision.created_by, revision.scope_rules.count()) == (2, root, 1)
    system_a.refresh_from_db()
    assert system_a.removal_deadline == ISSUED_ON + datetime.timedelta(days=60)
    assert client.get(f"/admin/inventory/directiverevision/{revision.pk}/change/").status_code == 200


@pytest.mark.parametrize("order", [1, -1])
def test_equally_specific_rules_tie_break_to_the_earliest_deadline(directive, agency_b, root, order):
    """A defense NSS system matches "Defense" and "NSS", one criterion each, and no rule with both."""
    rules = [
        ScopeRuleSpec(description="Defense", removal_offset_days=120, agency_type=AgencyType.DEFENSE),
        ScopeRuleSpec(description="NSS", removal_offset_days=60, national_security_system=True),
        ScopeRuleSpec(description="Everyone", removal_offset_days=10),
    ]
    directive_revise(directive=directive, user=root, effective_on=ISSUED_ON, summary="Tie", rules=rules[::order])
    nss = SystemFactory(agency=agency_b, directive=directive, national_security_system=True)
    assert nss.removal_deadline == ISSUED_ON + datetime.timedelta(days=60)
    assert nss.deadline_rule.description == "NSS"


def test_the_tie_break_rule_itself():
    later = ScopeRuleSpec(description="Defense", removal_offset_days=120, agency_type=AgencyType.DEFENSE)
    earlier = ScopeRuleSpec(description="NSS", removal_offset_days=60, national_security_system=True)
    for rules in ([later, earlier], [earlier, later]):
        assert scope_rule_for(rules, AgencyType.DEFENSE, DependencyKind.DIRECT_API, True) is earlier
