"""Contract pages: list, detail, create and edit. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from procurement.inventory import selectors, services
from procurement.inventory.access import Action, can
from procurement.inventory.forms import ContractForm, merge_stale_form
from procurement.inventory.models import Contract
from procurement.inventory.tables import ContractTable
from procurement.inventory.views.lists import InventoryListView


class ContractListView(InventoryListView):
    table_class = ContractTable
    title = "Contracts"
    item_name, item_name_plural = "contract", "contracts"
    export_basename = "contracts"
    add_url_name = "inventory:contract-create"
    import_kind = "contracts"

    def filterset(self, request):
        return selectors.contract_filter(request.user, request.GET)


def contract_detail(request, pk: int):
    context = selectors.contract_detail(request.user, pk)
    context["can_change"] = can(request.user, Action.CHANGE, context["contract"].agency_id)
    return render(request, "inventory/contract_detail.html", context)


def contract_edit(request, pk: int | None = None):
    contract = selectors.editable_get(request.user, Contract, pk)
    form = ContractForm(request.POST or None, instance=contract, user=request.user)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_save(
                user=request.user,
                contract=form.save(commit=False),
                systems=form.cleaned_data["system_ids"],
                expected_version=form.cleaned_data["version"],
            )
        except services.EditConflict as error:
            conflict, status = error, 409
            form = _reapply_form(request, pk, form.cleaned_data["version"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved contract {contract}.")
            return redirect(contract)
    context = {"form": form, "object": contract, "kind": "contract", "conflict": conflict}
    return render(request, "inventory/form.html", context, status=status)


def _reapply_form(request, pk: int, version: int) -> ContractForm:
    """The user's changes on top of the stored contract, to check and save again."""
    current = selectors.editable_get(request.user, Contract, pk)
    base = selectors.form_initial_at(request.user, current, version, list(ContractForm._meta.fields))
    return merge_stale_form(ContractForm, posted=request.POST, instance=current, base_initial=base, user=request.user)
