"""The landing page and each directive's dashboard."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from procurement.inventory import selectors


def home(request):
    directive = selectors.visible_directives().first()
    if directive is None:
        return render(request, "inventory/no_directive.html")
    return redirect("inventory:directive-dashboard", pk=directive.pk)


def directive_dashboard(request, pk: int):
    directive = selectors.directive_get(pk)
    context = selectors.directive_dashboard(
        request.user, directive, timezone.localdate(), breakdown_sort=request.GET.get("sort", "")
    )
    context["directives"] = selectors.visible_directives()
    # Every breakdown row links to the filtered list: the address is worked out once, not per row.
    context["system_list_url"] = reverse("inventory:system-list")
    return render(request, "inventory/dashboard.html", context)
