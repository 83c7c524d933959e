"""Inventory list timings on a loaded database (`loaddemo --systems N` first).

Times the systems list for an oversight user (who sees every row) and, in the same
run, the same page with Django's counting paginator as the baseline, so the figure
is a ratio that survives a noisy machine:

    python manage.py loaddemo --systems 100000
    python -m bench.inventory [--repeat 7]
"""

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tables2 import LazyPaginator  # noqa: E402

from procurement.core import views  # noqa: E402
from procurement.inventory.models import System, User  # noqa: E402

PAGES = {
    "first page": {},
    "page 400": {"page": "400"},
    "search 'Army'": {"q": "Army"},
    "filter high + migrating": {"criticality": "high", "status": "migrating"},
    "sort by deadline, desc": {"sort": "-removal_deadline"},
}


def timed_get(client: Client, params: dict, repeat: int) -> tuple[float, int]:
    client.get("/systems/", params)  # warm caches
    seconds = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get("/systems/", params)
            seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return statistics.median(seconds) * 1000, len(queries)


def run(repeat: int) -> None:
    user, _ = User.objects.get_or_create(username="bench-oversight", defaults={"is_oversight": True})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    print(f"{System.objects.count():,} systems, database {connection.vendor}, median of {repeat}")
    print(f"{'page':28} {'lazy ms':>8} {'queries':>8} {'counting ms':>12} {'ratio':>6}")
    for name, params in PAGES.items():
        lazy_ms, lazy_queries = timed_get(client, params, repeat)
        with paginator(Paginator):
            counting_ms, _ = timed_get(client, params, repeat)
        print(f"{name:28} {lazy_ms:8.1f} {lazy_queries:8} {counting_ms:12.1f} {counting_ms / lazy_ms:6.2f}")


class paginator:
    """Swaps the list view's paginator class for the baseline run."""

    def __init__(self, paginator_class):
        self.paginator_class = paginator_class

    def __enter__(self):
        views.LIST_PAGINATOR = self.paginator_class

    def __exit__(self, *exc):
        views.LIST_PAGINATOR = LazyPaginator


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    run(parser.parse_args().repeat)
