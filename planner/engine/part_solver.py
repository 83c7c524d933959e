"""Solve one independent part: heuristic first, then CP-SAT stages.

The lexicographic objective runs as two CP-SAT stages rather than one
weighted sum: stage one minimises weighted tardiness, stage two caps it at
the best found and minimises makespan. Each stage can then be proven optimal
on its own and the bounds stay meaningful; stage one is skipped when the
heuristic already meets every deadline. A pure makespan stage (no deadlines,
or the makespan objective, and no previous plan) uses the neighbourhood
search of neighbourhood.py.
"""

import time
from dataclasses import dataclass

from planner.engine.cpsat import MAKESPAN, TARDINESS, Stage, StageOutcome, run_stage
from planner.engine.evaluation import Score, score
from planner.engine.heuristic import construct
from planner.engine.model import Objective, Problem, SolveOptions, Status
from planner.engine.neighbourhood import minimise_makespan_with_neighbourhoods
from planner.engine.network import Network, build_network

HEURISTIC_SHARE = 0.05
HEURISTIC_SECONDS_PER_ITEM = 0.001
HEURISTIC_ITERATIONS = 1000
MINIMUM_MODEL_SECONDS = 0.05
HEURISTIC_ONLY_ITEMS = 20000
"""Above this many items in one part the CP-SAT model costs more memory and
time than it gains within any sensible limit; the heuristic answers alone."""
HEURISTIC_ONLY_SHARE = 0.8
TARDINESS_SHARE = 0.5


@dataclass(frozen=True)
class PartOutcome:
    network: Network
    starts: list[int] | None
    status: Status
    tardiness_bound: int
    makespan_bound: int


@dataclass
class _Incumbent:
    starts: list[int] | None
    tardiness_proven: bool
    makespan_proven: bool
    tardiness_bound: int
    makespan_bound: int
    proven_infeasible: bool = False


def solve_part(problem: Problem, options: SolveOptions, time_limit: float) -> PartOutcome:
    deadline = time.monotonic() + time_limit
    network = build_network(problem)
    objective = options.objective if network.has_deadlines() else "makespan"
    previous_plan = _previous_plan(network, options.hint)
    found = construct(
        network,
        objective,
        seed=options.seed,
        time_budget=_heuristic_budget(network, options, time_limit),
        max_iterations=HEURISTIC_ITERATIONS,
        hint=previous_plan,
    )
    incumbent = _Incumbent(
        found and found.starts, objective == "makespan", False, network.tardiness_floor(), network.makespan_floor()
    )
    if found is not None:
        _mark_proven_by_bounds(incumbent, found.score, objective)
    if _model_worth_running(network, incumbent, previous_plan, deadline):
        if objective == "tardiness_then_makespan" and not incumbent.tardiness_proven:
            _minimise_tardiness(network, options, incumbent, deadline)
        if not incumbent.proven_infeasible:
            _minimise_makespan(network, options, incumbent, deadline, objective, previous_plan)
    return _outcome(network, incumbent)


def _heuristic_budget(network: Network, options: SolveOptions, time_limit: float) -> float:
    if options.deterministic:
        return 0.0  # the first rule and one improvement round: no clock involved
    if network.size > HEURISTIC_ONLY_ITEMS:
        return time_limit * HEURISTIC_ONLY_SHARE  # the rest explains the late items
    return min(time_limit * HEURISTIC_SHARE, network.size * HEURISTIC_SECONDS_PER_ITEM)


def _previous_plan(network: Network, hint: dict[str, int] | None) -> dict[int, int] | None:
    if not hint:
        return None
    return {item: hint[item_id] for item, item_id in enumerate(network.ids) if item_id in hint}


def _mark_proven_by_bounds(incumbent: _Incumbent, found: Score, objective: Objective) -> None:
    # Under the makespan objective tardiness is only reported, never optimised.
    incumbent.tardiness_proven = objective == "makespan" or found.weighted_tardiness <= incumbent.tardiness_bound
    incumbent.makespan_proven = incumbent.tardiness_proven and found.makespan <= incumbent.makespan_bound


def _model_worth_running(
    network: Network, incumbent: _Incumbent, previous_plan: dict[int, int] | None, deadline: float
) -> bool:
    if incumbent.makespan_proven and not previous_plan:
        return False
    if network.size > HEURISTIC_ONLY_ITEMS and incumbent.starts is not None:
        return False
    return deadline - time.monotonic() >= MINIMUM_MODEL_SECONDS


def _minimise_tardiness(network: Network, options: SolveOptions, incumbent: _Incumbent, deadline: float) -> None:
    stage = Stage(
        goal=TARDINESS,
        time_limit=(deadline - time.monotonic()) * TARDINESS_SHARE,
        workers=options.workers,
        seed=options.seed,
        makespan_cap=network.horizon,
        hint=incumbent.starts,
        deterministic=options.deterministic,
    )
    outcome = run_stage(network, stage)
    _accept(network, incumbent, outcome, "tardiness_then_makespan")
    if outcome.status == "INFEASIBLE":
        incumbent.starts = None
        incumbent.proven_infeasible = True
    incumbent.tardiness_bound = max(incumbent.tardiness_bound, outcome.bound)
    incumbent.tardiness_proven = outcome.status == "OPTIMAL" or _tardiness(network, incumbent) == outcome.bound


def _minimise_makespan(
    network: Network,
    options: SolveOptions,
    incumbent: _Incumbent,
    deadline: float,
    objective: Objective,
    previous_plan: dict[int, int] | None,
) -> None:
    current = None if incumbent.starts is None else score(network, incumbent.starts, objective)
    stage = Stage(
        goal=MAKESPAN,
        time_limit=deadline - time.monotonic(),
        workers=options.workers,
        seed=options.seed,
        makespan_cap=network.horizon if current is None else min(network.horizon, current.makespan),
        tardiness_cap=None if current is None or objective == "makespan" else current.weighted_tardiness,
        hint=incumbent.starts,
        previous_plan=previous_plan,
        deterministic=options.deterministic,
    )
    if _neighbourhood_search_fits(stage, options):
        outcome = minimise_makespan_with_neighbourhoods(network, stage)
    else:
        outcome = run_stage(network, stage)
    _accept(network, incumbent, outcome, objective)
    if outcome.starts is not None:
        incumbent.makespan_bound = max(incumbent.makespan_bound, outcome.bound)
    incumbent.proven_infeasible = outcome.status == "INFEASIBLE" and current is None
    makespan = _makespan(network, incumbent)
    incumbent.makespan_proven = (
        incumbent.tardiness_proven
        and makespan is not None
        and (outcome.status == "OPTIMAL" or makespan <= incumbent.makespan_bound)
    )


def _neighbourhood_search_fits(stage: Stage, options: SolveOptions) -> bool:
    """The thread beside the full model needs a start, a pure makespan goal and a spare worker."""
    return (
        stage.hint is not None
        and stage.tardiness_cap is None
        and not stage.previous_plan
        and options.workers > 1
        and not options.deterministic
    )


def _accept(network: Network, incumbent: _Incumbent, outcome: StageOutcome, objective: Objective) -> None:
    if outcome.starts is None:
        return
    if incumbent.starts is None or score(network, outcome.starts, objective) <= score(
        network, incumbent.starts, objective
    ):
        incumbent.starts = outcome.starts


def _tardiness(network: Network, incumbent: _Incumbent) -> int | None:
    if incumbent.starts is None:
        return None
    return score(network, incumbent.starts, "tardiness_then_makespan").weighted_tardiness


def _makespan(network: Network, incumbent: _Incumbent) -> int | None:
    if incumbent.starts is None:
        return None
    return score(network, incumbent.starts, "makespan").makespan


def _outcome(network: Network, incumbent: _Incumbent) -> PartOutcome:
    if incumbent.starts is None:
        status = Status.INFEASIBLE if incumbent.proven_infeasible else Status.UNKNOWN
    elif incumbent.makespan_proven and incumbent.tardiness_proven:
        status = Status.OPTIMAL
    else:
        status = Status.FEASIBLE
    return PartOutcome(network, incumbent.starts, status, incumbent.tardiness_bound, incumbent.makespan_bound)
