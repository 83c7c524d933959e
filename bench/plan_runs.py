"""Planning in the app, end to end: one agency with 1,000 systems built, solved and stored.

    DATABASE_URL=postgres://... python -m bench.plan_runs [--systems 1000] [--time-limit 30]

Makes sure an agency BENCH with N synthetic systems exists (bulk-inserted: a seeded mix of
dependency kinds, criticality, sizes and workflow states, 5 % depending on an earlier
system, a third with a contract, deadlines spread over 2027-2028 as waivers) and its three
teams, then runs `planner.services` as the `plan` command does: build (problem and
snapshot), solve (the parts, one after another here), store (steps and systems). Prints one
JSON line: seconds per phase, items, parts, status, gap, late systems and weighted
tardiness, against earliest-deadline-first list scheduling (bench/edf.py) on the same
problem and teams in the same run.
"""

import argparse
import datetime
import json
import os
import random
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402

from bench.edf import earliest_deadline_first  # noqa: E402
from planner import services  # noqa: E402
from planner.enums import TeamKind  # noqa: E402
from planner.models import Plan, PlanPart, Team  # noqa: E402
from planner.snapshots import problem_from_json  # noqa: E402
from procurement.inventory.enums import AgencyType, Criticality, DependencyKind, Network, SystemStatus  # noqa: E402
from procurement.inventory.models import Agency, Contract, Directive, System  # noqa: E402

PREFIX = "BENCH-"
TEAM_SIZES = {TeamKind.ENGINEERS: 150, TeamKind.CONTRACTING: 30, TeamKind.ASSESSORS: 40}
STATUSES = (
    [SystemStatus.IDENTIFIED] * 5 + [SystemStatus.ASSESSED] * 2 + [SystemStatus.PLAN_APPROVED, SystemStatus.MIGRATING]
)


@transaction.atomic
def ensure_agency(count: int) -> Agency:
    agency, _ = Agency.objects.get_or_create(
        abbreviation="BENCH", defaults={"name": "Benchmark Agency", "agency_type": AgencyType.CIVILIAN}
    )
    for kind, size in TEAM_SIZES.items():
        Team.objects.update_or_create(agency=agency, name=f"Bench {kind}", defaults={"kind": kind, "head_count": size})
    existing = System.objects.filter(agency=agency).count()
    if existing < count:
        add_systems(agency, existing, count)
        transaction.on_commit(refresh_statistics)
    return agency


def refresh_statistics() -> None:
    """PostgreSQL's statistics learn of the bulk-inserted systems now, as autovacuum would later."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE inventory_system, inventory_system_depends_on, inventory_contract_systems")


def add_systems(agency: Agency, existing: int, count: int) -> None:
    rng = random.Random(existing)
    directive = Directive.objects.order_by("pk").first()
    systems = System.objects.bulk_create(
        System(
            agency=agency,
            directive=directive,
            name=f"Bench system {number}",
            fisma_id=f"{PREFIX}{number:06d}",
            criticality=rng.choice(Criticality.values),
            network=Network.UNCLASSIFIED,
            dependency_kind=rng.choice(DependencyKind.values),
            user_count=int(10 ** rng.uniform(1, 5)),
            status=rng.choice(STATUSES),
            removal_deadline=directive.issued_on,
            waiver_until=datetime.date(2027, 1, 1) + datetime.timedelta(days=rng.randint(0, 700)),
        )
        for number in range(existing + 1, count + 1)
    )
    links = System.depends_on.through
    links.objects.bulk_create(
        links(from_system_id=system.pk, to_system_id=systems[rng.randrange(position)].pk)
        for position, system in enumerate(systems)
        if position and rng.random() < 0.05
    )
    for position in range(0, len(systems), 3):
        contract = Contract.objects.create(
            agency=agency, contract_number=f"BENCH-{existing + position}", vendor_name="Covered AI Inc."
        )
        contract.systems.add(systems[position])


def run(systems: int, time_limit: float) -> dict:
    agency = ensure_agency(systems)
    plan = Plan.objects.create(agency=agency, starts_on=datetime.date.today(), time_limit_seconds=time_limit)
    started = time.monotonic()
    part_ids = services.plan_start(plan.pk)
    built = time.monotonic()
    for part_id in part_ids[:-1]:
        services.plan_part_solve(part_id)
    last = PlanPart.objects.get(pk=part_ids[-1])
    services.plan_part_solve(last.pk)  # solves, then stores the whole plan
    finished = time.monotonic()
    plan.refresh_from_db()
    solve_seconds = sum(part.result["seconds"] for part in plan.parts.all())
    problem = problem_from_json(plan.input_snapshot["problem"])
    by_hand = earliest_deadline_first(problem)
    engine_tardiness = sum(part.result["weighted_tardiness"] for part in plan.parts.all())
    return {
        "systems": plan.system_count,
        "items": plan.item_count,
        "parts": plan.parts_total,
        "state": plan.state,
        "status": plan.engine_status,
        "gap": plan.gap and round(plan.gap, 3),
        "build_seconds": round(built - started, 2),
        "solve_seconds": round(solve_seconds, 2),
        "store_seconds": round(finished - built - solve_seconds, 2),
        "total_seconds": round(finished - started, 2),
        "late_systems": plan.late_systems,
        "weighted_tardiness": engine_tardiness,
        "edf_late_systems": by_hand.late_items,
        "edf_weighted_tardiness": by_hand.weighted_tardiness,
        "finish": plan.finishes_on and plan.finishes_on.isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=1000)
    parser.add_argument("--time-limit", type=float, default=30.0)
    arguments = parser.parse_args()
    print(json.dumps(run(arguments.systems, arguments.time_limit)))


if __name__ == "__main__":
    main()
