"""What core keeps in the database: export jobs, the large exports a worker writes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class ExportJob(models.Model):
    """A large XLSX export, written by a worker: for whom, of which list, its progress.

    The row keeps the user and the list's query string, never a queryset: the worker
    builds the list again as that user, so their access is applied as it stands when
    the job runs. The file lives under settings.EXPORT_DIR, named after the id.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Writing the file"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    list_name = models.CharField(max_length=100, help_text="URL name of the list, e.g. inventory:system-list.")
    query = models.TextField(blank=True, help_text="The list's query string: filters, columns and sort.")
    basename = models.CharField(max_length=100, help_text="The file's name without extension.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    done_rows = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True, help_text="Why it failed, for the user.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("core:export-job", args=[self.pk])

    @property
    def filename(self) -> str:
        return f"{self.basename}.xlsx"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class SavedView(models.Model):
    """A list as one person set it up (filters, columns, sort), saved under a name to come back to.

    `query` is the list's query string without its page: applying it runs the list's
    own filters and access rules again, so a saved view never shows more than the list.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    list_name = models.CharField(max_length=100, help_text="URL name of the list, e.g. inventory:system-list.")
    name = models.CharField(max_length=80)
    query = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "list_name", "name"], name="saved_view_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse(self.list_name)}?{self.query}" if self.query else reverse(self.list_name)


class ListColumns(models.Model):
    """The columns one person last chose for one list: shown again when the link names none."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_columns")
    list_name = models.CharField(max_length=100)
    columns = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "list_name"], name="list_columns_one_per_list")]

    def __str__(self) -> str:
        return f"{self.user} · {self.list_name}"
