"""Send times in each agency's zone, across the 2026 daylight-saving changes, with frozen time."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procurement.reminders import schedule
from procurement.reminders.models import AgencyTimeZone, Digest, ReminderPolicy
from tests.reminders.conftest import at

UTC = datetime.UTC


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-03-07T13:59", "2026-03-06"),  # 08:59 EST
        ("2026-03-07T14:00", "2026-03-07"),  # 09:00 EST
        ("2026-03-08T12:59", "2026-03-07"),  # 08:59 EDT: the first day of summer time
        ("2026-03-08T13:00", "2026-03-08"),  # 09:00 EDT, an hour sooner in UTC
        ("2026-10-31T12:59", "2026-10-30"),
        ("2026-10-31T13:00", "2026-10-31"),  # 09:00 EDT
        ("2026-11-01T13:59", "2026-10-31"),  # 08:59 EST: the clocks went back at 02:00
        ("2026-11-01T14:00", "2026-11-01"),  # 09:00 EST, an hour later in UTC
    ],
)
def test_notice_date_turns_at_nine_local_on_both_sides_of_each_change(instant, expected):
    assert schedule.notice_date(utc(instant), "America/New_York", 9) == datetime.date.fromisoformat(expected)


def test_an_hour_the_clock_skips_is_reached_at_the_jump_and_a_repeated_hour_once():
    assert schedule.send_instant(datetime.date(2026, 3, 8), "America/New_York", 2) == utc("2026-03-08T07:00")
    assert schedule.notice_date(utc("2026-03-08T06:59"), "America/New_York", 2) == datetime.date(2026, 3, 7)
    assert schedule.notice_date(utc("2026-03-08T07:00"), "America/New_York", 2) == datetime.date(2026, 3, 8)
    # 01:00 happens twice on 1 November: the date turns at the first, and stays.
    assert schedule.send_instant(datetime.date(2026, 11, 1), "America/New_York", 1) == utc("2026-11-01T05:00")
    assert schedule.notice_date(utc("2026-11-01T06:30"), "America/New_York", 1) == datetime.date(2026, 11, 1)


@given(
    day=st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2027, 12, 31)),
    hour=st.integers(0, 23),
    zone=st.sampled_from(["America/New_York", "America/Los_Angeles", "Pacific/Honolulu", "America/Phoenix", "UTC"]),
)
# The strategies are trivial; on a machine shared by many processes drawing them can still look slow.
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_the_send_instant_is_exactly_when_the_notice_date_turns(day, hour, zone):
    instant = schedule.send_instant(day, zone, hour)
    assert schedule.notice_date(instant, zone, hour) == day
    assert schedule.notice_date(instant - datetime.timedelta(seconds=1), zone, hour) == day - datetime.timedelta(days=1)


def test_offsets_are_read_strictly():
    assert schedule.parse_offsets("0, 14,7 ,1") == (14, 7, 1, 0)
    for bad in ["", "7, soon", "-1", "400"]:
        with pytest.raises(ValueError):
            schedule.parse_offsets(bad)
    assert [(w.offset, w.first, w.last) for w in schedule.due_soon_windows((14, 7, 1, 0))] == [
        (0, 0, 0),
        (1, 1, 1),
        (7, 2, 7),
        (14, 8, 14),
    ]


def sweeps(first: datetime.datetime, last: datetime.datetime, every: datetime.timedelta) -> list[datetime.datetime]:
    """Runs `send_reminders` at each step with the clock frozen there; returns when digests went out."""
    sent_at = []
    moment = first
    while moment <= last:
        with time_machine.travel(moment, tick=False):
            before = len(mail.outbox)
            call_command("send_reminders", stdout=StringIO())
            if len(mail.outbox) > before:
                sent_at.append(moment)
        moment += every
    return sent_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first_day", "due", "expected_local_days"),
    [
        # A notice every day from 4 days before the due date to 1 day overdue, across
        # 8 March (spring forward at 02:00) and 1 November (fall back at 02:00).
        (
            "2026-03-06",
            "2026-03-10",
            ["2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10", "2026-03-11"],
        ),
        (
            "2026-10-29",
            "2026-11-02",
            ["2026-10-29", "2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03"],
        ),
    ],
)
def test_a_nine_o_clock_digest_fires_exactly_once_on_the_right_days(
    make_milestone, component_a, agency_a, alice, directive, first_day, due, expected_local_days
):
    AgencyTimeZone.objects.create(agency=agency_a, time_zone="America/New_York")  # IRS inherits it
    ReminderPolicy.objects.create(directive=directive, offsets="4, 3, 2, 1, 0")
    make_milestone(due)
    start = at(first_day, 0, 0)
    # Hourly over the week (a sweep costs about half a second): a digest hour begins on the
    # hour, and the next test sweeps every quarter of an hour through a whole day.
    sent_at = sweeps(start, start + datetime.timedelta(days=6, hours=23), datetime.timedelta(hours=1))

    local = [moment.astimezone(ZoneInfo("America/New_York")) for moment in sent_at]
    assert [moment.strftime("%H:%M") for moment in local] == ["09:00"] * 6
    assert [moment.date().isoformat() for moment in local] == expected_local_days
    assert Digest.objects.count() == 6


@pytest.mark.django_db
def test_each_agency_s_digest_follows_its_own_zone(make_milestone, component_a, agency_b, alice, bob, directive):
    AgencyTimeZone.objects.create(agency=agency_b, time_zone="Pacific/Honolulu")
    ReminderPolicy.objects.create(directive=directive, offsets="0")  # only on the due date
    make_milestone("2026-03-09")
    make_milestone("2026-03-09", agency=agency_b, owner=bob)
    sent_at = sweeps(at("2026-03-09", 0, 0), at("2026-03-09", 23, 45), datetime.timedelta(minutes=15))
    assert [moment.isoformat() for moment in sent_at] == ["2026-03-09T13:00:00+00:00", "2026-03-09T19:00:00+00:00"]


@given(
    instant=st.datetimes(min_value=datetime.datetime(2026, 1, 1), max_value=datetime.datetime(2027, 12, 31)),
    zone=st.sampled_from(["America/New_York", "America/Los_Angeles", "Pacific/Honolulu", "Pacific/Guam", "UTC"]),
)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_hour_ranges_give_every_hour_the_notice_date_of_that_hour(instant, zone):
    """The sweep's one statement per notice date covers each digest hour with that hour's own date."""
    now = instant.replace(tzinfo=UTC)
    ranges = schedule.hour_ranges(now, zone)
    assert [hour for part in ranges for hour in range(part.first, part.last + 1)] == list(range(24))
    for part in ranges:
        for hour in range(part.first, part.last + 1):
            assert part.notice_on == schedule.notice_date(now, zone, hour)
