from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from procurement import views, views_import

urlpatterns = [
    path("", views.home, name="home"),
    path("directives/<int:pk>/", views.directive_dashboard, name="directive-dashboard"),
    path("systems/", views.SystemListView.as_view(), name="system-list"),
    path("systems/new/", views.system_edit, name="system-create"),
    path("systems/<int:pk>/", views.system_detail, name="system-detail"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system-edit"),
    path("systems/<int:pk>/transition/", views.system_transition, name="system-transition"),
    path("contracts/", views.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", views.contract_edit, name="contract-create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract-edit"),
    path("import/<str:kind>/", views_import.upload, name="import-upload"),
    path("import/<str:kind>/template.<str:file_format>", views_import.template, name="import-template"),
    path("import/batch/<uuid:batch_id>/", views_import.preview, name="import-preview"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
