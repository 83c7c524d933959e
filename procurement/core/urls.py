from django.urls import path

from procurement.core import export_views, views

app_name = "core"

urlpatterns = [
    path("exports/<uuid:pk>/", export_views.export_job, name="export-job"),
    path("exports/<uuid:pk>/progress/", export_views.export_job_progress, name="export-progress"),
    path("exports/<uuid:pk>/download/", export_views.export_job_download, name="export-download"),
    path("saved-views/", views.saved_view_save, name="saved-view-save"),
    path("saved-views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
]
