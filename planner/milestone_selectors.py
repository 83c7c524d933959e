"""Reads of milestones, always narrowed to what the user may see (another agency's is a 404)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from planner.milestone_filters import MilestoneFilter
from planner.milestones import may_work_on
from planner.models import Milestone

MY_MILESTONES_SHOWN = 8


def milestone_queryset(user) -> QuerySet[Milestone]:
    return Milestone.objects.for_user(user).select_related("agency", "system", "owner")


def milestone_filter(user, params) -> MilestoneFilter:
    return MilestoneFilter(params, queryset=milestone_queryset(user), user=user)


def milestone_get(user, pk: int) -> Milestone:
    return get_object_or_404(milestone_queryset(user).select_related("done_by", "directive", "plan"), pk=pk)


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    due_on: datetime.date
    reason: str


@dataclass(frozen=True)
class MilestonePage:
    milestone: Milestone
    may_work: bool
    overdue_days: int
    history: tuple[HistoryEntry, ...]


def milestone_page(user, milestone: Milestone) -> MilestonePage:
    today = timezone.localdate()
    overdue = (today - milestone.due_on).days if milestone.done_at is None and milestone.due_on < today else 0
    records = milestone.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
    history = tuple(
        HistoryEntry(
            r.history_date,
            r.history_user.username if r.history_user else "Phaseout",
            r.due_on,
            r.history_change_reason or "",
        )
        for r in records
    )
    return MilestonePage(milestone, may_work_on(user, milestone), overdue, history)


@dataclass(frozen=True)
class MyMilestones:
    """The dashboard panel: the user's next open milestones and how many are overdue."""

    upcoming: tuple[Milestone, ...]
    open_count: int
    overdue_count: int
    today: datetime.date


def my_milestones(user) -> MyMilestones:
    today = timezone.localdate()
    mine = Milestone.objects.for_user(user).owned_by(user).open()
    # Both counts in one query; the next ones are read only when there are any.
    counts = mine.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    upcoming = ()
    if counts["open"]:
        upcoming = tuple(mine.select_related("system").order_by("due_on", "pk")[:MY_MILESTONES_SHOWN])
    return MyMilestones(upcoming, counts["open"], counts["overdue"], today)
