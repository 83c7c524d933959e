"""The sweep owes reminder rows with set-based SQL, and a re-run at the same instant adds nothing."""

import datetime
import hashlib

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.reminders import services
from procurement.reminders.enums import DigestStatus, ReminderKind, ReminderStatus
from procurement.reminders.models import Digest, Reminder, ReminderPolicy, ReminderPreference
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db


def sweep_and_send(now):
    result = services.reminders_sweep(now)
    counts = services.digests_send(result.digest_ids, now=now)
    return result, counts


def owed(**filters):
    return sorted(Reminder.objects.filter(**filters).values_list("recipient_key", "kind", "offset_days", "notice_on"))


def test_a_second_sweep_at_the_same_instant_creates_nothing_and_sends_nothing(make_milestone, alice):
    make_milestone("2026-03-10")
    make_milestone("2026-03-16")
    now = at("2026-03-09", 9, 5)

    first, sent = sweep_and_send(now)
    assert (first.created, sent.sent) == (2, 1)  # one digest listing both
    assert len(mail.outbox) == 1

    second, sent_again = sweep_and_send(now)
    assert (second.created, second.digest_ids, sent_again.sent) == (0, [], 0)
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 2 and Digest.objects.count() == 1


def test_the_latest_offset_reached_is_owed_once(make_milestone, alice):
    milestone = make_milestone("2026-03-20")
    key = f"user:{alice.pk}"
    services.reminders_sweep(at("2026-03-05"))  # 15 days before: nothing yet
    assert owed() == []
    services.reminders_sweep(at("2026-03-06"))  # 14 days
    services.reminders_sweep(at("2026-03-10"))  # 10 days: still the 14-day notice, owed already
    assert owed() == [(key, "due_soon", 14, datetime.date(2026, 3, 6))]
    services.reminders_sweep(at("2026-03-15"))  # 5 days: the 7-day notice, late but once
    services.reminders_sweep(at("2026-03-19"))
    services.reminders_sweep(at("2026-03-20"))
    assert [row[2] for row in owed(milestone=milestone)] == [0, 1, 7, 14]


def test_overdue_repeats_every_three_days_and_escalates(make_milestone, alice, irene, lena, directive):
    ReminderPolicy.objects.create(directive=directive, oversight_email="Oversight@OMB.example.gov")
    make_milestone("2026-04-01")
    for day in range(2, 16):
        services.reminders_sweep(at(f"2026-04-{day:02d}"))
    overdue_days = [row[3].day for row in owed(kind=ReminderKind.OVERDUE)]
    assert overdue_days == [2, 5, 8, 11, 14]  # 1, 4, 7, 10, 13 days overdue
    # More than 3 days overdue: the component's lead; more than 10: the agency's lead and oversight.
    assert owed(kind=ReminderKind.ESCALATION_COMPONENT) == [
        (f"user:{irene.pk}", "escalation_component", 3, at("2026-04-05").date())
    ]
    assert owed(kind=ReminderKind.ESCALATION_AGENCY) == [
        ("email:oversight@omb.example.gov", "escalation_agency", 10, datetime.date(2026, 4, 12)),
        (f"user:{lena.pk}", "escalation_agency", 10, datetime.date(2026, 4, 12)),
    ]


def test_done_or_moved_before_sending_cancels_what_is_no_longer_true(make_milestone, alice):
    done = make_milestone("2026-03-10")
    moved = make_milestone("2026-03-11")
    kept = make_milestone("2026-03-12")
    now = at("2026-03-09", 9, 1)
    result = services.reminders_sweep(now)
    done.done_at = now
    done.save()
    moved.due_on = datetime.date(2026, 5, 1)
    moved.save()

    counts = services.digests_send(result.digest_ids, now=now)
    assert counts.sent == 1
    assert Reminder.objects.get(milestone=kept).status == ReminderStatus.SENT
    assert Reminder.objects.get(milestone=done).status == ReminderStatus.CANCELLED
    assert Reminder.objects.get(milestone=moved).status == ReminderStatus.CANCELLED
    body = mail.outbox[0].body
    assert kept.title in body and done.title not in body and moved.title not in body


def test_the_next_sweep_cancels_a_notice_no_longer_true_before_its_digest_hour(make_milestone, alice):
    """The Notifications page must not show a notice for a met milestone until the digest goes."""
    done = make_milestone("2026-03-10")
    services.reminders_sweep(at("2026-03-09", 8, 0))  # owed; alice's digest hour (09:00) not reached
    assert Reminder.objects.get(milestone=done).status == ReminderStatus.PENDING
    done.done_at = at("2026-03-09", 8, 2)
    done.save()

    result = services.reminders_sweep(at("2026-03-09", 8, 5))
    assert (result.cancelled, result.digest_ids) == (1, [])
    assert Reminder.objects.get(milestone=done).status == ReminderStatus.CANCELLED


def test_the_digest_carries_its_stored_message_id_and_one_click_unsubscribe(client, make_milestone, alice):
    make_milestone("2026-03-10")
    sweep_and_send(at("2026-03-09"))
    digest = Digest.objects.get()
    message = mail.outbox[0]
    assert message.extra_headers["Message-ID"] == digest.message_id
    # Fixed as the row is made, from what makes the digest unique: its recipient and sweep instant.
    recipient = hashlib.md5(f"user:{alice.pk}".encode()).hexdigest()[:16]
    assert digest.message_id == f"<phaseout-digest-{recipient}.20260309130000000000@localhost>"
    assert message.alternatives[0][1] == "text/html"
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    response = client.post(unsubscribe.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert ReminderPreference.objects.get(user=alice).digest_opt_out


def test_the_digest_escapes_what_people_typed_in_its_html(make_milestone, alice):
    make_milestone("2026-03-10", title='<img src=x onerror="alert(1)"> & Co')
    sweep_and_send(at("2026-03-09"))
    html = mail.outbox[0].alternatives[0][0]
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co" in html
    assert "<img" not in html
    assert '<img src=x onerror="alert(1)"> & Co' in mail.outbox[0].body  # the text part as typed


def test_an_opted_out_owner_gets_notices_in_the_app_only_but_escalations_still_email(make_milestone, alice, irene):
    ReminderPreference.objects.create(user=alice, digest_opt_out=True)
    ReminderPreference.objects.create(user=irene, digest_opt_out=True)
    make_milestone("2026-03-01")
    result, counts = sweep_and_send(at("2026-03-09"))
    assert Reminder.objects.get(kind=ReminderKind.OVERDUE).status == ReminderStatus.SKIPPED
    assert Reminder.objects.get(kind=ReminderKind.ESCALATION_COMPONENT).status == ReminderStatus.SENT
    assert [message.to for message in mail.outbox] == [[irene.email]]
    assert Digest.objects.get().status == DigestStatus.SENT


def test_no_rows_for_another_hour_until_it_comes(make_milestone, alice):
    ReminderPreference.objects.create(user=alice, digest_hour=15)
    make_milestone("2026-03-23")  # 14 days after the 9th: its first notice is that day's
    assert services.reminders_sweep(at("2026-03-09", 14, 59)).created == 0
    assert services.reminders_sweep(at("2026-03-09", 15, 0)).created == 1


def rows_written(table: str) -> tuple[int, int]:
    """(inserted, updated) rows of `table` PostgreSQL counted for this connection and not yet reported.

    That includes earlier tests' rows: compare two readings within one test (one transaction, so no report between).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_tup_ins, n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts rows written through PostgreSQL's statistics")
def test_each_notice_is_written_once_pointing_at_its_recipients_one_digest(make_milestone, alice):
    """Due-soon and overdue notices come from two statements: the second finds the digest the first made."""
    make_milestone("2026-03-10")
    make_milestone("2026-03-01")
    inserted, updated = rows_written(Reminder._meta.db_table)
    result = services.reminders_sweep(at("2026-03-09"))

    digest = Digest.objects.get()
    assert result.digest_ids == [digest.pk]
    assert sorted(Reminder.objects.values_list("kind", "digest")) == [
        (ReminderKind.DUE_SOON, digest.pk),
        (ReminderKind.OVERDUE, digest.pk),
    ]
    assert rows_written(Reminder._meta.db_table) == (inserted + 2, updated)  # not inserted loose, then updated


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_the_look_for_lost_workers_reads_only_the_digests_left_sending(alice):
    """Sent digests pile up by the thousand a day; each sweep must not read them all to find the few in flight."""
    now = at("2026-03-09")
    common = {"recipient_email": alice.email, "swept_at": now, "next_attempt_at": now}
    Digest.objects.bulk_create(
        [Digest(recipient_key=f"user:{n}", status=DigestStatus.SENT, sent_at=now, **common) for n in range(3000)]
        + [Digest(recipient_key="user:lost", status=DigestStatus.SENDING, claimed_at=now, **common)]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Digest._meta.db_table}")
    with CaptureQueriesContext(connection) as queries:
        assert services.digests_mark_lost(now + datetime.timedelta(hours=1)) == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "digest_sending_idx" in plan, plan


def seq_scans(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts PostgreSQL's table scans")
def test_the_commits_foreign_key_checks_find_each_agency_by_its_key(make_milestone, alice, component_a):
    """A scan of the agencies for each new notice was a third of the sweep's commit at 45,000 notices."""
    make_milestone("2026-03-10")
    make_milestone("2026-03-11")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {component_a._meta.db_table}")  # as autovacuum would: a table of one page
    services.reminders_sweep(at("2026-03-09"))
    scans = seq_scans(component_a._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks the commit makes (the test never commits)
    assert seq_scans(component_a._meta.db_table) == scans
