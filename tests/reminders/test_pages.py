"""The notifications page, the header count, per-milestone reminders, settings and the staff queue."""

from pathlib import Path

import pytest
from django.urls import reverse

from procurement.reminders import selectors, services
from procurement.reminders.models import Digest, ReminderPreference
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def swept(make_milestone, alice):
    milestone = make_milestone("2026-03-10")
    result = services.reminders_sweep(at("2026-03-09"))
    services.digests_send(result.digest_ids, now=at("2026-03-09"))
    return milestone


def test_notices_show_in_the_app_with_an_unread_count_in_the_header(client, alice, swept):
    client.force_login(alice)
    page = client.get(reverse("reminders:notifications")).content.decode()
    assert swept.title in page
    assert "Notifications <span" in page and '1<span class="usa-sr-only"> unread' in page
    client.post(reverse("reminders:notifications-read"))
    page = client.get(reverse("reminders:notifications")).content.decode()
    assert "unread</span>" not in page


def test_another_user_sees_none_of_my_notices_and_outsiders_get_404_on_the_milestone(client, bob, alice, swept):
    client.force_login(bob)
    assert swept.title not in client.get(reverse("reminders:notifications")).content.decode()
    assert client.get(reverse("reminders:milestone", args=[swept.pk])).status_code == 404
    client.force_login(alice)
    page = client.get(reverse("reminders:milestone", args=[swept.pk])).content.decode()
    assert "Reminders sent and pending" in page and "Sent" in page


def test_settings_from_a_stale_page_are_refused(client, alice):
    client.force_login(alice)
    assert client.post(reverse("reminders:settings"), {"digest_hour": 7, "version": 1}).status_code == 302
    response = client.post(reverse("reminders:settings"), {"digest_hour": 18, "digest_opt_out": "on", "version": 1})
    assert response.status_code == 400 and "changed elsewhere" in response.content.decode()
    preference = ReminderPreference.objects.get(user=alice)
    assert (preference.digest_hour, preference.digest_opt_out) == (7, False)
    assert client.post(reverse("reminders:settings"), {"digest_hour": 24, "version": 2}).status_code == 400


def test_the_queue_is_for_administrators_and_shows_failures(client, alice, root, swept):
    Digest.objects.update(status="failed", last_error="SMTPDataError: 554 rejected")
    client.force_login(alice)
    assert client.get(reverse("reminders:queue")).status_code == 403
    client.force_login(root)
    page = client.get(reverse("reminders:queue"), {"status": "failed"}).content.decode()
    assert "554 rejected" in page and "Failed: 1" in page


def test_an_unsubscribe_link_that_is_not_ours_is_404(client):
    assert client.post(reverse("reminders:unsubscribe", args=["forged"])).status_code == 404


def test_the_milestone_page_lists_its_reminders_sent_and_pending(client, alice, bob, swept, make_milestone):
    pending = make_milestone("2026-03-16")
    services.reminders_sweep(at("2026-03-09", 10))  # owed, not sent yet
    client.force_login(alice)
    page = client.get(reverse("planner:milestone-detail", args=[swept.pk])).content.decode()
    assert 'id="reminders-heading"' in page and "Reminders sent and pending" in page
    assert "Due soon" in page and "<td>Sent</td>" in page
    page = client.get(reverse("planner:milestone-detail", args=[pending.pk])).content.decode()
    assert "<td>Pending</td>" in page and "<td>Sent</td>" not in page
    client.force_login(bob)  # another agency: the milestone, and so its reminders, are a 404
    assert client.get(reverse("planner:milestone-detail", args=[swept.pk])).status_code == 404
    assert selectors.reminders_of_milestone(bob, swept.pk) == []
    assert len(selectors.reminders_of_milestone(alice, swept.pk)) == 1


def test_the_header_count_badge_is_styled():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("phaseout/phaseout.css")).read_text()
    assert ".phaseout-notice-count {" in css and "background-color: #b50909" in css
