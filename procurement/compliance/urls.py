from django.urls import path

from procurement.compliance import views

app_name = "compliance"

urlpatterns = [
    path("waivers/", views.WaiverListView.as_view(), name="waiver-list"),
    path("waivers/<int:pk>/", views.waiver_detail, name="waiver-detail"),
    path("waivers/<int:pk>/decide/", views.waiver_decide, name="waiver-decide"),
    path("waivers/<int:pk>/withdraw/", views.waiver_withdraw, name="waiver-withdraw"),
    path("waivers/<int:pk>/extend/", views.waiver_extend, name="waiver-extend"),
    path("systems/<int:system_pk>/waivers/new/", views.waiver_request, name="waiver-request"),
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/completeness/", views.completeness, name="completeness"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("reports/<int:pk>/refresh/", views.report_refresh, name="report-refresh"),
    path("reports/<int:pk>/sign/", views.report_sign, name="report-sign"),
    path("reports/<int:pk>/verify/", views.report_verify, name="report-verify"),
    path("reports/<int:pk>/changes/", views.report_changes, name="report-changes"),
    path("reports/<int:pk>/report.<str:file_format>", views.report_export, name="report-export"),
    path("oversight/", views.oversight, name="oversight"),
    path("calendar/", views.feed_list, name="feed-list"),
    path("calendar/<int:pk>/revoke/", views.feed_revoke, name="feed-revoke"),
    path("calendar/feed/<str:token>.ics", views.feed, name="feed"),
]
