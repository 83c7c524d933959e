"""Sending to a real SMTP server: a temporary failure is retried with backoff and delivered once."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from procurement.reminders.enums import DigestStatus, ReminderStatus
from procurement.reminders.models import Digest, Reminder
from tests.reminders.conftest import at
from tests.reminders.smtp_sink import SinkServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SinkServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        yield server


def send_reminders(now: datetime.datetime) -> dict:
    out = StringIO()
    call_command("send_reminders", "--now", now.isoformat(), stdout=out)
    return json.loads(out.getvalue())


def test_a_refused_send_is_retried_after_its_backoff_and_delivered_once(smtp, make_milestone, alice):
    make_milestone("2026-03-10")
    smtp.sink.refuse = 1
    now = at("2026-03-09", 9, 0)

    first = send_reminders(now)
    assert (first["created"], first["sent"], first["failed"]) == (1, 0, 1)
    digest = Digest.objects.get()
    assert digest.status == DigestStatus.PENDING and digest.attempts == 1
    assert "451" in digest.last_error
    assert digest.next_attempt_at == now + datetime.timedelta(minutes=1)

    assert send_reminders(now + datetime.timedelta(seconds=30))["sent"] == 0  # backing off
    assert send_reminders(now + datetime.timedelta(minutes=1))["sent"] == 1
    assert send_reminders(now + datetime.timedelta(minutes=5))["sent"] == 0
    assert smtp.sink.message_ids() == [digest.message_id]
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == (DigestStatus.SENT, 2)
    assert "451" in digest.last_error  # the failure stays recorded
    assert Reminder.objects.get().status == ReminderStatus.SENT


def test_a_permanent_refusal_fails_at_once_and_is_shown(smtp, make_milestone, alice, settings):
    make_milestone("2026-03-10")
    alice.email = "nobody@example.gov"
    alice.save()

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"

    smtp.sink.handle_RCPT = refuse
    result = send_reminders(at("2026-03-09"))
    assert (result["sent"], result["failed"]) == (0, 1)
    digest = Digest.objects.get()
    assert digest.status == DigestStatus.FAILED and "550" in digest.last_error
    assert Reminder.objects.get().status == ReminderStatus.FAILED
    assert send_reminders(at("2026-03-09", 12))["sent"] == 0


def test_the_command_prints_one_json_line(smtp, make_milestone, alice, victor):
    make_milestone("2026-03-10")
    make_milestone("2026-03-11", owner=victor)
    victor.email = ""
    victor.save()
    out = StringIO()
    call_command("send_reminders", "--now", "2026-03-09T09:30:00-04:00", stdout=out)
    line = out.getvalue()
    assert line.count("\n") == 1
    result = json.loads(line)
    assert set(result) == {"created", "sent", "failed", "skipped", "seconds"}
    assert (result["created"], result["sent"], result["failed"], result["skipped"]) == (2, 1, 0, 1)


def test_a_bad_now_is_refused_with_its_value(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="'yesterday' is not an ISO date"):
        call_command("send_reminders", "--now", "yesterday")
