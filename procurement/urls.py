"""The project's URLs: each app's under its namespace, plus sign-in and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("procurement.inventory.urls")),
    path("", include("procurement.core.urls")),  # export jobs
    path("", include("procurement.discovery.urls")),
    path("", include("planner.urls")),
    path("", include("procurement.compliance.urls")),
    path("", include("procurement.reminders.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
