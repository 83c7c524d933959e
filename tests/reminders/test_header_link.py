"""The header's notifications link (reminders.templatetags.reminders.notifications_link)."""

import pytest
from django.urls import reverse

from procurement.reminders import selectors, services
from procurement.reminders.enums import ReminderStatus
from procurement.reminders.models import Reminder
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db

LINK = '<a class="usa-nav-link{}" href="/notifications/"><span>Notifications{}</span></a>'
UNREAD = ' <span class="usa-tag phaseout-notice-count">1<span class="usa-sr-only"> unread</span></span>'


def test_the_link_counts_unread_notices_on_every_page_and_is_marked_on_its_own(client, alice, make_milestone):
    make_milestone("2026-03-10")
    services.digests_send(services.reminders_sweep(at("2026-03-09")).digest_ids, now=at("2026-03-09"))
    client.force_login(alice)
    assert LINK.format("", UNREAD) in client.get(reverse("inventory:system-list")).content.decode()
    own_page = client.get(reverse("reminders:notifications")).content.decode()
    assert LINK.format(' usa-current" aria-current="page', UNREAD) in own_page
    client.post(reverse("reminders:notifications-read"))
    assert LINK.format("", "") in client.get(reverse("inventory:system-list")).content.decode()


def test_the_count_is_of_ones_own_notices_neither_read_nor_cancelled(alice, bob, make_milestone):
    for due_on in ("2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"):
        make_milestone(due_on, title=f"Milestone due {due_on}")
    services.reminders_sweep(at("2026-03-09"))
    read, cancelled, others, unread = Reminder.objects.for_recipient(alice).order_by("due_on")
    Reminder.objects.filter(pk=read.pk).update(read_at=at("2026-03-09"))
    Reminder.objects.filter(pk=cancelled.pk).update(status=ReminderStatus.CANCELLED)
    Reminder.objects.filter(pk=others.pk).update(recipient=bob)
    assert selectors.unread_count(alice) == 1 and selectors.unread_count(bob) == 1
