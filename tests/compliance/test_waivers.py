"""Waiver rules: who decides, how long, how many extensions, expiry, never blanket."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from procurement.compliance import services
from procurement.compliance.enums import OfficialKind, WaiverCategory, WaiverStatus
from procurement.compliance.models import AgencyOfficial, Waiver
from tests.compliance.conftest import TODAY, waiver_fields


def request(user, system, **changes):
    return services.waiver_request(user=user, system=system, fields=waiver_fields(**changes))


def approve(user, waiver):
    return services.waiver_decide(user=user, waiver=waiver, approve=True, version=waiver.version)


def test_approval_sets_the_systems_deadline_to_the_waivers_end(alice, hank, system_a, policy):
    waiver = approve(hank, request(alice, system_a))
    system_a.refresh_from_db()
    assert waiver.status == WaiverStatus.APPROVED and waiver.decided_by == hank
    assert system_a.waiver_until == TODAY + datetime.timedelta(days=90)


def test_the_requester_cannot_decide_even_as_agency_head(alice, hank, system_a, policy):
    AgencyOfficial.objects.create(user=alice, agency=system_a.agency, kind=OfficialKind.DESIGNEE)
    waiver = request(alice, system_a)
    with pytest.raises(PermissionDenied, match="requested"):
        approve(alice, waiver)
    approve(hank, waiver)  # someone else may


def test_only_the_head_or_a_designee_decides(alice, lena, ivy, system_a, policy):
    waiver = request(alice, system_a)
    with pytest.raises(PermissionDenied, match="agency head or a designee"):
        approve(lena, waiver)  # a transition lead is not the agency head
    approve(ivy, waiver)  # the component's designee is


def test_a_departments_official_does_not_decide_for_another_department(alice, system_b, bob, hank, policy):
    waiver = request(bob, system_b)
    with pytest.raises(PermissionDenied):
        approve(hank, waiver)


def test_duration_is_bounded_by_the_directive(alice, system_a, policy):
    limit = system_a.directive.exception_max_days
    with pytest.raises(ValidationError) as error:
        request(alice, system_a, requested_until=TODAY + datetime.timedelta(days=limit + 1))
    assert "at most 365 days" in str(error.value.message_dict["requested_until"])
    request(alice, system_a, requested_until=TODAY + datetime.timedelta(days=limit))


def test_category_must_be_allowed_by_the_policy(alice, system_a, policy):
    with pytest.raises(ValidationError) as error:
        request(alice, system_a, category=WaiverCategory.LAW_ENFORCEMENT)
    assert "category" in error.value.message_dict


def test_every_part_of_the_request_is_required(alice, system_a, policy):
    with pytest.raises(ValidationError) as error:
        request(alice, system_a, phase_out_plan="  ", justification="")
    assert {"phase_out_plan", "justification"} <= error.value.message_dict.keys()


def test_extensions_are_counted_and_limited(alice, hank, system_a, policy):
    first = approve(hank, request(alice, system_a))
    extension = services.waiver_request(
        user=alice,
        system=system_a,
        fields=waiver_fields(requested_until=first.requested_until + datetime.timedelta(days=60)),
        extends=first,
    )
    assert extension.extension_number == 1
    extension = approve(hank, extension)
    first.refresh_from_db()
    system_a.refresh_from_db()
    assert first.status == WaiverStatus.EXTENDED
    assert system_a.waiver_until == extension.requested_until
    with pytest.raises(ValidationError) as error:
        services.waiver_request(
            user=alice,
            system=system_a,
            fields=waiver_fields(requested_until=extension.requested_until + datetime.timedelta(days=30)),
            extends=extension,
        )
    assert "allows 1 extension" in str(error.value.message_dict["extends"])


def test_an_extension_runs_from_the_end_of_the_waiver_it_extends(alice, hank, system_a, policy):
    first = approve(hank, request(alice, system_a, requested_until=TODAY + datetime.timedelta(days=300)))
    with pytest.raises(ValidationError, match="latest end date"):
        services.waiver_request(
            user=alice,
            system=system_a,
            fields=waiver_fields(requested_until=first.requested_until + datetime.timedelta(days=366)),
            extends=first,
        )


def test_no_blanket_waivers_one_system_one_open_request(alice, system_a, policy):
    request(alice, system_a)
    with pytest.raises(ValidationError, match="already has a waiver request"):
        request(alice, system_a)
    assert Waiver.objects.filter(system=system_a).count() == 1
    assert "system" not in {field.name for field in Waiver._meta.get_fields() if field.many_to_many}


def test_expiry_returns_the_system_to_must_remove_and_tells_its_owner_once(
    alice, hank, system_a, policy, django_capture_on_commit_callbacks
):
    waiver = approve(hank, request(alice, system_a, requested_until=TODAY + datetime.timedelta(days=10)))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.waivers_expire(TODAY + datetime.timedelta(days=10)) == 0  # the last day is still covered
        assert not mail.outbox
        assert services.waivers_expire(TODAY + datetime.timedelta(days=11)) == 1
        assert services.waivers_expire(TODAY + datetime.timedelta(days=11)) == 0  # a second sweep does nothing
    waiver.refresh_from_db()
    system_a.refresh_from_db()
    assert waiver.status == WaiverStatus.EXPIRED
    assert system_a.waiver_until is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [system_a.owner_email]
    assert "must be removed" in mail.outbox[0].subject


def test_a_viewer_cannot_request(victor, system_a, policy):
    with pytest.raises(PermissionDenied):
        request(victor, system_a)


def test_request_and_decide_through_the_pages(client, alice, hank, system_a, policy):
    client.force_login(alice)
    url = reverse("compliance:waiver-request", args=[system_a.pk])
    data = waiver_fields(requested_until="2026-06-18")
    response = client.post(url, data)
    waiver = Waiver.objects.get()
    assert response.status_code == 302 and response.url == waiver.get_absolute_url()
    page = client.get(waiver.get_absolute_url()).content.decode()
    assert "Record decision" not in page  # the requester is offered no decision
    client.force_login(hank)
    assert "Record decision" in client.get(waiver.get_absolute_url()).content.decode()
    client.post(
        reverse("compliance:waiver-decide", args=[waiver.pk]), {"decision": "approve", "version": waiver.version}
    )
    waiver.refresh_from_db()
    assert waiver.status == WaiverStatus.APPROVED


def test_a_stale_decision_is_refused(client, alice, hank, ivy, system_a, policy):
    waiver = request(alice, system_a)
    approve(ivy, waiver)
    with pytest.raises(ValidationError):
        services.waiver_decide(user=hank, waiver=waiver, approve=False, note="No.", version=waiver.version)


def test_the_form_shows_the_limit_by_field(client, alice, system_a, policy):
    client.force_login(alice)
    response = client.post(
        reverse("compliance:waiver-request", args=[system_a.pk]), waiver_fields(requested_until="2028-01-01")
    )
    assert response.status_code == 200
    assert "latest end date is 2027-03-20" in response.content.decode()
    assert not Waiver.objects.exists()
