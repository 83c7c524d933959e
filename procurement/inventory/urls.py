from django.urls import path

from procurement.inventory.imports import views as imports
from procurement.inventory.views import bulk, contracts, dashboard, revisions, systems

app_name = "inventory"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("directives/<int:pk>/", dashboard.directive_dashboard, name="directive-dashboard"),
    path("directives/<int:pk>/revise/", revisions.directive_revise, name="directive-revise"),
    path("systems/", systems.SystemListView.as_view(), name="system-list"),
    path("systems/new/", systems.system_edit, name="system-create"),
    path("systems/bulk/preview/", bulk.bulk_preview, name="system-bulk-preview"),
    path("systems/bulk/apply/", bulk.bulk_apply, name="system-bulk-apply"),
    path("systems/<int:pk>/", systems.system_detail, name="system-detail"),
    path("systems/<int:pk>/edit/", systems.system_edit, name="system-edit"),
    path("systems/<int:pk>/transition/", systems.system_transition, name="system-transition"),
    path("contracts/", contracts.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", contracts.contract_edit, name="contract-create"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract-detail"),
    path("contracts/<int:pk>/edit/", contracts.contract_edit, name="contract-edit"),
    path("import/<str:kind>/", imports.upload, name="import-upload"),
    path("import/<str:kind>/template.<str:file_format>", imports.template, name="import-template"),
    path("import/batch/<uuid:batch_id>/", imports.preview, name="import-preview"),
]
