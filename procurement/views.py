"""Inventory pages. Thin: read through selectors, write through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.decorators.http import require_POST
from django_tables2 import LazyPaginator, RequestConfig

from procurement import exports, selectors, services
from procurement.access import Action, can
from procurement.forms import ContractForm, SystemForm, TransitionForm
from procurement.models import Contract, System, SystemStatus
from procurement.tables import ContractTable, PhaseoutTable, SystemTable

EXPORT_FORMATS = {"csv": exports.csv_response, "xlsx": exports.xlsx_response}
PAGE_SIZES = (25, 50, 100)
# No COUNT(*) per page view: with 100,000 systems the count would dominate.
LIST_PAGINATOR = LazyPaginator


def home(request):
    directive = selectors.visible_directives().first()
    if directive is None:
        return render(request, "procurement/no_directive.html")
    return redirect("directive-dashboard", pk=directive.pk)


def directive_dashboard(request, pk: int):
    directive = get_object_or_404(selectors.visible_directives(), pk=pk)
    context = selectors.directive_dashboard(request.user, directive, timezone.localdate())
    context["directives"] = selectors.visible_directives()
    return render(request, "procurement/dashboard.html", context)


class FilteredTableView(View):
    """One list page: a scoped queryset, a filter set and a table; exports reuse all three.

    `?export=csv` or `?export=xlsx` returns the same rows and columns as the page.
    """

    table_class: type[PhaseoutTable]
    template_name = "procurement/list.html"
    title = ""
    export_basename = ""
    add_url_name = ""
    import_kind = ""

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
        per_page = self.per_page(request)
        RequestConfig(request, paginate={"per_page": per_page, "paginator_class": LIST_PAGINATOR}).configure(table)
        return render(request, self.template_name, self.context(request, filterset, table, per_page))

    def export(self, table: PhaseoutTable, export_format: str) -> HttpResponse:
        respond = EXPORT_FORMATS.get(export_format)
        if respond is None:
            raise Http404("Unknown export format.")
        RequestConfig(self.request, paginate=False).configure(table)  # applies the sort order
        return respond(table, f"{self.export_basename}-{timezone.localdate():%Y-%m-%d}")

    def per_page(self, request) -> int:
        requested = request.GET.get("per_page", "")
        return int(requested) if requested.isdigit() and int(requested) in PAGE_SIZES else PAGE_SIZES[0]

    def context(self, request, filterset, table, per_page) -> dict:
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        return {
            "title": self.title,
            "filter": filterset,
            "table": table,
            "columns": table.choosable_columns(),
            "visible_columns": table.visible_column_names(),
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
            "query": query.urlencode(),
            "can_add": selectors.can_change_anything(request.user),
            "add_url_name": self.add_url_name,
            "import_kind": self.import_kind,
        }


class SystemListView(FilteredTableView):
    table_class = SystemTable
    title = "Systems"
    export_basename = "systems"
    add_url_name = "system-create"
    import_kind = "systems"

    def filterset(self, request):
        return selectors.system_filter(request.user, request.GET)


class ContractListView(FilteredTableView):
    table_class = ContractTable
    title = "Contracts"
    export_basename = "contracts"
    add_url_name = "contract-create"
    import_kind = "contracts"

    def filterset(self, request):
        return selectors.contract_filter(request.user, request.GET)


def system_detail(request, pk: int):
    context = selectors.system_detail(request.user, pk)
    system = context["system"]
    choices = [(status, SystemStatus(status).label) for status in services.transitions_for_user(request.user, system)]
    context["transition_form"] = TransitionForm(choices=choices) if choices else None
    context["can_change"] = can(request.user, Action.CHANGE, system.agency_id)
    context["days_left"] = system.days_left(timezone.localdate())
    return render(request, "procurement/system_detail.html", context)


def system_edit(request, pk: int | None = None):
    system = selectors.editable_get(request.user, System, pk)
    form = SystemForm(request.POST or None, instance=system, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            system = services.system_save(
                user=request.user,
                system=form.save(commit=False),
                depends_on=form.cleaned_data["depends_on_ids"],
                covered_products=form.cleaned_data["covered_products"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved {system}.")
            return redirect(system)
    return render(request, "procurement/form.html", {"form": form, "object": system, "kind": "system"})


@require_POST
def system_transition(request, pk: int):
    system = selectors.system_get(request.user, pk)
    form = TransitionForm(request.POST, choices=SystemStatus.choices)
    if form.is_valid():
        try:
            services.system_transition(
                user=request.user,
                system=system,
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            system.refresh_from_db()
            messages.success(request, f"{system.name} is now {system.get_status_display()}.")
    else:
        messages.error(request, "Choose a status.")
    return redirect(system)


def contract_detail(request, pk: int):
    contract = selectors.contract_get(request.user, pk)
    context = {
        "contract": contract,
        "systems": System.objects.for_user(request.user).filter(contracts=contract).select_related("agency"),
        "history": selectors.history_entries(contract.history),
        "can_change": can(request.user, Action.CHANGE, contract.agency_id),
    }
    return render(request, "procurement/contract_detail.html", context)


def contract_edit(request, pk: int | None = None):
    contract = selectors.editable_get(request.user, Contract, pk)
    form = ContractForm(request.POST or None, instance=contract, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_save(
                user=request.user, contract=form.save(commit=False), systems=form.cleaned_data["system_ids"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved contract {contract}.")
            return redirect(contract)
    return render(request, "procurement/form.html", {"form": form, "object": contract, "kind": "contract"})
