"""iCal feeds: they parse, hold the right deadlines, read as their owner, and revoke to 404."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from procurement.compliance import services
from procurement.compliance.enums import FeedScope
from procurement.compliance.models import CalendarFeed
from tests.compliance.test_waivers import approve, request


def events(client, token):
    response = client.get(reverse("compliance:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(event["summary"]): event.decoded("dtstart") for event in calendar.walk("VEVENT")}


def test_a_users_feed_has_directive_deadlines_removals_and_waiver_ends(client, alice, hank, system_a, system_b, policy):
    waiver = approve(hank, request(alice, system_a))
    _, token = services.feed_create(user=alice, scope=FeedScope.USER)
    found = events(client, token)  # no sign-in: the token is the credential
    assert found["AI-2026-01: Identify covered systems"] == datetime.date(2026, 3, 29)
    assert found["AI-2026-01: Removal plans due"] == datetime.date(2026, 4, 28)
    assert found["AI-2026-01: status report 1 due"] == datetime.date(2026, 3, 29)
    assert found["IRS: 1 system to remove (AI-2026-01)"] == system_a.removal_deadline
    assert found[f"Waiver ends: {system_a.name}"] == waiver.requested_until
    assert not any(summary.startswith("DOD") for summary in found)  # another agency's systems stay out


def test_an_agency_feed_covers_that_agency_only(client, olga, system_a, system_b):
    _, token = services.feed_create(user=olga, scope=FeedScope.AGENCY, agency=system_b.agency)
    found = events(client, token)
    assert any(summary.startswith("DOD:") for summary in found)
    assert not any(summary.startswith("IRS:") for summary in found)


def test_a_revoked_or_unknown_token_gets_404(client, alice):
    feed, token = services.feed_create(user=alice, scope=FeedScope.USER)
    services.feed_revoke(user=alice, feed=feed)
    assert client.get(reverse("compliance:feed", args=[token])).status_code == 404
    assert client.get(reverse("compliance:feed", args=["not-a-token"])).status_code == 404


def test_a_feed_stops_when_its_owner_loses_the_agency(client, alice, system_a):
    _, token = services.feed_create(user=alice, scope=FeedScope.AGENCY, agency=system_a.agency)
    alice.memberships.all().delete()
    assert client.get(reverse("compliance:feed", args=[token])).status_code == 404


def test_only_the_hash_of_the_token_is_kept(alice):
    feed, token = services.feed_create(user=alice, scope=FeedScope.USER)
    assert token not in str(CalendarFeed.objects.filter(pk=feed.pk).values().get())


def test_no_feed_for_an_agency_one_cannot_see(bob, agency_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.feed_create(user=bob, scope=FeedScope.AGENCY, agency=agency_a)


def test_make_and_revoke_through_the_page(client, alice):
    client.force_login(alice)
    response = client.post(reverse("compliance:feed-list"), {"scope": "user"})
    url = response.context["new_url"]
    assert url.endswith(".ics")
    client.logout()
    assert client.get(url).status_code == 200
    client.force_login(alice)
    feed = CalendarFeed.objects.get()
    client.post(reverse("compliance:feed-revoke", args=[feed.pk]))
    client.logout()
    assert client.get(url).status_code == 404


def milestone(agency, directive, owner, title, due_on, **fields):
    from planner.enums import MilestoneKind
    from planner.models import Milestone

    return Milestone.objects.create(
        agency=agency,
        directive=directive,
        owner=owner,
        title=title,
        due_on=due_on,
        kind=fields.pop("kind", MilestoneKind.CUT_OVER),
        **fields,
    )


def test_a_users_feed_has_the_milestones_they_own(client, alice, lena, directive, component_a, system_a):
    mine = milestone(component_a, directive, alice, "Cut over the chat assistant", datetime.date(2026, 5, 4))
    milestone(component_a, directive, lena, "Lena's cut-over", datetime.date(2026, 5, 5))
    milestone(
        component_a,
        directive,
        alice,
        "Already done",
        datetime.date(2026, 5, 6),
        done_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )
    _, token = services.feed_create(user=alice, scope=FeedScope.USER)
    found = events(client, token)
    assert found["IRS: Cut over the chat assistant"] == mine.due_on
    assert "IRS: Lena's cut-over" not in found and "IRS: Already done" not in found


def test_an_agency_feed_has_the_agencys_milestones(client, olga, alice, bob, directive, component_a, agency_b):
    milestone(component_a, directive, alice, "Cut over the chat assistant", datetime.date(2026, 5, 4))
    milestone(agency_b, directive, bob, "Targeting cut-over", datetime.date(2026, 5, 5))
    _, token = services.feed_create(user=olga, scope=FeedScope.AGENCY, agency=component_a.parent)
    found = events(client, token)
    assert found["IRS: Cut over the chat assistant"] == datetime.date(2026, 5, 4)  # a component's, below the agency
    assert not any("Targeting" in summary for summary in found)
