"""Baseline and what-if pages of a plan: the side-by-side comparison, running a scenario,
marking the baseline. Thin: selectors read, planner.scenarios writes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from planner import chart_selectors, scenarios, selectors, services
from planner.scenario_forms import ScenarioForm


def plan_scenarios(request, pk: int, form: ScenarioForm | None = None, status: int = 200):
    plan = chart_selectors.plan_get(request.user, pk)
    base = chart_selectors.plan_get(request.user, plan.scenario_base_id) if plan.scenario_base_id else plan
    may_run = services.may_run_plan(request.user, base.agency)
    columns = scenarios.comparison(
        request.user, base, chart_selectors.baseline_of(base), chart_selectors.scenarios_of(request.user, base)
    )
    if may_run and form is None and base.state == "done":
        form = ScenarioForm(user=request.user, plan=base)
    context = {"plan": base, "columns": columns, "form": form if may_run else None, "may_run": may_run}
    return render(request, "planner/charts/scenarios.html", context, status=status)


@require_POST
def scenario_run(request, pk: int):
    base = selectors.plan_get(request.user, pk)
    if not services.may_run_plan(request.user, base.agency):
        raise PermissionDenied("Only a transition lead of the agency may run what-if scenarios.")
    form = ScenarioForm(request.POST, user=request.user, plan=base)
    if not form.is_valid():
        return plan_scenarios(request, pk, form=form, status=400)
    try:
        scenario = scenarios.scenario_request(
            user=request.user, base=base, adjustments=scenarios.adjustments_build(**form.cleaned_data)
        )
    except ValidationError as error:
        form.add_error(None, error.messages[0])
        return plan_scenarios(request, pk, form=form, status=400)
    messages.success(request, f"What-if {scenario} is running; it appears beside the plan when done.")
    return redirect(scenario)


@require_POST
def plan_baseline(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    try:
        scenarios.plan_mark_baseline(user=request.user, plan=plan)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{plan} is now the baseline: later plans show each system's slip against it.")
    return redirect("planner:plan-scenarios", pk=plan.pk)
