"""Contract pages: list, detail, create and edit. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from procurement.inventory import selectors, services
from procurement.inventory.access import Action, can
from procurement.inventory.forms import ContractForm
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
    return render(request, "inventory/form.html", {"form": form, "object": contract, "kind": "contract"})
