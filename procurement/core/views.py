"""The one generic list view: a scoped queryset, a filter set and a table; exports reuse them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from procurement.core import exports, selectors, services
from procurement.core.forms import CheckboxGroup
from procurement.core.paging import ClampingPaginator
from procurement.core.tables import PhaseoutTable

EXPORT_FORMATS = ("csv", "xlsx")
PAGE_SIZES = (25, 50, 100)


def page_size(request, default: int = PAGE_SIZES[0]) -> int:
    """The rows a page asked for with `?per_page=`, one of PAGE_SIZES; anything else gives `default`."""
    requested = request.GET.get("per_page", "")
    return int(requested) if requested.isdigit() and int(requested) in PAGE_SIZES else default


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
        table = self.build_table(request)
        export_format = request.GET.get("export")
        if export_format:
            return self.export(table, export_format)
        if request.GET.getlist("columns"):  # chosen now: shown again when a link names no columns
            services.list_columns_remember(
                user=request.user, list_name=self.list_name(), columns=table.visible_column_names()
            )
        per_page = self.per_page(request)
        rows = table.data.data
        table.paginate(
            paginator_class=ClampingPaginator,
            per_page=per_page,
            page=request.GET.get("page", "1"),
            counter=lambda: self.row_count(rows),
        )
        return render(request, self.template_name, self.context(request, table.filterset, table, per_page))

    def build_table(self, request) -> PhaseoutTable:
        """The list's table for `request`: filtered, scoped, its columns chosen and sorted, not paged.

        The page, its exports and a worker's large export (`core.services.list_table`)
        all start here, from the request alone (its user and query string).
        """
        filterset = self.filterset(request)
        # An invalid filter (say, an agency the user cannot see) must not widen the
        # result to everything: show and export nothing, with the form's errors.
        table = self.table_class(filterset.qs if filterset.is_valid() else filterset.queryset.none())
        table.filterset = filterset
        table.show_only(request.GET.getlist("columns") or selectors.remembered_columns(request.user, self.list_name()))
        table.prefetch_visible_only()
        # RequestConfig would take `per_page` from the query string unchecked: it only
        # sorts here, and the page size and number are validated before paging.
        RequestConfig(request, paginate=False).configure(table)
        return table

    def export(self, table: PhaseoutTable, export_format: str) -> HttpResponse:
        """The page's rows and columns as a file: CSV streamed, XLSX here or, when large, by a worker."""
        if export_format not in EXPORT_FORMATS:
            raise Http404("Unknown export format.")
        context = exports.export_context(self.request.user)
        basename = f"{self.export_basename}-{context.today:%Y-%m-%d}"
        if export_format == "csv":
            return exports.csv_response(table, basename, context)
        in_request_at_most = settings.EXPORT_XLSX_IN_REQUEST_MAX_ROWS
        if exports.rows_at_most(table, in_request_at_most) <= in_request_at_most:
            return exports.xlsx_response(table, basename, context)
        return redirect(self.export_job(table, basename))

    def export_job(self, table: PhaseoutTable, basename: str):
        """Records a large export for the worker: the list's name and query, never a queryset.

        The columns are written into the query: the worker shows these, even if the
        user chooses others before it runs.
        """
        query = self.request.GET.copy()
        query.pop("export", None)
        query.pop("page", None)
        query.setlist("columns", table.visible_column_names())
        return services.export_job_create(
            user=self.request.user,
            list_name=self.list_name(),
            query=query.urlencode(),
            basename=basename,
        )

    def list_name(self) -> str:
        """The list's URL name ("inventory:system-list"): the key of saved views and remembered columns."""
        return self.request.resolver_match.view_name

    def may_add(self, user) -> bool:
        """Whether the page offers its add and import buttons to `user`."""
        return False

    def row_count(self, queryset) -> int:
        """The exact number of rows the list's filters give: the page always says how many."""
        return queryset.order_by().count()

    def per_page(self, request) -> int:
        return page_size(request)

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
            # The column chooser: a checkbox group like the filters', written by the same widget.
            "column_checkboxes": CheckboxGroup(choices=table.choosable_columns()).render(
                "columns", table.visible_column_names(), attrs={"id": "columns"}
            ),
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
            "query": query.urlencode(),
            "can_add": self.may_add(request.user),
            "list_name": self.list_name(),
            "saved_views": selectors.saved_views_for(request.user, self.list_name()),
            "add_url_name": self.add_url_name,
        }


@require_POST
def saved_view_save(request):
    """Saves the list as it is on screen under a name, then shows it."""
    list_name = request.POST.get("list_name", "")
    try:
        view = services.saved_view_save(
            user=request.user,
            list_name=list_name,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except services.SavedViewError as error:
        messages.error(request, str(error))
        query = request.POST.get("query", "")
        return redirect(f"{_list_url(list_name)}?{query}" if query else _list_url(list_name))
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(view)


@require_POST
def saved_view_delete(request, pk: int):
    list_name = request.POST.get("list_name", "")
    services.saved_view_delete(user=request.user, pk=pk)
    messages.success(request, "Deleted the saved view.")
    return redirect(_list_url(list_name))


def _list_url(list_name: str) -> str:
    """The list to go back to; anything that is not a list leads home."""
    try:
        services.check_list_name(list_name)
    except services.SavedViewError:
        return "/"
    return reverse(list_name)
