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
from procurement.inventory.forms import SystemForm, TransitionForm, merge_stale_form
from procurement.inventory.models import System
from procurement.inventory.panels import system_panels
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

    def row_count(self, queryset) -> int:
        return selectors.system_count(self.request.user, queryset)


def system_detail(request, pk: int):
    context = selectors.system_detail(request.user, pk)
    return render(request, "inventory/system_detail.html", _detail_context(request, context))


def _detail_context(request, context: dict, note: str = "") -> dict:
    """The page's workflow forms: the next step, and a step back that needs a reason."""
    system, workflow = context["system"], context["workflow"]
    for key, move, step_back in (("advance_form", workflow.forward, False), ("back_form", workflow.back, True)):
        if move and move.offered:
            initial = {"to_status": move.status, "expected_status": system.status, "note": note}
            context[key] = TransitionForm(initial=initial, choices=SystemStatus.choices, step_back=step_back)
    context["can_change"] = can(request.user, Action.CHANGE, system.agency_id)
    context["days_left"] = system.days_left(timezone.localdate())
    context["panels"] = system_panels(request, system)
    return context


def system_edit(request, pk: int | None = None):
    system = selectors.editable_get(request.user, System, pk)
    form = SystemForm(request.POST or None, instance=system, user=request.user)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            system = services.system_save(
                user=request.user,
                system=form.save(commit=False),
                depends_on=form.cleaned_data["depends_on_ids"],
                covered_products=form.cleaned_data["covered_products"],
                expected_version=form.cleaned_data["version"],
            )
        except services.EditConflict as error:
            conflict, status = error, 409
            form = _reapply_form(request, pk, form.cleaned_data["version"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved {system}.")
            return redirect(system)
    context = {"form": form, "object": system, "kind": "system", "conflict": conflict}
    return render(request, "inventory/form.html", context, status=status)


def _reapply_form(request, pk: int, version: int) -> SystemForm:
    """The user's changes on top of the stored system, to check and save again."""
    current = selectors.editable_get(request.user, System, pk)
    fields = [name for name in SystemForm._meta.fields if name != "covered_products"]
    base = selectors.form_initial_at(request.user, current, version, fields)
    return merge_stale_form(SystemForm, posted=request.POST, instance=current, base_initial=base, user=request.user)


@require_POST
def system_transition(request, pk: int):
    system = selectors.system_get(request.user, pk)
    form = TransitionForm(request.POST, choices=SystemStatus.choices)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect(system)
    try:
        services.system_transition(
            user=request.user,
            system=system,
            to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data["note"],
            expected_status=form.cleaned_data["expected_status"] or None,
        )
    except services.EditConflict as error:
        # The note is kept: the page shows where the system is now, and the user decides again.
        messages.error(request, error.message)
        context = _detail_context(request, selectors.system_detail(request.user, pk), note=form.cleaned_data["note"])
        return render(request, "inventory/system_detail.html", context, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        system.refresh_from_db()
        messages.success(request, f"{system.name} is now {system.get_status_display()}.")
    return redirect(system)
