"""Planner pages: plans of an agency, a plan with its progress and schedule, systems at risk.

Thin: selectors read, services write. Another agency's plan is a 404 (selectors.plan_get).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from planner import selectors, services
from planner.forms import PlanRunForm
from planner.table_paging import table_paginate
from planner.tables import AtRiskTable, PlanTable, ScheduleTable
from procurement.core.views import FilteredTableView

# htmx stops polling an element whose request is answered with this status.
HTMX_STOP_POLLING = 286


class PlanListView(FilteredTableView):
    table_class = PlanTable
    template_name = "planner/plan_list.html"
    title = "Plans"
    item_name, item_name_plural = "plan", "plans"
    export_basename = "plans"

    def filterset(self, request):
        return selectors.plan_filter(request.user, request.GET)

    def context(self, request, filterset, table, per_page) -> dict:
        context = super().context(request, filterset, table, per_page)
        if selectors.can_plan_anything(request.user):
            context["run_form"] = PlanRunForm(user=request.user)
        return context


@require_POST
def plan_run(request):
    form = PlanRunForm(request.POST, user=request.user)
    if not selectors.can_plan_anything(request.user):
        raise PermissionDenied("Only a transition lead may run plans.")
    if not form.is_valid():
        messages.error(request, "Choose an agency you lead and a time limit.")
        return redirect("planner:plan-list")
    plan = services.plan_request(
        user=request.user,
        agency=form.cleaned_data["agency"],
        time_limit_seconds=form.cleaned_data["time_limit_seconds"],
        warm_start=form.cleaned_data["warm_start"],
    )
    return redirect(plan)


def plan_detail(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    table = ScheduleTable(selectors.scheduled_steps(request.user, plan))
    table_paginate(table, request)
    page = selectors.plan_page(request.user, plan, services.may_run_plan(request.user, plan.agency))
    return render(request, "planner/plan_detail.html", {"page": page, "plan": plan, "table": table})


def plan_progress(request, pk: int):
    """The part of the plan page that htmx polls until the run is finished."""
    plan = selectors.plan_get(request.user, pk)
    page = selectors.plan_page(request.user, plan, services.may_run_plan(request.user, plan.agency))
    response = render(request, "planner/plan_progress.html", {"page": page, "plan": plan, "polled": True})
    if plan.is_finished:
        response.status_code = HTMX_STOP_POLLING
    return response


@require_POST
def plan_cancel(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    if services.plan_cancel(user=request.user, plan=plan):
        messages.success(request, f"{plan} was cancelled. The previous plan stays as it was.")
    else:
        messages.info(request, f"{plan} had already finished.")
    return redirect(plan)


def plan_at_risk(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    table = AtRiskTable(selectors.systems_at_risk(request.user, plan))
    table_paginate(table, request)
    return render(request, "planner/plan_at_risk.html", {"plan": plan, "table": table})
