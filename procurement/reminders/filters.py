"""Filter sets for the reminders lists."""

import django_filters

from procurement.inventory.filters import FilterForm, UserScopedFilterSet, checkboxes
from procurement.reminders.enums import DigestStatus, ReminderKind, ReminderStatus
from procurement.reminders.models import Digest, Reminder


class NotificationFilter(UserScopedFilterSet):
    kind = checkboxes(ReminderKind.choices, label="Notice")
    status = checkboxes(ReminderStatus.choices, label="Email")
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Unread only")

    class Meta:
        model = Reminder
        fields = ["kind", "status", "unread"]
        form = FilterForm


class DigestQueueFilter(UserScopedFilterSet):
    q = django_filters.CharFilter(label="Recipient email", method="search")
    status = checkboxes(DigestStatus.choices)
    was_in_doubt = django_filters.BooleanFilter(label="Was in doubt")

    class Meta:
        model = Digest
        fields = ["q", "status", "was_in_doubt"]
        form = FilterForm

    def search(self, queryset, name, value):
        value = value.strip()[:200]
        return queryset.filter(recipient_email__icontains=value) if value else queryset
