"""Plan, at-risk, Gantt, team-load, what-if and milestone pages for one agency with 1,000 systems.

    DATABASE_URL=postgres://... python -m bench.plan_pages [--systems 1000] [--time-limit 10] [--repeat 5]

Uses the BENCH agency of bench/plan_runs.py (made if missing), solves a plan of it once
(which also sets its milestones), then asks each page as a transition lead of the agency
through Django's test client (server time, no network) and prints one JSON line per page:
median and worst milliseconds over --repeat requests, queries per request, response bytes.
"""

import argparse
import json
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from bench.plan_runs import ensure_agency  # noqa: E402
from planner import services  # noqa: E402
from planner.selectors import current_plan  # noqa: E402
from procurement.inventory.enums import Role  # noqa: E402
from procurement.inventory.models import Membership, User  # noqa: E402
from tests.planner.checks import plan_urls  # noqa: E402


def lead_of(agency) -> User:
    user, _ = User.objects.get_or_create(username="bench-lead", defaults={"email": "bench-lead@example.gov"})
    Membership.objects.update_or_create(user=user, agency=agency, defaults={"role": Role.TRANSITION_LEAD})
    return user


def pages(plan) -> dict[str, str]:
    """The pages of `tests.planner.checks.plan_urls`, one system's Gantt being its latest system's."""
    system_id = plan.systems.order_by("-late_days", "system__fisma_id").values_list("system_id", flat=True).first()
    urls = plan_urls(plan, system_id)
    del urls["progress"]  # a finished plan's progress poll answers 286 (htmx: stop polling), not a page
    return urls


def measure(client: Client, url: str, repeat: int) -> dict:
    times, queries, size = [], 0, 0
    client.get(url)  # a warm-up: the first request compiles templates and fills caches
    for _ in range(repeat):
        reset_queries()
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(connection.queries)
        size = len(response.content)
    return {
        "median_ms": round(statistics.median(times)),
        "worst_ms": round(max(times)),
        "queries": queries,
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=1000)
    parser.add_argument("--time-limit", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    agency = ensure_agency(options.systems)
    plan = current_plan(agency)
    if plan is None or plan.system_count < options.systems:
        plan = services.plan_run_for_operator(agency=agency, time_limit_seconds=options.time_limit)
    client = Client()
    client.force_login(lead_of(agency))
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["testserver"]):  # queries are recorded only in debug
        for name, url in pages(plan).items():
            print(
                json.dumps(
                    {
                        "page": name,
                        "systems": plan.system_count,
                        "steps": plan.item_count,
                        **measure(client, url, options.repeat),
                    }
                )
            )


if __name__ == "__main__":
    main()
