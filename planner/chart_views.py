"""Gantt and team-load pages of a plan, the Gantt's JSON data, and the per-system Gantt.

Thin: selectors and the chart modules read. Another agency's plan (or a system the user
may not see) is a 404 before anything is read.
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from planner import chart_selectors
from planner.chart_tables import GanttTable
from planner.enums import PlanState
from planner.gantt import gantt_json
from planner.load import MONTH, WEEK, load_picture, team_load
from planner.table_paging import table_paginate
from planner.tables import ScheduleTable

EMPTY_CHART = {"deadlines": [], "teams": {}, "systems": [], "links": []}


def _chart_view(view):
    """Runs a chart view on a done plan; an unfinished one redirects to its progress page."""

    @wraps(view)
    def wrapper(request, pk: int, *args, **kwargs):
        plan = chart_selectors.plan_get(request.user, pk)
        if plan.state != PlanState.DONE:
            return redirect(plan)
        return view(request, plan, *args, **kwargs)

    return wrapper


@_chart_view
def plan_gantt(request, plan):
    baseline = chart_selectors.baseline_of(plan)
    table = GanttTable(
        chart_selectors.plan_systems(request.user, plan),
        baseline_removals=chart_selectors.baseline_removals(request.user, baseline),
    )
    table_paginate(table, request)
    context = {"plan": plan, "table": table, "baseline": baseline, "data_url": _data_url(plan.pk)}
    return render(request, "planner/charts/gantt.html", context)


@_chart_view
def plan_gantt_system(request, plan, system_id: int):
    entry = chart_selectors.plan_system_get(request.user, plan, system_id)
    table = ScheduleTable(chart_selectors.system_steps(request.user, entry))
    table_paginate(table, request)
    data_url = f"{_data_url(plan.pk)}?system={system_id}"
    context = {"plan": plan, "entry": entry, "table": table, "data_url": data_url}
    return render(request, "planner/charts/gantt_system.html", context)


def plan_gantt_data(request, pk: int):
    """The chart's JSON; an unfinished plan has nothing to draw yet."""
    plan = chart_selectors.plan_get(request.user, pk)
    system_id = request.GET.get("system", "")
    if system_id and not system_id.isdigit():
        raise Http404("No such system.")
    if plan.state != PlanState.DONE:
        return JsonResponse(EMPTY_CHART | {"plan": plan.pk, "starts_on": plan.starts_on.isoformat()})
    if system_id:
        chart_selectors.plan_system_get(request.user, plan, int(system_id))
    data = gantt_json(request.user, plan, int(system_id) if system_id else None)
    return HttpResponse(data, content_type="application/json")


@_chart_view
def plan_load(request, plan):
    size = MONTH if request.GET.get("by") == MONTH else WEEK
    pictures = [load_picture(team, size) for team in team_load(request.user, plan, size)]
    return render(request, "planner/charts/load.html", {"plan": plan, "pictures": pictures, "size": size})


def _data_url(pk: int) -> str:
    return reverse("planner:plan-gantt-data", args=[pk])
