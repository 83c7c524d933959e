"""System pages: list, detail, create and edit, status change. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from procurement.inventory import selectors, services
from procurement.inventory.access import Action, can
from procurement.inventory.enums import SystemStatus
from procurement.inventory.forms import SystemForm, TransitionForm
from procurement.inventory.models import System
from procurement.inventory.tables import SystemTable
from procurement.inventory.views.lists import InventoryListView


class SystemListView(InventoryListView):
    table_class = SystemTable
    title = "Systems"
    item_name, item_name_plural = "system", "systems"
    export_basename = "systems"
    add_url_name = "inventory:system-create"
    import_kind = "systems"

    def filterset(self, request):
        return selectors.system_filter(request.user, request.GET)


def system_detail(request, pk: int):
    context = selectors.system_detail(request.user, pk)
    system = context["system"]
    choices = [(status, SystemStatus(status).label) for status in selectors.transitions_for_user(request.user, system)]
    context["transition_form"] = TransitionForm(choices=choices) if choices else None
    context["can_change"] = can(request.user, Action.CHANGE, system.agency_id)
    context["days_left"] = system.days_left(timezone.localdate())
    return render(request, "inventory/system_detail.html", context)


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
    return render(request, "inventory/form.html", {"form": form, "object": system, "kind": "system"})


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
