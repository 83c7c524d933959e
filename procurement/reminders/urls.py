from django.urls import path

from procurement.reminders import views

app_name = "reminders"

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/settings/", views.preference_edit, name="settings"),
    path("reminders/milestones/<int:pk>/", views.milestone_reminders, name="milestone"),
    path("reminders/queue/", views.DigestQueueView.as_view(), name="queue"),
    path("reminders/directives/<int:pk>/policy/", views.policy_edit, name="policy"),
    path("reminders/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
