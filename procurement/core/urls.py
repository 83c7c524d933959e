from django.urls import path

from procurement.core import export_views

app_name = "core"

urlpatterns = [
    path("exports/<uuid:pk>/", export_views.export_job, name="export-job"),
    path("exports/<uuid:pk>/progress/", export_views.export_job_progress, name="export-progress"),
    path("exports/<uuid:pk>/download/", export_views.export_job_download, name="export-download"),
]
