"""Paging of the planner's long tables (a plan's steps, its systems, those at risk) as the
project's lists page them: a page size from the lists' choices, a page number that cannot
break the page. django-tables2's RequestConfig would take any `per_page` from the query
string, so `?per_page=100000` would render a whole plan's steps."""

from __future__ import annotations

from procurement.core.paging import ClampingPaginator
from procurement.core.tables import PhaseoutTable
from procurement.core.views import page_size

DEFAULT_PAGE_SIZE = 100


def table_paginate(table: PhaseoutTable, request, default: int = DEFAULT_PAGE_SIZE) -> None:
    table.paginate(
        paginator_class=ClampingPaginator,
        per_page=page_size(request, default),
        page=request.GET.get("page", "1"),
        counted=table.data.data,
    )
