"""Bulk actions from the systems list: choose rows (or all matching), preview, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from procurement.inventory import bulk, selectors, services


def _list_url(query: str) -> str:
    return f"{reverse('inventory:system-list')}?{query}" if query else reverse("inventory:system-list")


def _chosen(request, query: str):
    """The systems the form chose: the ticked rows, or every row the list's filters match."""
    filterset = selectors.system_filter(request.user, QueryDict(query))
    if not filterset.is_valid():
        raise bulk.BulkError("The list's filters are not valid; correct them first.")
    systems = filterset.qs
    if request.POST.get("scope") != "all":
        ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()][: bulk.BULK_MAX_SYSTEMS + 1]
        systems = systems.filter(pk__in=ids)
    return systems


@require_POST
def bulk_preview(request):
    query = request.POST.get("query", "")
    try:
        change = bulk.bulk_change(request.user, request.POST)
        systems = bulk.bulk_systems(request.user, _chosen(request, query))
        preview = bulk.bulk_preview(request.user, systems, change)
    except bulk.BulkError as error:
        messages.error(request, str(error))
        return redirect(_list_url(query))
    return render(request, "inventory/bulk_preview.html", {"preview": preview, "query": query, "form": request.POST})


@require_POST
def bulk_apply(request):
    query = request.POST.get("query", "")
    versions = {
        int(key.removeprefix("version_")): int(value)
        for key, value in request.POST.items()
        if key.startswith("version_") and key.removeprefix("version_").isdigit() and value.isdigit()
    }
    try:
        if not versions:
            raise bulk.BulkError("Nothing to change.")
        change = bulk.bulk_change(request.user, request.POST)
        reason = request.POST.get("reason", "").strip()[:300]
        changed = bulk.bulk_apply(request.user, versions, change, reason)
    except (bulk.BulkError, services.EditConflict) as error:
        messages.error(request, str(error))
        return redirect(_list_url(query))
    messages.success(request, f"Changed {changed} system{'s' if changed != 1 else ''}.")
    return redirect(_list_url(query))
