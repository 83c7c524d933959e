from django.urls import include, path

from planner import views

app_name = "planner"

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/run/", views.plan_run, name="plan-run"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/progress/", views.plan_progress, name="plan-progress"),
    path("plans/<int:pk>/cancel/", views.plan_cancel, name="plan-cancel"),
    path("plans/<int:pk>/at-risk/", views.plan_at_risk, name="plan-at-risk"),
    path("", include("planner.ui_urls")),  # milestones, charts, baselines and scenarios
]
