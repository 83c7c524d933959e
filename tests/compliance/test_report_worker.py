"""A real Celery worker writes a large report workbook through core's export jobs and pages."""

import io

import openpyxl
import pytest
from django.urls import reverse

from procurement.compliance import services
from procurement.core.models import ExportJob
from tests.core import test_exports_worker as core_worker
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db(transaction=True)

# core's worker fixtures: a real worker process on a queue of its own, its export folder.
worker, export_worker, finished_progress = core_worker.worker, core_worker.export_worker, core_worker.finished_progress


@pytest.fixture
def frozen_today():
    """Real time here: the worker is another process, and the polling needs a clock that moves."""
    yield


def test_a_large_report_workbook_is_written_by_the_worker(client, alice, directive, component_a, export_worker):
    for number in range(60):
        SystemFactory(agency=component_a, directive=directive, fisma_id=f"IRS-{number:04d}")
    report = services.status_report_generate(directive=directive, agency=component_a, number=1)
    client.force_login(alice)
    response = client.get(reverse("compliance:report-export", args=[report.pk, "xlsx"]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert "60 rows written." in finished_progress(client, job.pk, export_worker)
    download = client.get(reverse("core:export-download", args=[job.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    fisma_ids = [row[0] for row in workbook["Inventory"].iter_rows(min_row=2, values_only=True)]
    assert fisma_ids == [f"IRS-{number:04d}" for number in range(60)]


def test_someone_else_cannot_fetch_the_workbook(client, alice, bob, directive, component_a, export_worker):
    for number in range(60):
        SystemFactory(agency=component_a, directive=directive, fisma_id=f"IRS-{number:04d}")
    report = services.status_report_generate(directive=directive, agency=component_a, number=1)
    client.force_login(alice)
    client.get(reverse("compliance:report-export", args=[report.pk, "xlsx"]))
    job = ExportJob.objects.get()
    finished_progress(client, job.pk, export_worker)
    client.force_login(bob)
    assert client.get(reverse("core:export-download", args=[job.pk])).status_code == 404
