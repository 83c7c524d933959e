import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.inventory.enums import SystemStatus
from procurement.inventory.models import StatusChange
from procurement.inventory.selectors import transitions_for_user
from procurement.inventory.services import system_transition
from procurement.inventory.workflow import allowed_transitions


def advance(system, user, *statuses):
    for status in statuses:
        system_transition(user=user, system=system, to_status=status, note="")
    system.refresh_from_db()


def test_forward_steps_are_recorded_with_who_and_note(system_a, alice):
    change = system_transition(user=alice, system=system_a, to_status=SystemStatus.ASSESSED, note="Scanned")
    system_a.refresh_from_db()
    assert system_a.status == SystemStatus.ASSESSED
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        SystemStatus.IDENTIFIED,
        SystemStatus.ASSESSED,
        alice,
        "Scanned",
    )


def test_skipping_a_step_is_refused(system_a, alice):
    with pytest.raises(ValidationError, match="cannot go from Identified to Migrating"):
        system_transition(user=alice, system=system_a, to_status=SystemStatus.MIGRATING)
    assert not StatusChange.objects.exists()


def test_unknown_status_is_refused(system_a, alice):
    with pytest.raises(ValidationError):
        system_transition(user=alice, system=system_a, to_status="gone")


def test_plan_approval_needs_a_transition_lead(system_a, alice, lena):
    advance(system_a, alice, SystemStatus.ASSESSED)
    with pytest.raises(PermissionDenied):
        system_transition(user=alice, system=system_a, to_status=SystemStatus.PLAN_APPROVED)
    advance(system_a, lena, SystemStatus.PLAN_APPROVED)
    assert system_a.status == SystemStatus.PLAN_APPROVED


def test_rollback_needs_a_reason(system_a, alice):
    advance(system_a, alice, SystemStatus.ASSESSED)
    with pytest.raises(ValidationError, match="Say why"):
        system_transition(user=alice, system=system_a, to_status=SystemStatus.IDENTIFIED, note=" ")
    system_transition(user=alice, system=system_a, to_status=SystemStatus.IDENTIFIED, note="Wrong system")
    system_a.refresh_from_db()
    assert system_a.status == SystemStatus.IDENTIFIED


def test_viewers_and_outsiders_cannot_move_a_system(system_a, victor, bob, olga):
    for user in (victor, bob, olga):
        with pytest.raises(PermissionDenied):
            system_transition(user=user, system=system_a, to_status=SystemStatus.ASSESSED)
        assert transitions_for_user(user, system_a) == []


def test_full_path_to_verified(system_a, lena):
    advance(system_a, lena, *SystemStatus.values[1:])
    assert system_a.status == SystemStatus.VERIFIED
    assert system_a.status_changes.count() == 6
    assert allowed_transitions(SystemStatus.VERIFIED) == [SystemStatus.REMOVED]


def test_editor_sees_only_non_approval_moves(system_a, alice, lena):
    advance(system_a, alice, SystemStatus.ASSESSED)
    assert transitions_for_user(alice, system_a) == [SystemStatus.IDENTIFIED]
    assert transitions_for_user(lena, system_a) == [SystemStatus.IDENTIFIED, SystemStatus.PLAN_APPROVED]


def test_editor_cannot_undo_a_leads_approval_or_verification(system_a, alice, lena):
    advance(system_a, lena, SystemStatus.ASSESSED, SystemStatus.PLAN_APPROVED)
    with pytest.raises(PermissionDenied, match="from Plan approved to Assessed"):
        system_transition(user=alice, system=system_a, to_status=SystemStatus.ASSESSED, note="undo")
    assert SystemStatus.ASSESSED not in transitions_for_user(alice, system_a)
    advance(system_a, lena, *SystemStatus.values[3:])
    with pytest.raises(PermissionDenied):
        system_transition(user=alice, system=system_a, to_status=SystemStatus.REMOVED, note="undo")


def test_editor_carries_on_after_plan_approval(system_a, alice, lena):
    advance(system_a, lena, SystemStatus.ASSESSED, SystemStatus.PLAN_APPROVED)
    advance(system_a, alice, SystemStatus.MIGRATING)
    assert system_a.status == SystemStatus.MIGRATING
