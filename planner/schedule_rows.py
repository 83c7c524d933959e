"""A plan's solved starts turned into rows: dated steps, per-system entries with late reasons
in words, and the plan's status, objective, bound and gap. Used when a run is assembled and when a what-if
keeps its base's schedule (planner.plan_stored)."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from planner.calendars import WorkCalendar
from planner.enums import REMOVAL_STEP, PlanObjective
from planner.item_names import item_label
from planner.models import Plan, PlanSystem, ScheduledStep

CHAIN_SHOWN = 6  # a late system's reason names the last steps of its chain
# The engine's Status value as a part's stored result spells it (snapshots.result_to_json).
FEASIBLE = "FEASIBLE"


class PlanQuality(NamedTuple):
    """How good the whole plan is: the objective the gap is about, its value and lower bound."""

    status: str
    objective: PlanObjective
    value: int
    bound: int
    gap: float


class ScheduleRows:
    """The parts' starts turned into dated steps and per-system entries."""

    def __init__(self, plan: Plan, results: list[dict]) -> None:
        self.plan, self.results = plan, results
        snapshot = plan.input_snapshot
        self.calendar = WorkCalendar(plan.starts_on)
        self.items = snapshot["items"]
        self.systems_facts = snapshot["systems"]
        self.teams = snapshot["teams"]
        self.problem = {entry["id"]: entry for entry in snapshot["problem"]["items"]}
        self.capacities = {name: (capacity, changes) for name, capacity, changes in snapshot["problem"]["resources"]}
        self.starts = {item: start for result in results for item, start in result["starts"].items()}
        self.reasons = {reason["item"]: reason for result in results for reason in result["late_reasons"]}
        self._steps: list[ScheduledStep] = []

    def steps(self) -> list[ScheduledStep]:
        for identifier, start in self.starts.items():
            system_id, step, team_id, head_count, contract_id, action = self.items[identifier]
            finish = start + self.problem[identifier]["duration"]
            first, last = self.calendar.span(start, finish)
            self._steps.append(
                ScheduledStep(
                    plan=self.plan,
                    system_id=system_id,
                    item_id=identifier,
                    step=step,
                    contract_id=contract_id,
                    contract_action=action,
                    team_id=team_id,
                    head_count=head_count,
                    start_unit=start,
                    finish_unit=finish,
                    starts_on=first,
                    finishes_on=last,
                    late_days=self._late_days(system_id, step, last),
                )
            )
        return self._steps

    def _late_days(self, system_id: int, step: str, last: datetime.date) -> int:
        deadline = self.systems_facts[str(system_id)][1]
        if step != REMOVAL_STEP or deadline is None:
            return 0
        return max(0, (last - datetime.date.fromisoformat(deadline)).days)

    def systems(self) -> list[PlanSystem]:
        by_system: dict[int, list[ScheduledStep]] = {}
        for step in self._steps:
            by_system.setdefault(step.system_id, []).append(step)
        entries = []
        for pk, (_, deadline) in self.systems_facts.items():
            steps = by_system.get(int(pk), [])
            removal = next((step for step in steps if step.step == REMOVAL_STEP), None)
            late = removal.late_days if removal else 0
            entries.append(
                PlanSystem(
                    plan=self.plan,
                    system_id=int(pk),
                    deadline=deadline,
                    starts_on=min((s.starts_on for s in steps), default=None),
                    removal_on=removal.finishes_on if removal else None,
                    finishes_on=max((s.finishes_on for s in steps), default=None),
                    late_days=late,
                    late_reason=self._reason(removal) if late else "",
                )
            )
        return entries

    def _reason(self, removal: ScheduledStep) -> str:
        """The engine's reason in words: "held by Contracting officers (2) from 3 Mar; chain: ..."."""
        deadline = datetime.date.fromisoformat(self.systems_facts[str(removal.system_id)][1])
        clauses = []
        if deadline < self.plan.starts_on:
            clauses.append(f"deadline {deadline:%-d %b %Y} had passed when planning began")
        reason = self.reasons.get(removal.item_id)
        if reason is not None:
            chain = reason["chain"]
            since = f"{self.calendar.date_of(self.starts[chain[0]]):%-d %b %Y}"
            if reason["resource"]:
                team = self.teams.get(reason["resource"].split(":")[1], "a team")
                clauses.append(f"held by {team} ({self._capacity(reason['resource'], chain)}) from {since}")
            else:
                clauses.append(f"held by its own chain of steps from {since}")
            shown = [self._label(item) for item in chain[-CHAIN_SHOWN:]]
            clauses.append("chain: " + ("… -> " if len(chain) > CHAIN_SHOWN else "") + " -> ".join(shown))
        return "; ".join(clauses)

    def _capacity(self, resource: str, chain: list[str]) -> int:
        """The team's head count when the chain's last item started."""
        capacity, changes = self.capacities[resource]
        unit = self.starts[chain[-1]]
        for from_unit, value in sorted(changes):
            if from_unit <= unit:
                capacity = value
        return capacity

    def _label(self, identifier: str) -> str:
        system_id, step, _, _, _, action = self.items[identifier]
        return item_label(self.systems_facts[str(system_id)][0], step, action)

    def quality(self) -> PlanQuality:
        """Worst status of the parts; objective, bound and gap of the whole, as the engine reports them."""
        statuses = {result["status"] for result in self.results}
        status = FEASIBLE if FEASIBLE in statuses else "OPTIMAL"
        tardiness = sum(result["weighted_tardiness"] or 0 for result in self.results)
        tardiness_bound = sum(result["tardiness_lower_bound"] for result in self.results)
        if tardiness > tardiness_bound:
            objective, value, bound = PlanObjective.LATENESS, tardiness, tardiness_bound
        else:
            objective, value = PlanObjective.DURATION, max((step.finish_unit for step in self._steps), default=0)
            bound = min(value, max((result["makespan_lower_bound"] for result in self.results), default=0))
        return PlanQuality(status, objective, value, bound, 0.0 if value == 0 else (value - bound) / value)
