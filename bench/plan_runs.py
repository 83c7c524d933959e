"""Planning in the app, end to end: one agency with 1,000 systems built, solved and stored.

    DATABASE_URL=postgres://... python -m bench.plan_runs [--systems 1000] [--time-limit 30]
    DATABASE_URL=... REDIS_URL=redis://... python -m bench.plan_runs --all-agencies [--workers 1 2] [--time-limit 30]
    DATABASE_URL=... python -m bench.plan_runs --stability [--changes 3] [--unchanged] [--time-limit 30]

Makes sure an agency BENCH with N synthetic systems exists (bulk-inserted: a seeded mix of
dependency kinds, criticality, sizes and workflow states, 5 % depending on an earlier
system, a third with a contract, deadlines spread over 2027-2028 as waivers) and its three
teams, then runs `planner.services` as the `plan` command does: build (problem and
snapshot), solve (the parts, one after another here), store (steps and systems). Prints one
JSON line: seconds per phase, items, parts, status, gap, late systems and weighted
tardiness, against earliest-deadline-first list scheduling (bench/edf.py) on the same
problem and teams in the same run.

`--all-agencies` plans every department (each plan covers its components, as the demo's
plans do) on real Celery worker processes that take tasks from REDIS_URL, once per
`--workers` count in the same run: it starts that many workers (solo pool, one process
each) on a queue of its own, waits until they are ready, queues one run per department
as a transition lead's request does, and times from the first queued run to the last
stored plan. Every round starts from the same current plans, so rounds differ only in
their workers. Prints one JSON line per round and a last line with the speed-up.

`--stability` measures how far a warm-started re-plan moves the rest of the schedule after
one system's estimate changes (issue 9: at most 5 % of the other systems' steps). On the
same BENCH agency it stores a first plan (warm-started from the current plan, if any), then,
for each of `--changes` systems picked at even spacing along that plan's finish dates, sets
the system's own estimate of one remaining step (build when it has one, else its longest
step) to twice its effort as a transition lead does (`system_estimates_save`), re-plans
warm-started from the first plan with the same time limit, counts the other systems' steps
whose start or finish date changed, and removes the estimate again. `--unchanged` adds a
re-plan with no change first (what moves by itself); `--first-plan ID` starts from a stored
BENCH plan instead (the same changes for two versions of the engine). Prints a line naming
the first plan, then one JSON line per re-plan (moved, total, percent, the app's
`moved_steps`, late systems and weighted tardiness before and after, seconds, load average).
"""

import argparse
import datetime
import decimal
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from celery import current_app  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.edf import earliest_deadline_first  # noqa: E402
from planner import services  # noqa: E402
from planner.enums import UNFINISHED_STATES, TeamKind  # noqa: E402
from planner.models import Plan, PlanPart, PlanSystem, ScheduledStep, Team  # noqa: E402
from planner.selectors import current_plan  # noqa: E402
from planner.setup_services import EstimateEdit, system_estimates_save  # noqa: E402
from planner.snapshots import problem_from_json  # noqa: E402
from procurement.inventory.enums import AgencyType, Criticality, DependencyKind, Network, SystemStatus  # noqa: E402
from procurement.inventory.models import Agency, Contract, Directive, System, User  # noqa: E402

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
    engine_tardiness = weighted_tardiness(plan)
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


# --- every agency on real workers --------------------------------------------------------------

WORKER_START_SECONDS = 180
ROUND_LIMIT_SECONDS = 3600


def departments() -> list[Agency]:
    """Agencies with no parent that have systems (their own or their components'): one plan each."""
    return [
        agency
        for agency in Agency.objects.filter(parent=None).order_by("abbreviation")
        if System.objects.filter(agency__in=Agency.objects.with_components(agency.pk)).exists()
    ]


def start_workers(count: int, queue: str, folder: Path) -> list[subprocess.Popen]:
    """`count` Celery worker processes (solo pool: one process each) on `queue`, ready when this returns."""
    workers = []
    for number in range(count):
        log = folder / f"worker{number}.log"
        command = [sys.executable, "-m", "celery", "-A", "procurement", "worker", "--pool", "solo", "--queues", queue]
        command += ["--hostname", f"plan{number}-{queue}@%h", "--without-gossip", "--without-mingle"]
        command += ["--loglevel", "INFO", "--logfile", str(log)]  # " ready." is logged at INFO
        workers.append(subprocess.Popen(command, cwd=Path(__file__).resolve().parents[1], stdout=subprocess.DEVNULL))
        workers[-1].log = log
    deadline = time.monotonic() + WORKER_START_SECONDS
    while not all(worker.log.exists() and " ready." in worker.log.read_text() for worker in workers):
        if time.monotonic() > deadline or any(worker.poll() is not None for worker in workers):
            stop_workers(workers)
            raise SystemExit(f"the workers did not start; see {folder}")
        time.sleep(0.2)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=120)


def queue_runs(agencies: list[Agency], warm_starts: dict[int, Plan | None], time_limit: float, queue: str) -> list[int]:
    """One run per agency, recorded and queued as `services.plan_request` does (by the operator:
    every system of the scope), each warm-started from the plan that was current before round one."""
    plan_ids = []
    for agency in agencies:
        plan = Plan.objects.create(
            agency=agency,
            starts_on=datetime.date.today(),
            time_limit_seconds=time_limit,
            warm_start=warm_starts[agency.pk],
        )
        current_app.send_task(services.PLAN_TASK, args=[plan.pk], queue=queue)
        plan_ids.append(plan.pk)
    return plan_ids


def wait_for(plan_ids: list[int]) -> None:
    deadline = time.monotonic() + ROUND_LIMIT_SECONDS
    while Plan.objects.filter(pk__in=plan_ids, state__in=UNFINISHED_STATES).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"plans {plan_ids} did not finish within {ROUND_LIMIT_SECONDS} s")
        time.sleep(0.25)


def all_agencies_round(agencies: list[Agency], warm_starts: dict, worker_count: int, time_limit: float) -> dict:
    queue = f"bench-plans-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as folder:
        workers = start_workers(worker_count, queue, Path(folder))
        try:
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            plan_ids = queue_runs(agencies, warm_starts, time_limit, queue)
            wait_for(plan_ids)
            seconds = time.perf_counter() - started
            load_after = os.getloadavg()[0]
        finally:
            stop_workers(workers)
    plans = list(Plan.objects.filter(pk__in=plan_ids).defer("input_snapshot", "gantt_json").order_by("pk"))
    return {
        "workers": worker_count,
        "time_limit": time_limit,
        "plans": len(plans),
        "done": sum(1 for plan in plans if plan.state == "done"),
        "systems": sum(plan.system_count for plan in plans),
        "items": sum(plan.item_count for plan in plans),
        "parts": sum(plan.parts_total for plan in plans),
        "seconds": round(seconds, 1),
        "late_systems": sum(plan.late_systems or 0 for plan in plans),
        "plan_seconds": {plan.agency.abbreviation: plan.seconds and round(plan.seconds, 1) for plan in plans},
        "load_average": [round(load_before, 2), round(load_after, 2)],
    }


def run_all_agencies(worker_counts: list[int], time_limit: float) -> None:
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        raise SystemExit("--all-agencies needs REDIS_URL: the workers take their tasks from Redis.")
    agencies = departments()
    warm_starts = {agency.pk: current_plan(agency) for agency in agencies}
    rounds = []
    for count in worker_counts:
        rounds.append(all_agencies_round(agencies, warm_starts, count, time_limit))
        print(json.dumps(rounds[-1]), flush=True)
    print(json.dumps(speed_ups(rounds)))


def speed_ups(rounds: list[dict]) -> dict[str, float]:
    """Each later round's speed-up over the first: the first round's seconds over its own."""
    first = rounds[0]
    return {
        f"speed_up_{later['workers']}_over_{first['workers']}": round(first["seconds"] / later["seconds"], 2)
        for later in rounds[1:]
    }


# --- stability of a warm-started re-plan ------------------------------------------------------

STABILITY_USER = "bench-stability"
ESTIMATE_FACTOR = 2


def plan_now(agency: Agency, time_limit: float, warm_start: Plan | None) -> Plan:
    """A plan of the agency run here and now as the `plan` command does, warm-started from `warm_start`."""
    plan = Plan.objects.create(
        agency=agency, starts_on=datetime.date.today(), time_limit_seconds=time_limit, warm_start=warm_start
    )
    return services.plan_run_now(plan.pk)


def changed_systems(plan: Plan, count: int) -> list[int]:
    """`count` systems at even spacing along the plan's finish dates: none first or last."""
    ordered = list(
        PlanSystem.objects.filter(plan=plan, finishes_on__isnull=False)
        .order_by("finishes_on", "system_id")
        .values_list("system_id", flat=True)
    )
    return [ordered[len(ordered) * (number + 1) // (count + 1)] for number in range(count)]


def step_to_change(plan: Plan, system_id: int) -> tuple[str, int]:
    """The system's build step when it has one left, else its longest; with its planned work days."""
    durations = {item["id"]: item["duration"] for item in plan.input_snapshot["problem"]["items"]}
    steps = ScheduledStep.objects.filter(plan=plan, system_id=system_id, contract=None)
    by_step = {step: durations[item] for step, item in steps.values_list("step", "item_id")}
    if "build" in by_step:
        return "build", by_step["build"]
    step = max(by_step, key=by_step.get)
    return step, by_step[step]


def set_estimate(system_id: int, step: str, effort_days: int | None) -> None:
    """The system's own estimate of `step` set (None: removed) by a transition lead's form."""
    user, _ = User.objects.get_or_create(username=STABILITY_USER, defaults={"is_superuser": True})
    system = System.objects.get(pk=system_id)
    version = system.estimates.filter(step=step).values_list("version", flat=True).first() or 0
    effort = None if effort_days is None else decimal.Decimal(effort_days)
    system_estimates_save(user=user, system=system, edits=[EstimateEdit(step, effort, version)], reason="bench")


def moved_steps(before: Plan, after: Plan, changed: int | None) -> tuple[int, int]:
    """Steps of systems other than `changed` whose start or finish date differs; and how many there are."""
    dates = {item: days for item, *days in _step_dates(before, changed)}
    moved = sum(1 for item, *days in _step_dates(after, changed) if item in dates and dates[item] != days)
    return moved, len(dates)


def _step_dates(plan: Plan, changed: int | None):
    return (
        ScheduledStep.objects.filter(plan=plan)
        .exclude(system_id=changed)
        .values_list("item_id", "starts_on", "finishes_on")
    )


def weighted_tardiness(plan: Plan) -> int:
    return sum(part.result["weighted_tardiness"] for part in plan.parts.all())


def replan_figures(first: Plan, agency: Agency, time_limit: float, changed: int | None) -> dict:
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    again = plan_now(agency, time_limit, warm_start=first)
    seconds = time.monotonic() - started
    moved, total = moved_steps(first, again, changed)
    return {
        "plan": again.pk,
        "moved": moved,
        "total": total,
        "percent": round(100 * moved / max(1, total), 2),
        "plan_moved_steps": again.moved_steps,
        "late_systems_before": first.late_systems,
        "late_systems_after": again.late_systems,
        "weighted_tardiness_before": weighted_tardiness(first),
        "weighted_tardiness_after": weighted_tardiness(again),
        "finish_before": first.finishes_on and first.finishes_on.isoformat(),
        "finish_after": again.finishes_on and again.finishes_on.isoformat(),
        "status": again.engine_status,
        "seconds": round(seconds, 1),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def run_stability(systems: int, time_limit: float, changes: int, unchanged: bool, first_plan: int | None) -> None:
    agency = ensure_agency(systems)
    if first_plan is None:
        first = plan_now(agency, time_limit, warm_start=current_plan(agency))
    else:
        first = Plan.objects.get(pk=first_plan, agency=agency, state="done")
    print(json.dumps({"first_plan": first.pk, "items": first.item_count, "late_systems": first.late_systems}))
    if unchanged:
        figures = replan_figures(first, agency, time_limit, None)
        print(json.dumps({"changed": None, "time_limit": time_limit, **figures}), flush=True)
    for system_id in changed_systems(first, changes):
        step, days = step_to_change(first, system_id)
        set_estimate(system_id, step, ESTIMATE_FACTOR * days)
        try:
            figures = replan_figures(first, agency, time_limit, system_id)
        finally:
            set_estimate(system_id, step, None)
        change = {"changed": system_id, "step": step, "days": [days, ESTIMATE_FACTOR * days], "time_limit": time_limit}
        print(json.dumps({**change, **figures}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=1000)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--all-agencies", action="store_true", help="plan every department on Celery workers")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker processes, one round each")
    parser.add_argument("--stability", action="store_true", help="re-plan after one system's estimate changes")
    parser.add_argument("--changes", type=int, default=3, help="with --stability: systems changed, one re-plan each")
    parser.add_argument("--unchanged", action="store_true", help="with --stability: first re-plan with no change")
    parser.add_argument("--first-plan", type=int, help="with --stability: re-plan from this stored plan of BENCH")
    arguments = parser.parse_args()
    if arguments.stability:
        stability = (arguments.changes, arguments.unchanged, arguments.first_plan)
        run_stability(arguments.systems, arguments.time_limit, *stability)
    elif arguments.all_agencies:
        run_all_agencies(arguments.workers, arguments.time_limit)
    else:
        print(json.dumps(run(arguments.systems, arguments.time_limit)))


if __name__ == "__main__":
    main()
