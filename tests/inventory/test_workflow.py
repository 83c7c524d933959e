import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

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


# Issue 7, item 1: the status form offers the next step first, steps back apart ------------


def page(client, user, system):
    client.force_login(user)
    return client.get(reverse("inventory:system-detail", args=[system.pk]))


def forms_on(body: str) -> list[str]:
    """The transition forms on the page, in order, as their hidden target status."""
    return re.findall(r'name="to_status" value="([a-z_]+)"', body)


@pytest.mark.parametrize(
    ("reached", "forward", "back"),
    [
        (SystemStatus.values[1:6], SystemStatus.VERIFIED, SystemStatus.CUT_OVER),  # Removed
        (SystemStatus.values[1:2], SystemStatus.PLAN_APPROVED, SystemStatus.IDENTIFIED),  # Assessed
    ],
)
def test_the_next_step_comes_first_and_a_step_back_is_apart(client, system_a, lena, reached, forward, back):
    advance(system_a, lena, *reached)
    response = page(client, lena, system_a)
    assert forms_on(response.content.decode()) == [forward, back]
    assert response.context["advance_form"].initial["to_status"] == forward
    back_form = response.context["back_form"]
    assert back_form.fields["note"].required and back_form.fields["note"].label == "Why does the system go back a step?"
    assert "Step back to" in response.content.decode()


def test_the_step_indicator_shows_where_the_system_is_and_who_moves_it_on(client, system_a, alice, lena):
    advance(system_a, alice, SystemStatus.ASSESSED)
    body = page(client, alice, system_a).content.decode()
    current = r'segment--current" aria-current="step">\s*<span class="usa-step-indicator__segment-label">Assessed'
    assert re.search(current, body)
    assert 'Step</span> <span class="usa-step-indicator__current-step">2</span>' in body
    assert "Next step: Plan approved.</strong> Who may take it: transition leads of IRS (lena)." in body
    assert "Not offered to you: a transition lead approves plans." in body
    assert forms_on(body) == [SystemStatus.IDENTIFIED]  # alice may only step back


def test_a_viewer_is_told_why_nothing_is_offered(client, system_a, victor):
    response = page(client, victor, system_a)
    body = response.content.decode()
    assert forms_on(body) == []
    assert "Not offered to you: you may view IRS&#x27;s systems but not change them." in body


def test_a_step_back_without_a_reason_is_refused(client, system_a, alice):
    advance(system_a, alice, SystemStatus.ASSESSED)
    client.force_login(alice)
    url = reverse("inventory:system-transition", args=[system_a.pk])
    response = client.post(url, {"to_status": "identified", "expected_status": "assessed", "note": ""}, follow=True)
    assert "Say why the system goes back a step." in response.content.decode()
    system_a.refresh_from_db()
    assert system_a.status == SystemStatus.ASSESSED
