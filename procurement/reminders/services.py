"""Writes of the reminders app: the sweep that owes reminders, and the sending of digests.

Rows first: `reminders_sweep` inserts Reminder rows with one INSERT ... SELECT per group
(unique constraints make a re-run insert nothing), gathers each recipient's pending rows
into one Digest whose Message-ID is stored at once, and returns the digests to send.
`digests_send` claims a batch of digests with one conditional UPDATE and sends only the
ones it won, cancelling first the notices no longer true; a digest left "sending" by a
lost worker becomes "in doubt" and is sent again with the same Message-ID.
"""

from __future__ import annotations

import datetime
import logging
import operator
import smtplib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import MD5, Cast, Coalesce, Concat, Left
from django.utils import timezone

from planner.models import Milestone
from procurement.inventory.enums import Role
from procurement.inventory.models import Agency
from procurement.reminders import emails, schedule
from procurement.reminders.enums import CLAIMABLE_DIGEST_STATUSES, DigestStatus, ReminderKind, ReminderStatus
from procurement.reminders.models import (
    AgencyTimeZone,
    BeatLease,
    Digest,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
)
from procurement.reminders.sql import insert_from_select, select_sql, update_returning

logger = logging.getLogger(__name__)

REMINDER_COLUMNS = {
    "milestone_id": "r_milestone",
    "agency_id": "r_agency",
    "recipient_id": "r_recipient",
    "recipient_key": "r_key",
    "recipient_email": "r_email",
    "kind": "r_kind",
    "due_on": "r_due_on",
    "offset_days": "r_offset",
    "notice_on": "r_notice_on",
    "status": "r_status",
    "created_at": "r_created_at",
    "digest_id": "r_digest",
}
DIGEST_COLUMNS = {
    "recipient_key": "r_key",
    "recipient_id": "r_recipient",
    "recipient_email": "r_email",
    "swept_at": "d_swept_at",
    "next_attempt_at": "d_swept_at",
    "status": "d_status",
    "was_in_doubt": "d_false",
    "attempts": "d_zero",
    "message_id": "d_message_id",
    "last_error": "d_blank",
}


@dataclass(frozen=True)
class SweepResult:
    created: int
    in_app_only: int  # of `created`: opted out of the digest, or no email address
    cancelled: int  # pending notices no longer true
    in_doubt: int
    digest_ids: list[int]


@dataclass
class SendCounts:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0  # cancelled (nothing left true), or claimed by another worker

    def add(self, other: SendCounts) -> None:
        for name in ("sent", "failed", "retrying", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class SweepGroup:
    """Everyone whose notice date is `notice_on` at the sweep's instant.

    `reach` holds, per zone, its agencies and the range of digest hours that give that
    date there: so one statement per kind covers every zone and hour sharing the date.
    """

    notice_on: datetime.date
    reach: tuple[tuple[tuple[int, ...], int, int], ...]  # (agency ids, first hour, last hour)

    def reached(self) -> Q:
        """Milestones of the group's agencies, for recipients (`r_hour`) whose digest hour gives this date."""
        parts = [Q(agency_id__in=ids, r_hour__gte=first, r_hour__lte=last) for ids, first, last in self.reach]
        return reduce(operator.or_, parts)

    def reached_at(self, hour: int) -> Q | None:
        """Milestones of the agencies where digest hour `hour` gives this date; None if none does."""
        parts = [Q(agency_id__in=agency_ids) for agency_ids, first, last in self.reach if first <= hour <= last]
        return reduce(operator.or_, parts) if parts else None


# The sweep -----------------------------------------------------------------------------


def reminders_sweep(now: datetime.datetime) -> SweepResult:
    """Owes, cancels and gathers reminders as of `now`, in one transaction; returns the digests due to send.

    While another sweep runs (a second beat, the command) this one does nothing: that
    sweep does the same work, and a re-run would add nothing anyway.
    """
    with transaction.atomic():
        if not _sweep_lock_taken():
            return SweepResult(created=0, in_app_only=0, cancelled=0, in_doubt=0, digest_ids=[])
        in_doubt = digests_mark_lost(now)
        cancelled = reminders_cancel_untrue()
        created = sum(_owe(group, policy, directives, now) for group, policy, directives in _work(now))
        in_app_only = Reminder.objects.filter(created_at=now, status=ReminderStatus.SKIPPED).count() if created else 0
        _gather_digests(now)
        digest_ids = _take_due_digests(now)
        _check_foreign_keys_by_index()
    return SweepResult(
        created=created, in_app_only=in_app_only, cancelled=cancelled, in_doubt=in_doubt, digest_ids=digest_ids
    )


def _sweep_lock_taken() -> bool:
    """PostgreSQL: a transaction-scoped advisory lock, or False if another sweep holds it.

    SQLite's IMMEDIATE transactions already let one writer in at a time.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext('phaseout.reminders.sweep'))")
        return bool(cursor.fetchone()[0])


def _check_foreign_keys_by_index() -> None:
    """PostgreSQL: the commit's foreign-key checks of the new notices find each agency by its key.

    Every notice's agency, milestone, recipient and digest are checked at commit, by
    queries PostgreSQL plans once per connection, under the settings of the moment. The
    agencies are a table of a few pages, which it plans as a scan of every row: 45,000
    such checks took 0.5 s of a 1.5–2.4 s commit (load average 5). Set last, so that no
    statement of the sweep is planned under it; it ends with the transaction. A check
    planned earlier on this connection keeps its plan until PostgreSQL replans it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")


def _work(now: datetime.datetime) -> Iterator[tuple[SweepGroup, schedule.Policy, Q]]:
    """Each notice date with each distinct policy: a handful of statement sets, whatever the zones and hours."""
    policies = _policies()
    for group in _groups(now):
        for policy, directives in policies:
            yield group, policy, directives


def _groups(now: datetime.datetime) -> list[SweepGroup]:
    reach: dict[datetime.date, list[tuple[tuple[int, ...], int, int]]] = {}
    for zone, agency_ids in _agencies_by_zone().items():
        for hours in schedule.hour_ranges(now, zone):
            reach.setdefault(hours.notice_on, []).append((tuple(agency_ids), hours.first, hours.last))
    return [SweepGroup(notice_on, tuple(parts)) for notice_on, parts in sorted(reach.items())]


def _policies() -> list[tuple[schedule.Policy, Q]]:
    """Each distinct policy with the milestones it rules (by directive); directives without one share the defaults."""
    directive_ids: dict[schedule.Policy, list[int]] = {}
    for policy in ReminderPolicy.objects.all():
        directive_ids.setdefault(policy.as_policy(), []).append(policy.directive_id)
    ruled = {policy: Q(directive_id__in=ids) for policy, ids in directive_ids.items()}
    without_policy = ~Q(directive_id__in=[pk for ids in directive_ids.values() for pk in ids])
    default = schedule.Policy()
    ruled[default] = ruled[default] | without_policy if default in ruled else without_policy
    return list(ruled.items())


def agency_zones() -> dict[int, str]:
    """Each agency's zone: its own, else its parent's (up the tree), else TIME_ZONE."""
    own = dict(AgencyTimeZone.objects.values_list("agency_id", "time_zone"))
    parents = dict(Agency.objects.values_list("pk", "parent_id"))
    zones = {}
    for agency_id in parents:
        current, seen = agency_id, set()
        while current is not None and current not in own and current not in seen:
            seen.add(current)
            current = parents.get(current)
        zones[agency_id] = own.get(current, settings.TIME_ZONE)
    return zones


def _agencies_by_zone() -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for agency_id, zone in agency_zones().items():
        grouped.setdefault(zone, []).append(agency_id)
    return grouped


def _owe(group: SweepGroup, policy: schedule.Policy, directives: Q, now: datetime.datetime) -> int:
    """Digests first (one per recipient of a new pending notice), then the notices, each pointing at its digest.

    Setting the digest as the row is inserted spares a second write of every row; each
    statement leaves out notices already owed, so a re-run builds nothing to discard.
    """
    milestones = Milestone.objects.open().filter(directives)
    statements = [
        _due_soon(milestones, group, policy),
        _overdue(milestones, group, policy),
        *_component_escalation(milestones, group, policy),
        *_agency_escalation(milestones, group, policy),
    ]
    owed = [_stamped(query, group.notice_on, now) for query in statements]
    if connection.vendor == "postgresql":
        return sum(_insert_owed(query, now) for query in owed)
    return _insert_owed_in_two(owed, now)


def _insert_owed_in_two(owed: list[QuerySet], now: datetime.datetime) -> int:
    """SQLite, which has no INSERT in WITH: the digests, then the notices, each statement computing what is owed.

    A statement with nothing owed is found empty once (EXISTS) rather than by both inserts.
    """
    owed = [query for query in owed if query.exists()]
    for query in owed:
        insert_from_select(Digest, DIGEST_COLUMNS, _digests_of(query, now))
    return sum(insert_from_select(Reminder, REMINDER_COLUMNS, _with_digest(query, now)) for query in owed)


OWED_SQL = """
WITH owed ({owed_columns}) AS MATERIALIZED ({owed}),
made AS (
    INSERT INTO {digest} (recipient_key, recipient_id, recipient_email, swept_at, next_attempt_at, status,
        was_in_doubt, attempts, message_id, last_error)
    SELECT r_key, r_recipient, r_email, %s, %s, %s, false, 0, %s || left(md5(r_key), 16) || %s, ''
    FROM owed WHERE r_status = %s GROUP BY r_key, r_recipient, r_email
    ON CONFLICT DO NOTHING
    RETURNING id, recipient_key
)
INSERT INTO {reminder} ({reminder_columns}, digest_id)
SELECT {owed_columns}, CASE WHEN r_status = %s THEN coalesce(
    made.id,
    (SELECT earlier.id FROM {digest} earlier WHERE earlier.recipient_key = owed.r_key AND earlier.swept_at = %s)
) END
FROM owed LEFT JOIN made ON made.recipient_key = owed.r_key
ON CONFLICT DO NOTHING
"""


def _insert_owed(owed: QuerySet, now: datetime.datetime) -> int:
    """PostgreSQL: one statement makes the digests of `owed`'s new pending notices, then the notices pointing at them.

    What is owed (the joins, and the anti-join on notices owed already) is computed once,
    not once for the digests and again for the notices. The notices cannot see the
    digests inserted by their own statement: they take those from its RETURNING, and a
    digest made earlier in the sweep (another statement's) from the table by its unique
    key, one probe each rather than a join that could read every digest ever made.
    Returns how many notices were new.
    """
    columns = {column: name for column, name in REMINDER_COLUMNS.items() if column != "digest_id"}
    owed_select, owed_params = select_sql(owed, columns.values())
    quote = connection.ops.quote_name
    statement = OWED_SQL.format(
        owed_columns=", ".join(columns.values()),
        owed=owed_select,
        digest=quote(Digest._meta.db_table),
        reminder=quote(Reminder._meta.db_table),
        reminder_columns=", ".join(quote(column) for column in columns),
    )
    prefix, suffix = _message_id_parts(now)
    pending = ReminderStatus.PENDING
    params = [*owed_params, now, now, DigestStatus.PENDING, prefix, suffix, pending, pending, now]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _digests_of(owed: QuerySet, now: datetime.datetime) -> QuerySet:
    """One row per recipient of a pending notice in `owed`: the digest that will carry it."""
    return (
        owed.filter(r_status=ReminderStatus.PENDING)
        .annotate(d_message_id=_message_id(F("r_key"), now), **_new_digest_values(now))
        .distinct()
    )


def _with_digest(owed: QuerySet, now: datetime.datetime) -> QuerySet:
    digest = Digest.objects.filter(recipient_key=OuterRef("r_key"), swept_at=now).order_by().values("pk")[:1]
    return owed.annotate(
        r_digest=Case(
            When(r_status=ReminderStatus.PENDING, then=Subquery(digest)), default=None, output_field=IntegerField()
        )
    )


def _new_digest_values(now: datetime.datetime) -> dict:
    return {
        "d_swept_at": Value(now),
        "d_status": Value(DigestStatus.PENDING),
        "d_false": Value(False),
        "d_zero": Value(0),
        "d_blank": Value(""),
    }


def _message_id(recipient_key, now: datetime.datetime) -> Concat:
    """Fixed as the digest row is made: unique by (recipient, sweep instant), as the digest itself.

    Short enough (with a short domain) for one header line: mail software folds longer ones.
    """
    prefix, suffix = _message_id_parts(now)
    return Concat(Value(prefix), Left(MD5(recipient_key), 16), Value(suffix))


def _message_id_parts(now: datetime.datetime) -> tuple[str, str]:
    """What comes before and after the 16 hex digits of the recipient key's MD5 in a digest's Message-ID."""
    return "<phaseout-digest-", f".{now.strftime('%Y%m%d%H%M%S%f')}@{emails.message_id_domain()}>"


def _days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def _to_user(milestones: QuerySet, user_path: str, group: SweepGroup, opt_out_applies: bool) -> QuerySet:
    """Annotates the recipient (a user, `user_path` from the milestone) and keeps those this group reaches."""
    hour = Coalesce(F(f"{user_path}__reminder_preference__digest_hour"), Value(schedule.DEFAULT_DIGEST_HOUR))
    email_only_in_app = Q(**{f"{user_path}__email": ""})
    if opt_out_applies:
        email_only_in_app |= Q(**{f"{user_path}__reminder_preference__digest_opt_out": True})
    return (
        milestones.filter(**{f"{user_path}__is_active": True})
        .alias(r_hour=hour)
        .filter(group.reached())
        .annotate(
            r_recipient=F(f"{user_path}__id"),
            r_key=Concat(Value("user:"), Cast(f"{user_path}__id", CharField())),
            r_email=F(f"{user_path}__email"),
            r_status=Case(
                When(email_only_in_app, then=Value(ReminderStatus.SKIPPED)),
                default=Value(ReminderStatus.PENDING),
                output_field=CharField(),
            ),
        )
    )


def _due_soon(milestones: QuerySet, group: SweepGroup, policy: schedule.Policy) -> QuerySet:
    windows = schedule.due_soon_windows(policy.offsets)
    latest = group.notice_on + _days(windows[-1].last)
    offset = Case(
        *[When(due_on__lte=group.notice_on + _days(window.last), then=Value(window.offset)) for window in windows],
        output_field=IntegerField(),
    )
    owed = milestones.filter(due_on__gte=group.notice_on, due_on__lte=latest)
    owed_to_owner = _to_user(owed, "owner", group, opt_out_applies=True)
    return _not_owed_yet(owed_to_owner.annotate(r_kind=Value(ReminderKind.DUE_SOON), r_offset=offset))


def _overdue(milestones: QuerySet, group: SweepGroup, policy: schedule.Policy) -> QuerySet:
    """Overdue milestones whose owner had no overdue notice in the last `overdue_repeat_days` days.

    The check matches the unique key's leading columns (milestone, recipient key, kind,
    due date), so it probes that index rather than every notice of the owner.
    """
    recent = Reminder.objects.filter(
        milestone=OuterRef("pk"),
        recipient_key=OuterRef("r_key"),
        kind=ReminderKind.OVERDUE,
        due_on=OuterRef("due_on"),
        notice_on__gt=group.notice_on - _days(policy.overdue_repeat_days),
    )
    owed = _to_user(milestones.filter(due_on__lt=group.notice_on), "owner", group, opt_out_applies=True)
    return owed.exclude(Exists(recent)).annotate(r_kind=Value(ReminderKind.OVERDUE), r_offset=Value(0))


def _leads(milestones: QuerySet, agency_path: str) -> QuerySet:
    """One row per milestone and transition lead of the agency at `agency_path`."""
    return milestones.annotate(
        lead=FilteredRelation(
            f"{agency_path}__memberships", condition=Q(**{f"{agency_path}__memberships__role": Role.TRANSITION_LEAD})
        )
    ).filter(lead__isnull=False)


def _escalated(milestones: QuerySet, group: SweepGroup, kind: str, after_days: int) -> QuerySet:
    owed = _to_user(milestones, "lead__user", group, opt_out_applies=False)
    return _not_owed_yet(owed.annotate(r_kind=Value(kind), r_offset=Value(after_days)))


def _not_owed_yet(owed: QuerySet) -> QuerySet:
    """Leaves out notices owed once per offset and due date that a previous sweep already made.

    The unique constraint alone would keep a re-run from adding rows, but only after
    building every row and discarding it; this anti-join on the same key skips them first.
    """
    earlier = Reminder.objects.filter(
        milestone=OuterRef("pk"),
        recipient_key=OuterRef("r_key"),
        kind=OuterRef("r_kind"),
        due_on=OuterRef("due_on"),
        offset_days=OuterRef("r_offset"),
    )
    return owed.exclude(Exists(earlier))


def _component_escalation(milestones: QuerySet, group: SweepGroup, policy: schedule.Policy) -> list[QuerySet]:
    after = policy.lead_escalation_after_days
    overdue = milestones.filter(due_on__lt=group.notice_on - _days(after))
    return [_escalated(_leads(overdue, "agency"), group, ReminderKind.ESCALATION_COMPONENT, after)]


def _agency_escalation(milestones: QuerySet, group: SweepGroup, policy: schedule.Policy) -> list[QuerySet]:
    """The department's leads (the agency's own for a department) and the directive's oversight contact."""
    after = policy.agency_escalation_after_days
    overdue = milestones.filter(due_on__lt=group.notice_on - _days(after))
    kind = ReminderKind.ESCALATION_AGENCY
    statements = [
        _escalated(_leads(overdue.filter(agency__parent__isnull=False), "agency__parent"), group, kind, after),
        _escalated(_leads(overdue.filter(agency__parent__isnull=True), "agency"), group, kind, after),
    ]
    reached = group.reached_at(schedule.DEFAULT_DIGEST_HOUR)  # a contact without an account: the default hour
    if policy.oversight_email and reached is not None:
        address = policy.oversight_email.lower()
        oversight = overdue.filter(reached).annotate(
            r_recipient=Cast(Value(None), BigIntegerField()),  # typed: a bare NULL in SELECT DISTINCT is text
            r_key=Value(f"email:{address}"),
            r_email=Value(address),
            r_status=Value(ReminderStatus.PENDING),
            r_kind=Value(kind),
            r_offset=Value(after),
        )
        statements.append(_not_owed_yet(oversight))
    return statements


def _stamped(query: QuerySet, notice_on: datetime.date, now: datetime.datetime) -> QuerySet:
    """The columns every statement shares."""
    return query.annotate(
        r_milestone=F("pk"),
        r_agency=F("agency_id"),
        r_due_on=F("due_on"),
        r_notice_on=Value(notice_on, output_field=DateField()),
        r_created_at=Value(now),
    )


def reminders_cancel_untrue(digest_ids: list[int] | None = None) -> int:
    """Pending notices (of these digests, or all) no longer true: the milestone is done, moved or reassigned.

    The worker checks its batch just before sending, the moment that counts for the email;
    the sweep checks every pending notice, so that the Notifications page and a milestone's
    reminders stop showing a notice within a sweep of it becoming untrue, not at the digest hour.
    """
    untrue = (
        Q(milestone__done_at__isnull=False)
        | ~Q(due_on=F("milestone__due_on"))
        | Q(kind__in=[ReminderKind.DUE_SOON, ReminderKind.OVERDUE])
        & (Q(milestone__owner__isnull=True) | ~Q(recipient_id=F("milestone__owner_id")))
    )
    pending = Reminder.objects.filter(status=ReminderStatus.PENDING)
    if digest_ids is not None:
        pending = pending.filter(digest_id__in=digest_ids)
    return pending.filter(untrue).update(status=ReminderStatus.CANCELLED)


def digests_mark_lost(now: datetime.datetime, digest_ids: list[int] | None = None) -> int:
    """Digests claimed longer ago than the lease: their worker was lost, maybe after the SMTP server took them."""
    lost = Digest.objects.filter(status=DigestStatus.SENDING, claimed_at__lt=now - _lease())
    if digest_ids is not None:
        lost = lost.filter(pk__in=digest_ids)
    count = lost.update(status=DigestStatus.IN_DOUBT, was_in_doubt=True)
    if count:
        logger.warning("reminders: %d digest(s) in doubt after a lost worker; they are sent again", count)
    return count


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REMINDER_SENDING_LEASE_SECONDS)


def _gather_digests(now: datetime.datetime) -> None:
    """A digest per recipient for pending notices not in one yet (made between `_owe`'s statements): rare, small."""
    loose = Reminder.objects.filter(status=ReminderStatus.PENDING, digest__isnull=True)
    per_recipient = loose.values("recipient_key").annotate(
        r_key=F("recipient_key"),
        r_recipient=Max("recipient_id"),
        r_email=Max("recipient_email"),
        d_message_id=_message_id(F("recipient_key"), now),
        **_new_digest_values(now),
    )
    insert_from_select(Digest, DIGEST_COLUMNS, per_recipient)
    loose.update(
        digest_id=Subquery(
            Digest.objects.filter(recipient_key=OuterRef("recipient_key"), swept_at=now).order_by().values("pk")[:1]
        )
    )


def _take_due_digests(now: datetime.datetime) -> list[int]:
    """Digests to hand to the workers: due, and not handed over within the lease (a lost task is re-sent)."""
    due = Digest.objects.filter(status__in=CLAIMABLE_DIGEST_STATUSES, next_attempt_at__lte=now).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - _lease())
    )
    digest_ids = list(due.order_by("pk").values_list("pk", flat=True))
    Digest.objects.filter(pk__in=digest_ids).update(enqueued_at=now)
    return digest_ids


# Sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A digest this worker won: `attempt` fences every later write about it."""

    digest_id: int
    attempt: int
    addressee: emails.Addressee


def digests_send(digest_ids: Iterable[int], now: datetime.datetime | None = None) -> SendCounts:
    """Sends a batch of digests over one SMTP connection, reading and writing the database per batch.

    One statement claims every digest of the batch still claimable, one cancels their
    notices no longer true and one reads the rest. Each outcome is recorded as soon as
    the server answers, so a lost worker leaves only the message in flight in doubt.
    """
    now = now or timezone.now()
    requested = list(dict.fromkeys(digest_ids))
    claims = digests_claim(requested, now) if requested else []
    counts = SendCounts(skipped=len(requested) - len(claims))
    if not claims:
        return counts
    reminders_cancel_untrue([claim.digest_id for claim in claims])
    notices = _pending_notices([claim.digest_id for claim in claims])
    renderer = emails.DigestRenderer()
    mail_connection = get_connection()
    try:
        with commits_not_waiting_for_disk():
            for claim in claims:
                counts.add(_send_claimed(claim, notices.get(claim.digest_id, []), renderer, mail_connection, now))
    finally:
        mail_connection.close()
    return counts


def digests_claim(digest_ids: list[int], now: datetime.datetime) -> list[Claim]:
    """pending or in doubt → sending, for the digests of `digest_ids` this call wins, in one statement.

    A concurrent claim of the same digest waits for this one's row lock, then finds it
    "sending" and leaves it: two workers never hold the same digest, and a redelivered
    batch finds its digests sent.
    """
    digests_mark_lost(now, digest_ids)
    claimable = Digest.objects.filter(pk__in=digest_ids, status__in=CLAIMABLE_DIGEST_STATUSES, next_attempt_at__lte=now)
    won = update_returning(
        claimable,
        {"status": DigestStatus.SENDING, "claimed_at": now, "attempts": F("attempts") + 1},
        ["id", "attempts", "recipient", "recipient_email", "message_id"],
    )
    claims = [Claim(pk, attempt, emails.Addressee(*addressee)) for pk, attempt, *addressee in won]
    return sorted(claims, key=lambda claim: claim.digest_id)


def _pending_notices(digest_ids: list[int]) -> dict[int, list[emails.Notice]]:
    """The notices each digest still carries, in the order the email lists them: one query for the batch."""
    rows = (
        Reminder.objects.filter(digest_id__in=digest_ids, status=ReminderStatus.PENDING)
        .order_by("digest_id", "milestone__due_on", "milestone_id", "kind")
        .values_list(
            "digest_id",
            "milestone_id",
            "milestone__title",
            "milestone__agency__abbreviation",
            "kind",
            "due_on",
            "notice_on",
            "offset_days",
        )
    )
    notices: dict[int, list[emails.Notice]] = {}
    for digest_id, *notice in rows:
        notices.setdefault(digest_id, []).append(emails.Notice(*notice))
    return notices


def _send_claimed(claim: Claim, notices: list, renderer, mail_connection, now: datetime.datetime) -> SendCounts:
    if not notices:
        _finish(claim, DigestStatus.CANCELLED, ReminderStatus.CANCELLED)
        return SendCounts(skipped=1)
    message = renderer.message(claim.addressee, notices, mail_connection)
    try:
        mail_connection.open()  # once per batch, and again after an error closed it; else a no-op
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        mail_connection.close()  # the next message starts a fresh conversation, whatever state this one was left in
        return _after_error(claim, error, now)
    _record_sent(claim, now)
    return SendCounts(sent=1)


def _record_sent(claim: Claim, now: datetime.datetime) -> None:
    """`_finish` for a sent digest in one round trip on PostgreSQL: the digest row and its notices together."""
    if connection.vendor != "postgresql":
        _finish(claim, DigestStatus.SENT, ReminderStatus.SENT, sent_at=now)
        return
    digest, reminder = Digest._meta.db_table, Reminder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH sent AS (UPDATE {digest} SET status = %s, sent_at = %s"
            f" WHERE id = %s AND status = %s AND attempts = %s RETURNING id)"
            f" UPDATE {reminder} SET status = %s WHERE digest_id IN (SELECT id FROM sent) AND status = %s",
            [DigestStatus.SENT, now, claim.digest_id, DigestStatus.SENDING, claim.attempt]
            + [ReminderStatus.SENT, ReminderStatus.PENDING],
        )


@contextmanager
def commits_not_waiting_for_disk() -> Iterator[None]:
    """PostgreSQL: this session's commits return before their WAL reaches the disk.

    Each digest's outcome is its own commit, and waiting for the disk on each (about 10 ms
    on the benchmark machine) would hold a worker near 100 digests/s. A database crash may
    lose the last fraction of a second of outcomes: those digests stay "sending" and go
    out again as in doubt with the same Message-ID, as after a lost worker.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _finish(claim: Claim, status: str, reminder_status: str, **fields) -> bool:
    """Records the outcome, fenced by the attempt: a worker that lost its claim changes nothing."""
    with transaction.atomic():
        won = Digest.objects.filter(pk=claim.digest_id, status=DigestStatus.SENDING, attempts=claim.attempt).update(
            status=status, **fields
        )
        if won:
            Reminder.objects.filter(digest_id=claim.digest_id, status=ReminderStatus.PENDING).update(
                status=reminder_status
            )
    return bool(won)


def _after_error(claim: Claim, error: Exception, now: datetime.datetime) -> SendCounts:
    """A 5xx answer, or the last allowed attempt, fails the digest for good; anything else waits and retries."""
    message = f"{type(error).__name__}: {error}"[:2000]
    permanent = getattr(error, "smtp_code", 0) >= 500 or isinstance(error, smtplib.SMTPRecipientsRefused)
    if permanent or claim.attempt >= settings.REMINDER_MAX_ATTEMPTS:
        _finish(claim, DigestStatus.FAILED, ReminderStatus.FAILED, last_error=message)
        logger.error("reminders: digest %s failed for good: %s", claim.digest_id, message)
        return SendCounts(failed=1)
    retry_at = now + datetime.timedelta(seconds=schedule.backoff_seconds(claim.attempt))
    Digest.objects.filter(pk=claim.digest_id, status=DigestStatus.SENDING, attempts=claim.attempt).update(
        status=DigestStatus.PENDING, next_attempt_at=retry_at, enqueued_at=None, last_error=message
    )
    logger.warning(
        "reminders: digest %s not sent (attempt %s), retry at %s: %s", claim.digest_id, claim.attempt, retry_at, message
    )
    return SendCounts(retrying=1)


# Settings and the in-app notices --------------------------------------------------------


def reminder_preference_update(*, user, digest_hour: int, digest_opt_out: bool, version: int) -> bool:
    """Saves the user's digest settings unless they changed since `version` was read; False if they had."""
    preference, _ = ReminderPreference.objects.get_or_create(user=user)
    return bool(
        ReminderPreference.objects.filter(pk=preference.pk, version=version).update(
            digest_hour=digest_hour, digest_opt_out=digest_opt_out, version=F("version") + 1
        )
    )


def reminder_preference_opt_out(*, user) -> None:
    """The one-click unsubscribe: no more digests of one's own milestones (escalations still come)."""
    preference, _ = ReminderPreference.objects.get_or_create(user=user)
    ReminderPreference.objects.filter(pk=preference.pk).update(digest_opt_out=True, version=F("version") + 1)


def reminders_mark_read(*, user, now: datetime.datetime) -> int:
    return Reminder.objects.for_recipient(user).unread().update(read_at=now)


def reminder_policy_update(*, policy: ReminderPolicy, version: int, **fields) -> bool:
    """Saves a directive's policy unless someone saved it since `version` was read."""
    if policy.pk is None:
        try:
            with transaction.atomic():
                ReminderPolicy.objects.create(directive=policy.directive, **fields)
            return True
        except IntegrityError:
            return False
    return bool(ReminderPolicy.objects.filter(pk=policy.pk, version=version).update(**fields, version=F("version") + 1))


# The beat lease --------------------------------------------------------------------------


def beat_lease_hold(*, name: str, holder: str, now: datetime.datetime, seconds: int) -> bool:
    """Takes or renews the lease `name` for `holder`; False while another holder's lease runs."""
    expires_at = now + datetime.timedelta(seconds=seconds)
    ours_or_expired = Q(holder=holder) | Q(expires_at__lt=now)
    if BeatLease.objects.filter(ours_or_expired, name=name).update(holder=holder, expires_at=expires_at):
        return True
    try:
        with transaction.atomic():
            BeatLease.objects.create(name=name, holder=holder, expires_at=expires_at)
        return True
    except IntegrityError:
        return False
