from django.urls import path

from procurement.discovery import views

app_name = "discovery"

urlpatterns = [
    path("discovery/", views.discovery_home, name="home"),
    path("discovery/agencies/<int:pk>/", views.agency_discovery, name="agency"),
    path("discovery/agencies/<int:pk>/candidates/", views.CandidateListView.as_view(), name="candidates"),
    path("discovery/agencies/<int:pk>/upload/", views.source_upload, name="source-upload"),
    path("discovery/agencies/<int:pk>/awards/", views.awards_upload, name="awards-upload"),
    path("discovery/agencies/<int:pk>/scan-systems/", views.systems_scan, name="systems-scan"),
    path("discovery/files/<uuid:pk>/", views.source_detail, name="source-detail"),
    path("discovery/candidates/<int:pk>/", views.candidate_detail, name="candidate-detail"),
    path("discovery/candidates/<int:pk>/accept/", views.candidate_accept, name="candidate-accept"),
    path("discovery/candidates/<int:pk>/reject/", views.candidate_reject, name="candidate-reject"),
    path("discovery/systems/<int:system_pk>/sbom/", views.sbom_upload, name="sbom-upload"),
]
