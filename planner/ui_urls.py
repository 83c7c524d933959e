"""URLs of milestones, Gantt and load pictures, baselines and what-if scenarios.

Included once from planner/urls.py, so every name lives in the "planner" namespace.
"""

from django.urls import path

from planner import chart_views, milestone_views, scenario_views

urlpatterns = [
    path("milestones/", milestone_views.MilestoneListView.as_view(), name="milestone-list"),
    path("milestones/<int:pk>/", milestone_views.milestone_detail, name="milestone-detail"),
    path("milestones/<int:pk>/done/", milestone_views.milestone_done, name="milestone-done"),
    path("milestones/<int:pk>/due-date/", milestone_views.milestone_move, name="milestone-move"),
    path("milestones/<int:pk>/evidence/", milestone_views.milestone_evidence, name="milestone-evidence"),
    path("plans/<int:pk>/gantt/", chart_views.plan_gantt, name="plan-gantt"),
    path("plans/<int:pk>/gantt/data/", chart_views.plan_gantt_data, name="plan-gantt-data"),
    path("plans/<int:pk>/gantt/systems/<int:system_id>/", chart_views.plan_gantt_system, name="plan-gantt-system"),
    path("plans/<int:pk>/load/", chart_views.plan_load, name="plan-load"),
    path("plans/<int:pk>/scenarios/", scenario_views.plan_scenarios, name="plan-scenarios"),
    path("plans/<int:pk>/scenarios/run/", scenario_views.scenario_run, name="plan-scenario-run"),
    path("plans/<int:pk>/baseline/", scenario_views.plan_baseline, name="plan-baseline"),
]
