"""Views of the reminders app: they call selectors and services only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from procurement.core.views import FilteredTableView
from procurement.inventory.selectors import directive_get
from procurement.reminders import selectors, services
from procurement.reminders.filters import DigestQueueFilter, NotificationFilter
from procurement.reminders.forms import PolicyForm, PreferenceForm
from procurement.reminders.tables import DigestQueueTable, NotificationTable


class NotificationListView(FilteredTableView):
    """The signed-in user's notices: what the digests said, for people who do not read email."""

    table_class = NotificationTable
    template_name = "reminders/notifications.html"
    title = "Notifications"
    item_name, item_name_plural = "notice", "notices"
    export_basename = "notifications"

    def filterset(self, request):
        return NotificationFilter(request.GET, queryset=selectors.notifications_for(request.user), user=request.user)


@require_POST
def notifications_read(request):
    services.reminders_mark_read(user=request.user, now=timezone.now())
    messages.success(request, "All notices marked as read.")
    return redirect("reminders:notifications")


class DigestQueueView(FilteredTableView):
    """Staff only: every digest, its status and last error; failures and rows in doubt first to look at."""

    table_class = DigestQueueTable
    template_name = "reminders/queue.html"
    title = "Reminder queue"
    item_name, item_name_plural = "digest", "digests"
    export_basename = "reminder-queue"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Only administrators see the reminder queue.")
        return super().dispatch(request, *args, **kwargs)

    def filterset(self, request):
        return DigestQueueFilter(request.GET, queryset=selectors.digest_queue(), user=request.user)

    def context(self, request, filterset, table, per_page) -> dict:
        return {**super().context(request, filterset, table, per_page), "summary": selectors.queue_summary()}


def milestone_reminders(request, pk: int):
    page = selectors.milestone_reminders(request.user, pk)
    return render(request, "reminders/milestone.html", {"page": page, "milestone": page.milestone})


def preference_edit(request):
    preference = selectors.preference_for(request.user)
    form = PreferenceForm(request.POST or None, instance=preference, initial={"version": preference.version})
    if request.method == "POST" and form.is_valid():
        saved = services.reminder_preference_update(
            user=request.user,
            digest_hour=form.cleaned_data["digest_hour"],
            digest_opt_out=form.cleaned_data["digest_opt_out"],
            version=form.cleaned_data["version"],
        )
        if saved:
            messages.success(request, "Reminder settings saved.")
            return redirect("reminders:settings")
        form.add_error(None, "These settings were changed elsewhere since you opened this page: reload and try again.")
    return render(request, "reminders/settings.html", {"form": form}, status=400 if form.errors else 200)


def policy_edit(request, pk: int):
    """A directive's reminder policy; only superusers edit directives, as in the admin."""
    directive = directive_get(pk)
    if not request.user.is_superuser:
        raise PermissionDenied("Only an administrator changes a directive's reminder policy.")
    policy = selectors.policy_for(directive)
    form = PolicyForm(request.POST or None, instance=policy, initial={"version": policy.version})
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PolicyForm.Meta.fields}
        if services.reminder_policy_update(policy=policy, version=form.cleaned_data["version"], **fields):
            messages.success(request, "Reminder policy saved; the next sweep uses it.")
            return redirect("reminders:policy", pk=directive.pk)
        form.add_error(None, "This policy was changed elsewhere since you opened this page: reload and try again.")
    context = {"form": form, "directive": directive}
    return render(request, "reminders/policy.html", context, status=400 if form.errors else 200)


@login_not_required
@csrf_exempt  # RFC 8058: the mail client POSTs with no session and no token; the signed link is the proof
def unsubscribe(request, token: str):
    """One-click unsubscribe from the digest: GET asks, POST (a person or the mail client) does it."""
    user = selectors.unsubscribing_user(token)
    if user is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method == "POST":
        services.reminder_preference_opt_out(user=user)
        return render(request, "reminders/unsubscribed.html", {"done": True})
    if request.method != "GET":
        return HttpResponse(status=405)
    return render(request, "reminders/unsubscribed.html", {"done": False})
