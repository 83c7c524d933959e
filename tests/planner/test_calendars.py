"""Calendar days <-> work-day units: round trips across weekends, federal holidays and freezes."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.calendars import WorkCalendar

starts = st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2030, 12, 31))
units = st.integers(min_value=0, max_value=1500)
offsets = st.integers(min_value=0, max_value=2000)


def calendar(start: datetime.date) -> WorkCalendar:
    return WorkCalendar(start)


@settings(deadline=None)
@given(starts, units)
def test_a_unit_is_a_work_day_and_maps_back(start, unit):
    work = calendar(start)
    day = work.date_of(unit)
    assert day >= start and day.weekday() < 5 and work.is_work_day(day)
    assert work.unit_of(day) == unit


@settings(deadline=None)
@given(starts, offsets)
def test_a_day_maps_to_the_next_work_day(start, offset):
    work = calendar(start)
    day = start + datetime.timedelta(days=offset)
    unit = work.units_before(day)
    mapped = work.date_of(unit)
    assert mapped >= day
    assert all(not work.is_work_day(day + datetime.timedelta(days=n)) for n in range((mapped - day).days))
    if work.is_work_day(day):
        assert mapped == day


@settings(deadline=None)
@given(starts, offsets)
def test_a_deadline_unit_ends_on_or_before_the_deadline(start, offset):
    work = calendar(start)
    deadline = start + datetime.timedelta(days=offset)
    finish = work.units_through(deadline)  # an item finishing here (exclusive) is on time
    if finish > 0:
        assert work.date_of(finish - 1) <= deadline
    assert work.date_of(finish) > deadline


@settings(deadline=None)
@given(starts, offsets, st.integers(min_value=0, max_value=90))
def test_a_freeze_blocks_exactly_its_work_days(start, offset, length):
    work = calendar(start)
    first = start + datetime.timedelta(days=offset)
    last = first + datetime.timedelta(days=length)
    blocked = work.blocked_units(first, last)
    frozen_work_days = [
        day for day in (first + datetime.timedelta(days=n) for n in range(length + 1)) if work.is_work_day(day)
    ]
    if blocked is None:
        assert not frozen_work_days
        return
    begin, end = blocked
    assert [work.date_of(unit) for unit in range(begin, end)] == frozen_work_days


def test_federal_holidays_and_weekends_are_not_worked():
    work = calendar(datetime.date(2026, 11, 23))  # a Monday
    assert work.date_of(0) == datetime.date(2026, 11, 23)
    assert work.date_of(3) == datetime.date(2026, 11, 27)  # Thanksgiving (26th) is skipped
    assert work.date_of(4) == datetime.date(2026, 11, 30)  # the weekend too
    assert not work.is_work_day(datetime.date(2026, 12, 25))
    assert not work.is_work_day(datetime.date(2027, 7, 5))  # 4 July 2027 is a Sunday: observed Monday
