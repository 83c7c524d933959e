"""URLs of milestones, Gantt and load pictures, baselines and what-if scenarios, planning set-up.

Included once from planner/urls.py, so every name lives in the "planner" namespace.
"""

from django.urls import path

from planner import chart_views, milestone_views, scenario_views, setup_views

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
    # Planning set-up: teams, calendars and work templates per agency; a system's own estimates.
    path("setup/", setup_views.SetupAgencyListView.as_view(), name="setup-list"),
    path("setup/<int:pk>/", setup_views.setup_detail, name="setup"),
    path("setup/<int:pk>/teams/", setup_views.team_add, name="setup-team-add"),
    path("setup/<int:pk>/freezes/", setup_views.freeze_add, name="setup-freeze-add"),
    path("setup/<int:pk>/templates/<str:kind>/", setup_views.template_save, name="setup-template-save"),
    path("setup/<int:pk>/templates/<str:kind>/copy/", setup_views.template_override, name="setup-template-copy"),
    path("setup/<int:pk>/templates/<str:kind>/reset/", setup_views.template_reset, name="setup-template-reset"),
    path("setup/teams/<int:pk>/", setup_views.team_edit, name="setup-team-edit"),
    path("setup/teams/<int:pk>/delete/", setup_views.team_delete, name="setup-team-delete"),
    path("setup/teams/<int:pk>/changes/", setup_views.capacity_change_add, name="setup-change-add"),
    path("setup/changes/<int:pk>/remove/", setup_views.capacity_change_remove, name="setup-change-remove"),
    path("setup/freezes/<int:pk>/remove/", setup_views.freeze_remove, name="setup-freeze-remove"),
    path("setup/systems/<int:pk>/estimates/", setup_views.system_estimates, name="system-estimates"),
]
