"""Exact figures over many systems, computed once per change: a cache keyed by a change stamp.

Counting 100,000 systems for every page of a list, or grouping them for every dashboard,
costs more than the rest of the page. The figures only move when a system is inserted,
updated or deleted, and database triggers count those per agency
(`models.SystemChangeCounter`, migration 0007). A figure is kept in this process under its
query's SQL and the stamp of the agencies the user sees; while no system of those agencies
changes, the stamp stays and the figure is reused. Never an estimate: a stale figure
cannot be found, because its stamp is gone.

Inside a transaction nothing is cached or reused: there the reader may see its own
uncommitted writes, which a rollback would make a lie for everyone else.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Max, QuerySet, Sum

from procurement.inventory.access import Action, agency_ids_for
from procurement.inventory.models import SystemChangeCounter

Figure = TypeVar("Figure")
KEPT_FIGURES = 2000  # a few hundred bytes each; the oldest go first

_figures: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()  # gunicorn's threads, the live test server


def systems_stamp(agency_ids: set[int] | None, using: str = "default") -> tuple[int, int]:
    """Where the changes to these agencies' systems stand (None: every agency).

    The sum grows with every committed change; the highest counter id tells a table
    emptied and refilled (a test database flushed) from the one before.
    """
    counters = SystemChangeCounter.objects.using(using)
    if agency_ids is not None:
        counters = counters.filter(agency_id__in=agency_ids)
    stamp = counters.aggregate(changes=Sum("changes"), newest=Max("id"))
    return stamp["changes"] or 0, stamp["newest"] or 0


def cached_figure(queryset: QuerySet, user, compute: Callable[[], Figure], kind: str) -> Figure:
    """`compute()`, a figure over the systems of `queryset`, reused while they have not changed.

    `queryset` must be narrowed to what `user` sees (`for_user`): only those agencies'
    changes are watched. `kind` tells figures of the same query apart ("count", "groups").
    """
    connection = connections[queryset.db]
    if connection.in_atomic_block:
        return compute()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # `.none()`, an invalid filter's rows: nothing to count or keep
        return compute()
    stamp = systems_stamp(agency_ids_for(user, Action.VIEW), queryset.db)
    key = (queryset.db, kind, sql, repr(params), stamp)
    with _lock:
        if key in _figures:
            _figures.move_to_end(key)
            return _figures[key]
    figure = compute()
    with _lock:
        _figures[key] = figure
        while len(_figures) > KEPT_FIGURES:
            _figures.popitem(last=False)
    return figure


def system_count(queryset: QuerySet, user) -> int:
    """The exact number of rows of a systems queryset narrowed to `user`."""
    counted = queryset.order_by()
    return cached_figure(counted, user, counted.count, "count")


def forget_figures() -> None:
    """Empties the cache (tests that compare a cold and a warm page)."""
    with _lock:
        _figures.clear()
