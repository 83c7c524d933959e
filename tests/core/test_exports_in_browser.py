"""A large export in a real browser: the link, the progress page htmx polls, the download.

The page is checked with axe while the job waits for the worker and once it is done;
the browser fixtures fail a test whose page breaks the Content-Security-Policy.
"""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from procurement.core import services
from tests.browser.conftest import axe_violations, browser, csp_violations, page, sign_in  # noqa: F401 (fixtures)
from tests.core.test_exports import make_systems
from tests.core.test_exports_worker import export_worker, worker  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_waiting_page(page, alice, component_a, directive, settings, monkeypatch):  # noqa: F811
    make_systems(80, component_a, directive)
    settings.EXPORT_XLSX_IN_REQUEST_MAX_ROWS = 50
    monkeypatch.setattr(services.current_app, "send_task", lambda *args, **kwargs: None)  # no worker gets it
    sign_in(page, "alice")
    page.goto("/systems/?columns=name&columns=fisma_id")
    page.get_by_role("link", name="Export XLSX").click()
    page.wait_for_url("**/exports/*/")
    assert page.get_by_label("Rows written").count() == 1  # the <progress>, named by its label
    assert "Waiting for a worker to start." in page.locator("#export-progress").inner_text()
    assert axe_violations(page) == []


def test_the_worker_finishes_and_the_page_offers_the_file(page, alice, component_a, directive, export_worker):  # noqa: F811
    make_systems(80, component_a, directive)
    sign_in(page, "alice")
    page.goto("/systems/?columns=name&columns=fisma_id")
    page.get_by_role("link", name="Export XLSX").click()
    page.wait_for_url("**/exports/*/")
    status = page.get_by_role("status")
    download_link = status.get_by_role("link", name="Download")
    download_link.wait_for(timeout=60_000)  # htmx polls the progress until the job is finished
    assert "is ready" in status.inner_text()
    assert page.locator("#export-progress-bar").get_attribute("value") == "80"
    assert axe_violations(page) == []
    with page.expect_download() as download:
        download_link.click()
    content = io.BytesIO(Path(download.value.path()).read_bytes())  # the saved file has no .xlsx ending
    rows = list(load_workbook(content, read_only=True).worksheets[0].values)
    assert rows[0] == ("Name", "FISMA system ID") and len(rows) == 81
