"""Solve one independent part: heuristic first, then CP-SAT stages beside a population search.

With deadlines, the urgency search (urgency_search.py) takes half of the time
left after the heuristic before the models: it improves on earliest deadline
first in weighted tardiness and in late systems far faster than CP-SAT does on
plans of thousands of items, and the CP-SAT stages go on from its schedule.

The lexicographic objective runs as two CP-SAT stages rather than one
weighted sum: stage one minimises weighted tardiness, stage two caps it at
the best found and minimises makespan. Each stage can then be proven optimal
on its own and the bounds stay meaningful; stage one is skipped when the
heuristic already meets every deadline. Each stage with one goal and no cap
on the other (the tardiness stage, or the makespan stage without deadlines or
under the makespan objective), no previous plan and a spare worker uses the
neighbourhood search of neighbourhood.py.

The population search (population.py) starts from the heuristic's schedule
and evolves on the second core while the first CP-SAT stage runs; whichever
schedule is better goes on. Deterministic runs evolve it for a fixed number
of generations first instead; a re-plan does without it, so that CP-SAT can
keep it close to the previous plan.

A re-plan starts from the heuristic's schedule made steadier (stability.py): fewer items
moved from the previous plan at no more weighted tardiness. When the previous plan lacks some
of the part's items (systems added since), a first plan of the part by the heuristic and the
urgency search comes before it, in NEW_ITEMS_SHARE of the time: the heuristic takes the new
items in that plan's order, and that plan is the start if it is less late. Taking them at their
earliest starts instead, ahead of every planned item, made such re-plans two to three times as
late as a first plan of the same systems (docs/benchmarks.md). With a `replan_tolerance`, it
also ends that way (in the last STEADYING_SHARE of its time), keeping previous dates at up
to that share more tardiness than the best schedule found.
"""

import time
from dataclasses import dataclass, field

from planner.engine.cpsat import MAKESPAN, TARDINESS, Stage, StageOutcome, run_stage
from planner.engine.evaluation import Score, score
from planner.engine.heuristic import construct
from planner.engine.lagrangian_bound import lagrangian_tardiness_bound
from planner.engine.model import Objective, Problem, SolveOptions, Status
from planner.engine.neighbourhood import minimise_with_neighbourhoods
from planner.engine.network import Network, build_network
from planner.engine.population import EvolvingBeside, PopulationSearch
from planner.engine.stability import steadier_schedule
from planner.engine.tardiness_bound import tardiness_lower_bound
from planner.engine.urgency_search import search_urgencies

HEURISTIC_SHARE = 0.05
STEADYING_SHARE = 0.15
"""Of a re-plan's time, kept for keeping previous dates at the end (about 1-2 s at 6,600 items)."""
NEW_ITEMS_SHARE = 0.5
"""Of a re-plan's time when the previous plan lacks some of the part's items: a first plan of the
part, which places the new items (`_first_plan_for_new_items`)."""
HEURISTIC_SECONDS_PER_ITEM = 0.001
HEURISTIC_ITERATIONS = 1000
MINIMUM_MODEL_SECONDS = 0.05
HEURISTIC_ONLY_ITEMS = 5000
"""Above this many items in one part the CP-SAT model costs more memory and
time than it gains within any sensible limit; the heuristic (compiled at this
size, heuristic.COMPILED_ITEMS) and the urgency search answer alone. On a
13,426-item department the stages before the model already used a 30 s limit."""
ANSWER_SECONDS_PER_ITEM = 0.00002
"""Kept back from a part's time for its answer: its schedule and the reasons its late items are
late (1.1 s for a department of 167,000 steps, 5,700 of them late; docs/benchmarks.md)."""
HEURISTIC_ONLY_SHARE = 0.8
HEURISTIC_ONLY_SHARE_WITH_DEADLINES = 0.2
"""With deadlines the urgency search improves on the heuristic much faster than its sampling does."""
TARDINESS_SHARE = 0.7
"""Of the time left after the heuristic, the share of the tardiness stage: the first objective."""
POPULATION_SHARE = 0.25
"""Of the first CP-SAT stage's time, how long the population evolves beside it:
on 90-job instances it stops improving after about 0.3 s."""
URGENCY_SHARE = 0.5
"""Of the part's time left after the heuristic, the share of the urgency search (urgency_search.py)
on plans with deadlines; CP-SAT and its neighbourhood search go on from its schedule."""
HEURISTIC_ONLY_URGENCY_SHARE = 0.8
"""On parts too large for the model, of the time left after the heuristic: the rest explains the late items."""
LAGRANGIAN_SHARE = 0.05
LAGRANGIAN_ITEMS = 100
"""The Lagrangian bound (lagrangian_bound.py) runs after the transportation bound on parts up to
this size, for at most this share of the part's time: on small plans it often reaches the optimum
where the transportation bound does not; on domain plans of 200 items and more it stayed below
that bound in the time it would get (48 against 76 at 1,000 items, after 0.5 s of 10 s)."""
DETERMINISTIC_URGENCY_MOVES = 1000
DETERMINISTIC_URGENCY_PLACEMENTS = 1_000_000
"""A deterministic run makes this many urgency moves per search, fewer on parts where they
would place more items than this in all (each move builds one schedule)."""
DETERMINISTIC_GENERATIONS = 10
DETERMINISTIC_POPULATION_ITEMS = 1000


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
    fluid_finishes: dict[int, int] = field(default_factory=dict)
    """Where the tardiness bound's relaxation lets each deadline finish: the urgency search's guide."""


def solve_part(problem: Problem, options: SolveOptions, time_limit: float) -> PartOutcome:
    deadline = time.monotonic() + time_limit
    network = build_network(problem)
    deadline -= network.size * ANSWER_SECONDS_PER_ITEM  # for putting the answer together (`solve._combine`)
    objective = options.objective if network.has_deadlines() else "makespan"
    previous_plan = _previous_plan(network, options.hint)
    steadying = _steadying_seconds(options, objective, previous_plan, time_limit)
    time_limit -= steadying
    first_plan = _first_plan_for_new_items(network, objective, options, previous_plan, time_limit, deadline - steadying)
    if first_plan is not None:
        time_limit -= first_plan.seconds
    incumbent = _search(network, objective, options, previous_plan, time_limit, deadline - steadying, first_plan)
    if steadying:
        _keep_previous_dates(network, incumbent, objective, options, previous_plan, deadline)
    return _outcome(network, incumbent)


def _steadying_seconds(
    options: SolveOptions, objective: Objective, previous_plan: dict[int, int] | None, time_limit: float
) -> float:
    """The time kept back for `_keep_previous_dates`: only on a re-plan that allows some tardiness for it."""
    if not previous_plan or options.replan_tolerance <= 0 or objective == "makespan":
        return 0.0
    return time_limit * STEADYING_SHARE


def _keep_previous_dates(
    network: Network,
    incumbent: _Incumbent,
    objective: Objective,
    options: SolveOptions,
    previous_plan: dict[int, int],
    deadline: float,
) -> None:
    """Last, so that no later stage trades the kept dates back for the tardiness they cost."""
    if incumbent.starts is None:
        return
    until = float("inf") if options.deterministic else deadline
    steadier = steadier_schedule(network, incumbent.starts, previous_plan, until, options.replan_tolerance)
    if steadier != incumbent.starts:
        incumbent.starts = steadier
        _mark_proven_by_bounds(incumbent, score(network, steadier, objective), objective)


@dataclass
class _FirstPlan:
    """A first plan of a part the previous plan does not wholly cover, and the seconds it took."""

    incumbent: _Incumbent
    seconds: float


def _first_plan_for_new_items(
    network: Network,
    objective: Objective,
    options: SolveOptions,
    previous_plan: dict[int, int] | None,
    time_limit: float,
    deadline: float,
) -> _FirstPlan | None:
    """On a re-plan with items the previous plan does not have, a first plan of the part by the
    heuristic and the urgency search alone, in NEW_ITEMS_SHARE of the time: the re-plan's heuristic
    then takes each new item in the order this plan starts it, instead of at its earliest start,
    ahead of the planned items, and keeps this plan itself if that is less late. The models are
    left to the re-plan, from the previous plan, as on any re-plan."""
    if not previous_plan or len(previous_plan) == network.size:
        return None
    started = time.monotonic()
    until = started + (deadline - started) * NEW_ITEMS_SHARE
    seconds = time_limit * NEW_ITEMS_SHARE
    incumbent = _heuristic_stages(network, objective, options, None, seconds, until, urgency_share=1.0)
    if incumbent.starts is None:
        return None
    return _FirstPlan(incumbent, seconds if options.deterministic else time.monotonic() - started)


def _search(
    network: Network,
    objective: Objective,
    options: SolveOptions,
    previous_plan: dict[int, int] | None,
    time_limit: float,
    deadline: float,
    first_plan: _FirstPlan | None = None,
) -> _Incumbent:
    """The best schedule the stages find by `deadline` (see the module), with what they proved."""
    incumbent = _heuristic_stages(network, objective, options, previous_plan, time_limit, deadline, first_plan)
    if not _model_worth_running(network, incumbent, previous_plan, _seconds_left(options, deadline, time_limit)):
        return incumbent
    population = _population(network, objective, options, incumbent, previous_plan)
    makespan_budget = time_limit
    if objective == "tardiness_then_makespan" and not incumbent.tardiness_proven:
        seconds = _seconds_left(options, deadline, time_limit) * TARDINESS_SHARE
        _minimise_tardiness(network, options, incumbent, seconds, population)
        population = None  # it had its time beside the tardiness stage
        makespan_budget = time_limit * (1 - TARDINESS_SHARE)
    if not incumbent.proven_infeasible:
        seconds = _seconds_left(options, deadline, makespan_budget)
        _minimise_makespan(network, options, incumbent, seconds, objective, previous_plan, population)
    return incumbent


def _seconds_left(options: SolveOptions, deadline: float, budget: float) -> float:
    """For the model stages: the time to the deadline, or in a deterministic run `budget`, a fixed
    share of the part's limit, so that the clock does not set their budgets (300 items planned in
    fresh processes gave 549 and 543 where a warmed-up process gave 449). CP-SAT's wall guard
    still can stop them (search.WALL_TIME_SAFETY_FACTOR, docs/benchmarks.md)."""
    return budget if options.deterministic else deadline - time.monotonic()


def _heuristic_stages(
    network: Network,
    objective: Objective,
    options: SolveOptions,
    previous_plan: dict[int, int] | None,
    time_limit: float,
    deadline: float,
    first_plan: _FirstPlan | None = None,
    urgency_share: float | None = None,
) -> _Incumbent:
    """The heuristic's schedule (steadier on a re-plan), the tardiness bound, and on a first plan
    the urgency search, for `urgency_share` of the time left (by default its share by size)."""
    order = previous_plan
    if first_plan is not None and previous_plan is not None:
        order = {item: previous_plan.get(item, start) for item, start in enumerate(first_plan.incumbent.starts)}
    found = construct(
        network,
        objective,
        seed=options.seed,
        time_budget=_heuristic_budget(network, options, time_limit),
        max_iterations=HEURISTIC_ITERATIONS,
        hint=order,
    )
    starts = None if found is None else found.starts
    if first_plan is not None and (
        starts is None or score(network, first_plan.incumbent.starts, objective) < score(network, starts, objective)
    ):
        starts = first_plan.incumbent.starts  # lateness first; the dates it can keep are kept below
    if previous_plan and starts is not None:
        # A deterministic run tries every candidate: the clock must not decide its answer.
        until = float("inf") if options.deterministic else deadline
        starts = steadier_schedule(network, starts, previous_plan, until)  # no more tardiness, fewer moves
    incumbent = _Incumbent(starts, objective == "makespan", False, network.tardiness_floor(), network.makespan_floor())
    if starts is not None:
        _mark_proven_by_bounds(incumbent, score(network, starts, objective), objective)
    # The bound comes before the urgency search at any size: it may prove the heuristic's schedule
    # optimal, and its flow gives the search a better first list. Its time (its flow solver holds
    # the GIL, so it cannot run beside the search) then comes from the search, not from CP-SAT,
    # and still the weighted tardiness fell 18 % on the 10,000-item benchmark plan (parts of
    # 2,500, 0.8 s of bound each) and 14 % on one part of 13,000 against running it after the
    # search on parts above 1,000 items (docs/benchmarks.md).
    if first_plan is None:
        _raise_tardiness_bound(network, incumbent, objective, options, time_limit, deadline)
    else:  # the same part: its bound holds here, and this part's time is the re-plan's
        incumbent.tardiness_bound = max(incumbent.tardiness_bound, first_plan.incumbent.tardiness_bound)
        if starts is not None:
            _mark_proven_by_bounds(incumbent, score(network, starts, objective), objective)
    if objective == "tardiness_then_makespan" and not incumbent.tardiness_proven and not previous_plan:
        _search_urgencies(network, options, incumbent, deadline, urgency_share)
    return incumbent


def _raise_tardiness_bound(
    network: Network,
    incumbent: _Incumbent,
    objective: Objective,
    options: SolveOptions,
    time_limit: float,
    deadline: float,
) -> None:
    if incumbent.starts is None or incumbent.tardiness_proven or time_limit <= 0:
        return
    # Up to the part's deadline: what it proves by then is still a bound.
    bound = tardiness_lower_bound(network, deadline)
    incumbent.tardiness_bound = max(incumbent.tardiness_bound, bound.value)
    incumbent.fluid_finishes = bound.fluid_finishes
    found = score(network, incumbent.starts, objective)
    _mark_proven_by_bounds(incumbent, found, objective)
    if incumbent.tardiness_proven or options.deterministic or network.size > LAGRANGIAN_ITEMS:
        return  # a deterministic run must not depend on where the clock stops its steps
    until = min(deadline, time.monotonic() + time_limit * LAGRANGIAN_SHARE)
    lagrangian = lagrangian_tardiness_bound(network, until, upper=found.weighted_tardiness)
    incumbent.tardiness_bound = max(incumbent.tardiness_bound, lagrangian)
    _mark_proven_by_bounds(incumbent, found, objective)


def _search_urgencies(
    network: Network, options: SolveOptions, incumbent: _Incumbent, deadline: float, share: float | None = None
) -> None:
    """Improve on earliest deadline first by urgency search, kept when its schedule scores better."""
    if options.time_limit_seconds <= 0:
        return  # the heuristic alone, as asked
    if share is None:
        share = HEURISTIC_ONLY_URGENCY_SHARE if network.size > HEURISTIC_ONLY_ITEMS else URGENCY_SHARE
    seconds = (deadline - time.monotonic()) * share
    moves = None
    if options.deterministic:
        # A count of moves, never the clock, so the plan does not depend on the machine's load.
        moves = min(DETERMINISTIC_URGENCY_MOVES, DETERMINISTIC_URGENCY_PLACEMENTS // network.size)
    elif seconds <= 0:
        return
    # The fluid finishes depend on where the clock stopped the bound: a deterministic run does without.
    guide = None if options.deterministic else incumbent.fluid_finishes
    found = search_urgencies(network, seconds, options.seed, options.workers, moves, guide)
    if found is None:
        return
    objective = "tardiness_then_makespan"
    if incumbent.starts is None or score(network, found, objective) < score(network, incumbent.starts, objective):
        incumbent.starts = found
        _mark_proven_by_bounds(incumbent, score(network, found, objective), objective)


def _population(
    network: Network,
    objective: Objective,
    options: SolveOptions,
    incumbent: _Incumbent,
    previous_plan: dict[int, int] | None,
) -> PopulationSearch | None:
    """A population holding the heuristic's schedule; filled and evolved beside CP-SAT later, or
    now for a few generations in a deterministic run (on parts small enough for that to be quick)."""
    if incumbent.starts is None or network.size < 2 or previous_plan:
        return None  # a re-plan stays close to the previous plan: CP-SAT counts the moves
    if options.deterministic and network.size > DETERMINISTIC_POPULATION_ITEMS:
        return None  # its generations are not bounded by the clock
    population = PopulationSearch(network, objective, seed=options.seed)
    population.inject(incumbent.starts)
    if options.deterministic:
        population.evolve(0.0, max_generations=DETERMINISTIC_GENERATIONS)
        _accept_population(network, incumbent, population, objective)
        return None
    return population


def _accept_population(
    network: Network, incumbent: _Incumbent, population: PopulationSearch | None, objective: Objective
) -> None:
    """The population's best replaces the incumbent only when strictly better."""
    best = None if population is None else population.best()
    if best is None:
        return
    if incumbent.starts is None or score(network, best.starts, objective) < score(network, incumbent.starts, objective):
        incumbent.starts = best.starts


def _heuristic_budget(network: Network, options: SolveOptions, time_limit: float) -> float:
    if options.deterministic:
        return 0.0  # the first rule and one improvement round: no clock involved
    if network.size > HEURISTIC_ONLY_ITEMS:
        if network.has_deadlines():
            return time_limit * HEURISTIC_ONLY_SHARE_WITH_DEADLINES
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
    network: Network, incumbent: _Incumbent, previous_plan: dict[int, int] | None, seconds_left: float
) -> bool:
    if incumbent.makespan_proven and not previous_plan:
        return False
    if network.size > HEURISTIC_ONLY_ITEMS and incumbent.starts is not None:
        return False
    return seconds_left >= MINIMUM_MODEL_SECONDS


def _minimise_tardiness(
    network: Network,
    options: SolveOptions,
    incumbent: _Incumbent,
    seconds: float,
    population: PopulationSearch | None,
) -> None:
    stage = Stage(
        goal=TARDINESS,
        time_limit=seconds,
        workers=options.workers,
        seed=options.seed,
        makespan_cap=network.horizon,
        hint=incumbent.starts,
        deterministic=options.deterministic,
    )
    if _neighbourhood_search_fits(stage, options):
        outcome = minimise_with_neighbourhoods(network, stage, incumbent.tardiness_bound, population)
    else:
        outcome = _run_beside(network, stage, population)
    _accept(network, incumbent, outcome, "tardiness_then_makespan")
    if outcome.status != "INFEASIBLE":
        _accept_population(network, incumbent, population, "tardiness_then_makespan")
    if outcome.status == "INFEASIBLE":
        incumbent.starts = None
        incumbent.proven_infeasible = True
    incumbent.tardiness_bound = max(incumbent.tardiness_bound, outcome.bound)
    incumbent.tardiness_proven = outcome.status == "OPTIMAL" or _tardiness(network, incumbent) == outcome.bound


def _minimise_makespan(
    network: Network,
    options: SolveOptions,
    incumbent: _Incumbent,
    seconds: float,
    objective: Objective,
    previous_plan: dict[int, int] | None,
    population: PopulationSearch | None,
) -> None:
    current = None if incumbent.starts is None else score(network, incumbent.starts, objective)
    stage = Stage(
        goal=MAKESPAN,
        time_limit=seconds,
        workers=options.workers,
        seed=options.seed,
        makespan_cap=network.horizon if current is None else min(network.horizon, current.makespan),
        tardiness_cap=None if current is None or objective == "makespan" else current.weighted_tardiness,
        hint=incumbent.starts,
        previous_plan=previous_plan,
        deterministic=options.deterministic,
    )
    if _neighbourhood_search_fits(stage, options):
        outcome = minimise_with_neighbourhoods(network, stage, network.makespan_floor(), population)
    else:
        outcome = _run_beside(network, stage, population)
        if outcome.starts is not None:
            _accept_population(network, incumbent, population, objective)
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


def _run_beside(network: Network, stage: Stage, population: PopulationSearch | None) -> StageOutcome:
    """A CP-SAT stage, with the population evolving beside it for the first part of its time."""
    if population is None:
        return run_stage(network, stage)
    with EvolvingBeside(population, stage.time_limit * POPULATION_SHARE):
        return run_stage(network, stage)


def _neighbourhood_search_fits(stage: Stage, options: SolveOptions) -> bool:
    """The threads beside the full model need a start, one goal (no cap on the other) and a spare worker."""
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
