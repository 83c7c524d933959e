"""`manage.py loaddemo`: the demo data set is complete, consistent and idempotent.

Loading the demo takes a few seconds, so it is loaded once for the module and every
test runs in a transaction on top of it; the module flushes the database at the end
so other test modules start empty.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from procurement.compliance.enums import OfficialKind, ReportState, WaiverStatus
from procurement.compliance.models import AgencyOfficial, DirectivePolicy, StatusReport, Waiver
from procurement.demo import services as demo
from procurement.inventory.enums import AgencyType, DependencyKind, Role, SystemStatus
from procurement.inventory.models import Agency, Contract, Membership, StatusChange, System, User

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CIVILIAN_DEADLINE = datetime.date(2026, 2, 27)
DEFENSE_PHASE_OUT_DEADLINE = datetime.date(2026, 8, 27)


def loaddemo(*args: str) -> str:
    out = StringIO()
    call_command("loaddemo", "--force", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        yield loaddemo()
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def loaded(demo_output, db):
    return demo_output


def demo_counts() -> dict[str, int]:
    models = (
        Agency,
        System,
        Contract,
        StatusChange,
        Membership,
        User,
        System.history.model,
        Waiver,
        AgencyOfficial,
        DirectivePolicy,
        StatusReport,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_departments_and_components(loaded):
    departments = Agency.objects.filter(parent=None)
    assert departments.count() == 6
    dod = Agency.objects.get(abbreviation="DOD")
    assert dod.agency_type == AgencyType.DEFENSE
    assert {"ARMY", "NAVY", "USAF"} <= set(dod.components.values_list("abbreviation", flat=True))
    assert Agency.objects.get(abbreviation="ODNI").agency_type == AgencyType.INTELLIGENCE
    for component in Agency.objects.exclude(parent=None).select_related("parent"):
        assert component.agency_type == component.parent.agency_type


def test_systems_and_contracts(loaded):
    assert System.objects.count() == 150
    assert 35 <= Contract.objects.count() <= 45
    assert not System.objects.filter(removal_deadline=None).exists()
    for contract in Contract.objects.prefetch_related("systems"):
        assert contract.vendor_uei == demo.VENDOR_UEI
        assert contract.systems.exists()
        assert {system.agency_id for system in contract.systems.all()} == {contract.agency_id}


def test_depends_on_stays_inside_a_department(loaded):
    links = System.depends_on.through.objects.select_related("from_system__agency", "to_system__agency")
    assert links.exists()
    for link in links:
        assert link.from_system.agency.department == link.to_system.agency.department


def test_users_have_their_roles(loaded):
    assert "phaseout-demo-2026" in loaded
    memberships = Membership.objects.select_related("user", "agency")
    roles = {(m.user.username, m.agency.abbreviation, m.role) for m in memberships}
    assert roles == {
        ("lead", "DOD", Role.TRANSITION_LEAD),
        ("editor", "TREAS", Role.EDITOR),
        ("viewer", "TREAS", Role.VIEWER),
        ("head", "TREAS", Role.VIEWER),  # officials read through a membership
        ("designee", "IRS", Role.VIEWER),
    }
    assert User.objects.get(username="oversight").is_oversight
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(demo.DEMO_PASSWORD)


def test_deadlines_are_derived_from_scope_rules(loaded):
    defense_embedded = System.objects.filter(
        agency__agency_type=AgencyType.DEFENSE, dependency_kind=DependencyKind.EMBEDDED
    )
    civilian = System.objects.filter(agency__agency_type=AgencyType.CIVILIAN)
    assert defense_embedded.exists() and civilian.exists()
    assert set(defense_embedded.values_list("removal_deadline", flat=True)) == {DEFENSE_PHASE_OUT_DEADLINE}
    assert set(civilian.values_list("removal_deadline", flat=True)) == {CIVILIAN_DEADLINE}


def test_status_history_ends_at_the_status(loaded):
    statuses = set(System.objects.values_list("status", flat=True))
    assert len(statuses) == len(SystemStatus.values)  # the demo shows every step
    for system in System.objects.prefetch_related("status_changes"):
        chain = sorted(system.status_changes.all(), key=lambda change: change.pk)
        current = SystemStatus.IDENTIFIED
        for change in chain:
            assert change.from_status == current
            current = change.to_status
        assert current == system.status


def test_compliance_pages_have_something_to_show(loaded):
    """Officials who sign, the directive's policy, a waiver approved and one waiting, and drafts."""
    officials = {
        (o.user.username, o.agency.abbreviation, o.kind)
        for o in AgencyOfficial.objects.select_related("user", "agency")
    }
    assert officials == {("head", "TREAS", OfficialKind.AGENCY_HEAD), ("designee", "IRS", OfficialKind.DESIGNEE)}
    policy = DirectivePolicy.objects.get()
    assert "no_alternative" in policy.allowed_categories and "security_research" not in policy.allowed_categories
    approved = Waiver.objects.get(status=WaiverStatus.APPROVED)
    assert approved.decided_by.username == "designee" and approved.requested_by.username == "editor"
    assert approved.system.waiver_until == approved.requested_until
    assert Waiver.objects.filter(status=WaiverStatus.REQUESTED).count() == 1
    drafts = StatusReport.objects.filter(state=ReportState.DRAFT)
    assert drafts.count() == Agency.objects.count() and len({report.period for report in drafts}) == 1
    treasury = drafts.get(agency__abbreviation="TREAS")
    assert treasury.summary["total"] > 0 and treasury.summary["at_risk"] is not None  # the first plan is read


def test_second_run_changes_nothing(loaded):
    before = demo_counts()
    output = loaddemo()
    assert demo_counts() == before
    assert "150 systems (0 new)" in output


def test_second_run_resets_demo_users(loaded):
    editor = User.objects.get(username="editor")
    editor.set_password("something-else-entirely")
    editor.save()
    Membership.objects.filter(user=editor).update(role=Role.VIEWER)
    loaddemo()
    editor.refresh_from_db()
    assert editor.check_password(demo.DEMO_PASSWORD)
    assert Membership.objects.get(user=editor).role == Role.EDITOR


def test_scale_systems_are_added_once(loaded):
    loaddemo("--systems", "500")
    scale = System.objects.filter(fisma_id__startswith=demo.SCALE_PREFIX)
    assert scale.count() == 500
    assert scale.filter(fisma_id="SCALE-000500").exists()
    assert not scale.filter(removal_deadline=None).exists()
    assert System.covered_products.through.objects.filter(system__in=scale).count() == 500
    loaddemo("--systems", "500")
    assert System.objects.count() == 650


def test_refuses_without_debug_unless_forced(loaded):
    with pytest.raises(CommandError, match="--force"):
        call_command("loaddemo", stdout=StringIO())
