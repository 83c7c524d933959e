"""What a plan's Gantt chart draws: systems with their steps, deadlines, links, the critical chain.

Reads a done plan in a constant number of queries (steps, systems, teams, parts, the plan's
snapshot), narrowed to the systems the user may see, and returns plain JSON-ready data
that static/planner/gantt.js draws and the table alternative lists. The whole plan's data is
also written once as JSON text when the plan is stored (`whole_plan_gantt_json`), and served
as it is to everyone who may see every system of the plan: 1,000 systems' steps are read and
turned into JSON once, not on every page view.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from planner.enums import CUT_OVER_STEP
from planner.item_names import item_label
from planner.models import Plan, PlanPart, PlanSystem, ScheduledStep, Team
from procurement.inventory.models import System


@dataclass(frozen=True)
class StepBar:
    item_id: str
    system_id: int
    step: str
    label: str
    starts_on: datetime.date
    finishes_on: datetime.date
    start_unit: int
    finish_unit: int
    team_id: int | None
    late_days: int


def gantt_json(user, plan: Plan, system_id: int | None = None) -> str:
    """The chart's data as JSON text: the copy stored with the plan when the user may see all of
    it, else read now for the systems the user may see (or one system and what it waits for)."""
    if system_id is None and _sees_whole_plan(user, plan):
        stored = Plan.objects.filter(pk=plan.pk).values_list("gantt_json", flat=True).first()
        if stored:
            return stored
    return json.dumps(gantt_data(user, plan, system_id))


def whole_plan_gantt_json(plan: Plan) -> str:
    """Every system's chart data, for the plan's stored copy (no user: all of it)."""
    return json.dumps(_gantt(plan, PlanSystem.objects.all(), ScheduledStep.objects.all(), None))


def _sees_whole_plan(user, plan: Plan) -> bool:
    return PlanSystem.objects.for_user(user).filter(plan=plan).count() == plan.system_count


def gantt_data(user, plan: Plan, system_id: int | None = None) -> dict:
    """The chart's data for every system of the plan the user may see (or one system and the
    systems it waits for)."""
    return _gantt(plan, PlanSystem.objects.for_user(user), ScheduledStep.objects.for_user(user), system_id)


def _gantt(plan: Plan, entry_rows, step_rows, system_id: int | None) -> dict:
    """The chart's data from the plan entries and steps in `entry_rows` and `step_rows`."""
    entries = _entries(entry_rows, plan, system_id)
    shown = set(entries)
    bars = _bars(step_rows, plan, shown)
    links = [link for link in cross_system_links(plan) if link[0] in shown and link[1] in shown]
    critical = critical_items(plan, bars, links)
    by_system: dict[int, list[StepBar]] = defaultdict(list)
    for bar in bars.values():
        by_system[bar.system_id].append(bar)
    return {
        "plan": plan.pk,
        "starts_on": plan.starts_on.isoformat(),
        "finishes_on": max((b.finishes_on for b in bars.values()), default=plan.starts_on).isoformat(),
        "deadlines": deadline_lines(entry["deadline"] for entry in entries.values()),
        "teams": {
            str(pk): name
            for pk, name in Team.objects.filter(pk__in={b.team_id for b in bars.values()}).values_list("pk", "name")
        },
        "systems": [_system_json(entry, by_system.get(pk, []), critical) for pk, entry in entries.items()],
        "links": [{"from": prerequisite, "to": dependent} for prerequisite, dependent in links],
    }


def _entries(rows, plan: Plan, system_id: int | None) -> dict[int, dict]:
    """Plan entries by system id, latest removal first within late ones, then by FISMA id."""
    rows = rows.filter(plan=plan)
    if system_id is not None:
        prerequisites = {a for a, _ in cross_system_links(plan, {system_id})}
        rows = rows.filter(system_id__in={system_id} | prerequisites)
    fields = (
        "system_id",
        "system__fisma_id",
        "system__name",
        "deadline",
        "starts_on",
        "removal_on",
        "finishes_on",
        "late_days",
    )
    return {row["system_id"]: row for row in rows.order_by("system__fisma_id").values(*fields)}


def _bars(rows, plan: Plan, systems: set[int]) -> dict[str, StepBar]:
    rows = (
        rows.filter(plan=plan, system_id__in=systems)
        .order_by("system_id", "start_unit", "item_id")
        .values_list(
            "item_id",
            "system_id",
            "step",
            "contract_action",
            "starts_on",
            "finishes_on",
            "start_unit",
            "finish_unit",
            "team_id",
            "late_days",
            "system__fisma_id",
        )
    )
    return {
        item: StepBar(item, system, step, item_label(fisma_id, step, action), first, last, start, finish, team, late)
        for item, system, step, action, first, last, start, finish, team, late, fisma_id in rows.iterator(
            chunk_size=4000
        )
    }


def _system_json(entry: dict, bars: list[StepBar], critical: set[str]) -> dict:
    return {
        "id": entry["system_id"],
        "fisma_id": entry["system__fisma_id"],
        "name": entry["system__name"],
        "deadline": _iso(entry["deadline"]),
        "starts_on": _iso(entry["starts_on"]),
        "removal_on": _iso(entry["removal_on"]),
        "finishes_on": _iso(entry["finishes_on"]),
        "late_days": entry["late_days"],
        "critical": any(bar.item_id in critical for bar in bars),
        "steps": [
            {
                "id": bar.item_id,
                "step": bar.step,
                "label": bar.label,
                "starts_on": bar.starts_on.isoformat(),
                "finishes_on": bar.finishes_on.isoformat(),
                "team": bar.team_id,
                "late_days": bar.late_days,
                "critical": bar.item_id in critical,
            }
            for bar in bars
        ],
    }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def deadline_lines(deadlines) -> list[dict]:
    """The removal deadlines the chart draws as lines: each distinct date with its systems' count."""
    counts = Counter(day for day in deadlines if day is not None)
    return [{"date": day.isoformat(), "systems": count} for day, count in sorted(counts.items())]


def cross_system_links(plan: Plan, systems: set[int] | None = None) -> list[tuple[int, int]]:
    """(prerequisite, dependent) pairs of the plan's systems: a dependent cuts over after its
    prerequisite does (the problem's precedence). Read from the depends-on links, not the snapshot."""
    links = System.depends_on.through.objects.filter(
        from_system__plan_entries__plan=plan, to_system__plan_entries__plan=plan
    )
    if systems is not None:
        links = links.filter(from_system__in=systems)
    return sorted(set(links.values_list("to_system_id", "from_system_id")))


def critical_items(plan: Plan, bars: dict[str, StepBar], links: list[tuple[int, int]]) -> set[str]:
    """The critical chain: the engine's chains behind every late step, and the chain of steps
    that end one another's waits back from the plan's last finish."""
    chains: set[str] = set()
    for reasons in PlanPart.objects.filter(plan=plan).values_list("result__late_reasons", flat=True):
        for reason in reasons or []:
            chains.update(reason["chain"])
    if bars:
        chains.update(_tight_chain(bars, links))
    return chains


def _tight_chain(bars: dict[str, StepBar], links: list[tuple[int, int]]) -> list[str]:
    """Back from the last-finishing step through steps that finished exactly when it started:
    its own system's earlier step, a prerequisite's cut-over, or a step of the same team.
    None of them could slip without delaying the end."""
    prerequisites: dict[int, set[int]] = defaultdict(set)
    for prerequisite, dependent in links:
        prerequisites[dependent].add(prerequisite)
    finishing: dict[int, list[StepBar]] = defaultdict(list)
    for bar in bars.values():
        finishing[bar.finish_unit].append(bar)
    current = max(bars.values(), key=lambda bar: (bar.finish_unit, bar.item_id))
    chain, seen = [current.item_id], {current.item_id}
    while True:
        candidates = [bar for bar in finishing.get(current.start_unit, []) if bar.item_id not in seen]
        tight = [bar for bar in candidates if _holds_back(bar, current, prerequisites)]
        if not tight:
            return chain
        current = min(tight, key=lambda bar: bar.item_id)
        chain.append(current.item_id)
        seen.add(current.item_id)


def _holds_back(earlier: StepBar, later: StepBar, prerequisites: dict[int, set[int]]) -> bool:
    if earlier.system_id == later.system_id:
        return True
    if earlier.step == CUT_OVER_STEP and earlier.system_id in prerequisites[later.system_id]:
        return True
    return earlier.team_id is not None and earlier.team_id == later.team_id
