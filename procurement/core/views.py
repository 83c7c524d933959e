"""The one generic list view: a scoped queryset, a filter set and a table; exports reuse them."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from django_tables2 import RequestConfig

from procurement.core import exports, services
from procurement.core.paging import ClampingPaginator
from procurement.core.tables import PhaseoutTable

EXPORT_FORMATS = ("csv", "xlsx")
PAGE_SIZES = (25, 50, 100)
# Rows are counted exactly up to this many; beyond it the page says "more than 10,000"
# (an exact count of 100,000 rows costs more than the rest of the page).
COUNT_CAP = 10_000


class FilteredTableView(View):
    """One list page: a scoped queryset, a filter set and a table; exports reuse all three.

    `?export=csv` or `?export=xlsx` returns the same rows and columns as the page.
    """

    table_class: type[PhaseoutTable]
    template_name = "core/list.html"
    title = ""
    item_name = "item"  # one row, in words: "Showing 1–25 of 1,234 systems"
    item_name_plural = "items"
    export_basename = ""
    add_url_name = ""

    def filterset(self, request):
        raise NotImplementedError

    def get(self, request):
        filterset = self.filterset(request)
        # An invalid filter (say, an agency the user cannot see) must not widen the
        # result to everything: show and export nothing, with the form's errors.
        table = self.table_class(filterset.qs if filterset.is_valid() else filterset.queryset.none())
        table.show_only(request.GET.getlist("columns"))
        export_format = request.GET.get("export")
        if export_format:
            return self.export(table, export_format)
        # RequestConfig would take `per_page` from the query string unchecked: it only
        # sorts here, and the page size and number are validated before paging.
        RequestConfig(request, paginate=False).configure(table)
        per_page = self.per_page(request)
        table.paginate(
            paginator_class=ClampingPaginator,
            per_page=per_page,
            page=request.GET.get("page", "1"),
            count_cap=COUNT_CAP,
            counted=table.data.data,
        )
        return render(request, self.template_name, self.context(request, filterset, table, per_page))

    def export(self, table: PhaseoutTable, export_format: str) -> HttpResponse:
        """The page's rows and columns as a file: CSV streamed, XLSX here or, when large, by a worker."""
        if export_format not in EXPORT_FORMATS:
            raise Http404("Unknown export format.")
        RequestConfig(self.request, paginate=False).configure(table)  # applies the sort order
        context = exports.export_context(self.request.user)
        basename = f"{self.export_basename}-{context.today:%Y-%m-%d}"
        if export_format == "csv":
            return exports.csv_response(table, basename, context)
        in_request_at_most = settings.EXPORT_XLSX_IN_REQUEST_MAX_ROWS
        if exports.rows_at_most(table, in_request_at_most) <= in_request_at_most:
            return exports.xlsx_response(table, basename, context)
        return redirect(self.export_job(basename))

    def export_job(self, basename: str):
        """Records a large export for the worker: the list's name and query, never a queryset."""
        query = self.request.GET.copy()
        query.pop("export", None)
        query.pop("page", None)
        return services.export_job_create(
            user=self.request.user,
            list_name=self.request.resolver_match.view_name,
            query=query.urlencode(),
            basename=basename,
        )

    def export_table(self, request) -> PhaseoutTable:
        """The table `get` shows, unpaged and sorted: what a worker writes for a large export.

        Built from `request` alone (its user and query string), as `get` builds it.
        """
        filterset = self.filterset(request)
        table = self.table_class(filterset.qs if filterset.is_valid() else filterset.queryset.none())
        table.show_only(request.GET.getlist("columns"))
        RequestConfig(request, paginate=False).configure(table)
        return table

    def may_add(self, user) -> bool:
        """Whether the page offers its add and import buttons to `user`."""
        return False

    def per_page(self, request) -> int:
        requested = request.GET.get("per_page", "")
        return int(requested) if requested.isdigit() and int(requested) in PAGE_SIZES else PAGE_SIZES[0]

    def context(self, request, filterset, table, per_page) -> dict:
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        return {
            "title": self.title,
            "item_name": self.item_name,
            "item_name_plural": self.item_name_plural,
            "filter": filterset,
            "table": table,
            "columns": table.choosable_columns(),
            "visible_columns": table.visible_column_names(),
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
            "query": query.urlencode(),
            "can_add": self.may_add(request.user),
            "add_url_name": self.add_url_name,
        }
