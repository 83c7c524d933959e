"""Urgency search: a local search on the earliest-deadline-first list, for plans with deadlines.

Earliest deadline first (each item ranked by the deadline of its system)
is what a transition lead does by hand. Here each deadline item gets an
urgency, at first its deadline, or where the tardiness bound's relaxation
lets it finish when that list schedules better (`guide`); every item is
ranked by the smallest urgency at or after it along its successors, and the
serial scheme places them in that order. The search moves single
urgencies (sgs.urgency_moves): a late system becomes more urgent, a random
one less, or two swap, and a move is kept when the schedule is no worse in
weighted tardiness, then in late systems, then in makespan. Counting late
systems matters to a lead (which
systems miss the deadline at all), and on the benchmark's plans it also
lowers the tardiness more than tardiness alone: it guides across plateaus.
A search that stops improving starts again from a kicked copy of where it
stalled, or of its best when that is much better (iterated local search,
`_kick`, `ACCEPT_WORSE`): without that it stays in the first local optimum it
reaches, within about a second on the 1,000-item benchmark plan. Each new
best schedule is also justified for lateness (sgs.justified_for_lateness):
systems with slack move as late as their deadlines allow and the late ones
take the capacity they leave. Those schedules are not any urgency list's, so
the search answers with the best of them (`_Answer`) and goes on from its urgencies.

One number per system instead of one position per item keeps the space
small, every list precedence-feasible, and each move a whole system's worth.
On the 10,000-item benchmark plan the engine with it ends 45 % below EDF's
weighted tardiness with a quarter fewer late systems, where the CP-SAT
stages alone had reached 19 % below with more late systems
(docs/benchmarks.md). The moves run compiled and without the GIL, one
search per worker, and every round all of them go on from the best.
"""

import math
import threading
import time
from dataclasses import dataclass

import numpy as np

from planner.engine.network import Network
from planner.engine.sgs import (
    INT,
    NO_URGENCY,
    SgsArrays,
    decode_urgencies,
    justified_for_lateness,
    lateness_fitness,
    seed_random,
    sgs_arrays,
    urgency_moves,
)

MOVES_PER_CALL = 20
"""About 30 ms on a 2,500-item part: the clock is read between calls."""
MOVES_PER_CALL_ITEMS = 2500
ROUNDS = 5
"""The searches share their best this many times over the time they are given."""
WORKING_HORIZON_FACTOR = 2
"""Schedules are built within this multiple of the first schedule's makespan: the capacity
copied per schedule shrinks from the safe horizon (about 40 times the makespan on the
benchmark's plans) and a list that needs more is only rejected."""
STALL_MOVES = 200
"""A search that has not beaten its best in this many moves is kicked (`_kick`)."""
ACCEPT_WORSE = 0.2
"""A kick starts from where the search stalled, not from its best, when that is at most this
fraction worse (an acceptance criterion between "better only" and a random walk, in Lourenço,
Martin and Stützle's terms for iterated local search): the search then wanders among good
local optima instead of returning to one. On the 1,000-item benchmark plan, 100,000 moves per
search on 2 workers, mean weighted tardiness over solver seeds 0-15: from the best only 459,
0.1 420, 0.15 431, 0.2 426, 0.3 430; over seeds 6-15: from the best 457, 0.02 485, 0.05 450;
over seeds 0-5: from the best 462, always from where it stalled 504 (docs/benchmarks.md)."""
KICK_SHARE = 0.05
KICK_SPREADS = 2.0
"""A kick moves this share of the deadline items' urgencies (at least one) by up to this many mean
durations either way. On the 1,000-item benchmark plan the search without kicks stayed at
its first local optimum after about a second (seed 0: 713 at 1 s, at 4.6 s, 685 at 15 s);
with them 4.6 s reached 428 to 544 (docs/benchmarks.md). Stalls of 100 to 1,000 moves, shares
of 2 to 10 % and spreads of 1 to 4 all came within that spread."""


JUSTIFY_ROUNDS = 10
"""At most this many rounds of double justification per schedule (sgs.justified_for_lateness);
on the 1,000-item benchmark plans they stop improving after 2 to 6."""


@dataclass
class _Searcher:
    """One search's state: the urgencies and the schedule they give."""

    urgency: np.ndarray
    starts: np.ndarray
    fitness: int


@dataclass
class _Answer:
    """The best justified schedule (sgs.justified_for_lateness) of a search's best schedules so far.

    Its list is per item, outside the urgencies' lists, so the search goes on from its
    urgencies and keeps this beside them. With every new best schedule justified, the
    search ended 7 to 16 % lower in weighted tardiness in the same time on the 1,000-item
    benchmark plans. Justifying only the last did less: 362 against 356 on one plan at
    100,000 moves per search, 385 not justified (docs/benchmarks.md).
    """

    starts: np.ndarray
    fitness: int

    def offer(self, arrays: SgsArrays, starts: np.ndarray, until: float) -> None:
        """Justified a round at a time while rounds improve it and the clock allows: on a part of
        133,000 items, nearly all of them late, all the rounds of every new best ran a 30 s plan
        to 47.7 s (docs/benchmarks.md)."""
        justified, fitness = starts, lateness_fitness(arrays, starts)
        for _ in range(JUSTIFY_ROUNDS):
            if time.monotonic() > until:
                break
            again = justified_for_lateness(arrays, justified)
            again_fitness = lateness_fitness(arrays, again)
            if again_fitness >= fitness:
                break
            justified, fitness = again, again_fitness
        if fitness < self.fitness:
            self.starts, self.fitness = justified.copy(), fitness


def search_urgencies(
    network: Network,
    seconds: float,
    seed: int,
    workers: int = 1,
    moves: int | None = None,
    guide: dict[int, int] | None = None,
) -> list[int] | None:
    """The best schedule found in `seconds` (or after `moves` moves per search, for a deterministic run).

    `guide` gives other first urgencies for some deadline items (the tardiness bound's
    fluid finishes): the search starts from them when their schedule is better than
    earliest deadline first's. None when the problem has no deadline or the
    earliest-deadline-first list does not fit the horizon.
    """
    deadline_items = np.array([item for item, due in enumerate(network.deadlines) if due is not None], dtype=INT)
    if not len(deadline_items):
        return None
    by_deadline = np.full(network.size, NO_URGENCY)
    by_deadline[deadline_items] = [float(network.deadlines[item]) for item in deadline_items]
    topological = np.array(network.order, dtype=INT)
    arrays = sgs_arrays(network)
    first = _decoded(arrays, topological, by_deadline)
    if first is None:
        return None
    if guide:
        guided = _decoded(arrays, topological, _guided(by_deadline, guide))
        if guided is not None and guided.fitness < first.fitness:
            first = guided
    arrays = _within_working_horizon(arrays, first.starts)
    first.fitness = lateness_fitness(arrays, first.starts)  # the fitness counts the horizon
    spread = float(np.mean(arrays.durations))
    searchers = [_copy(first) for _ in range(max(1, workers))]
    answer = _run_rounds(arrays, topological, deadline_items, searchers, spread, seconds, seed, moves)
    return [int(start) for start in answer.starts]


def _guided(by_deadline: np.ndarray, guide: dict[int, int]) -> np.ndarray:
    urgency = by_deadline.copy()
    items = np.fromiter(guide.keys(), dtype=INT, count=len(guide))
    urgency[items] = np.fromiter(guide.values(), dtype=np.float64, count=len(guide))
    return urgency


def _decoded(arrays: SgsArrays, topological: np.ndarray, urgency: np.ndarray) -> _Searcher | None:
    starts = np.empty(len(urgency), dtype=INT)
    if not decode_urgencies(arrays, topological, urgency, np.empty(len(urgency)), starts):
        return None
    return _Searcher(urgency, starts, lateness_fitness(arrays, starts))


def _within_working_horizon(arrays: SgsArrays, starts: np.ndarray) -> SgsArrays:
    end = int(np.max(starts + arrays.durations))
    working = min(arrays.capacity.shape[1], max(1, end * WORKING_HORIZON_FACTOR))
    return arrays._replace(capacity=np.ascontiguousarray(arrays.capacity[:, :working]))


def _copy(searcher: _Searcher) -> _Searcher:
    return _Searcher(searcher.urgency.copy(), searcher.starts.copy(), searcher.fitness)


def _run_rounds(
    arrays: SgsArrays,
    topological: np.ndarray,
    deadline_items: np.ndarray,
    searchers: list[_Searcher],
    spread: float,
    seconds: float,
    seed: int,
    moves: int | None,
) -> _Answer:
    """Every round each search runs in its own thread; then all go on from the best one.

    The answer is the best of every search's answers.
    """
    deadline = time.monotonic() + seconds
    answers = [_Answer(searchers[0].starts.copy(), searchers[0].fitness) for _ in searchers]
    answers[0].offer(arrays, searchers[0].starts, deadline if moves is None else math.inf)
    for round_number in range(ROUNDS):
        round_end = time.monotonic() + (deadline - time.monotonic()) / (ROUNDS - round_number)
        round_moves = None if moves is None else moves // ROUNDS
        threads = [
            threading.Thread(
                target=_search,
                args=(arrays, topological, deadline_items, searcher, answer, spread, round_end, round_moves),
                kwargs={"seed": seed + round_number * len(searchers) + number},
            )
            for number, (searcher, answer) in enumerate(zip(searchers, answers, strict=True))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        best = min(searchers, key=lambda searcher: searcher.fitness)
        searchers = [best] + [_copy(best) for _ in searchers[1:]]
    return min(answers, key=lambda answer: answer.fitness)


def _moves_per_call(items: int) -> int:
    """Fewer moves per call on larger parts, so that the clock is read about as often."""
    return max(1, MOVES_PER_CALL * MOVES_PER_CALL_ITEMS // max(items, MOVES_PER_CALL_ITEMS))


def _search(
    arrays: SgsArrays,
    topological: np.ndarray,
    deadline_items: np.ndarray,
    searcher: _Searcher,
    answer: _Answer,
    spread: float,
    until: float,
    moves: int | None,
    seed: int,
) -> None:
    seed_random(seed)  # numba's random state is per thread
    kicks = np.random.default_rng(seed)
    current = _copy(searcher)
    keys = np.empty(len(searcher.starts))
    done = stalled = 0
    while (time.monotonic() < until) if moves is None else done < moves:
        batch = _moves_per_call(len(searcher.starts)) if moves is None else min(MOVES_PER_CALL, moves - done)
        urgency_moves(arrays, topological, deadline_items, current.urgency, current.starts, batch, spread)
        done += batch
        current.fitness = lateness_fitness(arrays, current.starts)
        if current.fitness < searcher.fitness:
            _keep(searcher, current)
            answer.offer(arrays, current.starts, until if moves is None else math.inf)
            stalled = 0
        else:
            stalled += batch
        if stalled >= STALL_MOVES:
            home = _kick_home(current, searcher)
            current = _kick(arrays, topological, deadline_items, home, spread, kicks, keys) or current
            stalled = 0


def _keep(best: _Searcher, current: _Searcher) -> None:
    best.urgency[:] = current.urgency
    best.starts[:] = current.starts
    best.fitness = current.fitness


def _kick_home(current: _Searcher, best: _Searcher) -> _Searcher:
    """Where a stalled search goes on from: where it stalled when that is nearly as good as its best."""
    return current if current.fitness <= best.fitness * (1 + ACCEPT_WORSE) else best


def _kick(
    arrays: SgsArrays,
    topological: np.ndarray,
    deadline_items: np.ndarray,
    home: _Searcher,
    spread: float,
    kicks: np.random.Generator,
    keys: np.ndarray,
) -> _Searcher | None:
    """A new start near `home`: a few of its urgencies moved at random, kept even when worse.

    The moves only accept schedules no worse than the current one, so a search settles in the
    first local optimum it reaches; going on from a kicked copy of a good one (iterated local
    search) lets it leave. None when the kicked list does not fit the working horizon.
    """
    urgency = home.urgency.copy()
    chosen = kicks.choice(deadline_items, size=max(1, int(len(deadline_items) * KICK_SHARE)), replace=False)
    urgency[chosen] += kicks.uniform(-KICK_SPREADS * spread, KICK_SPREADS * spread, size=len(chosen))
    starts = np.empty_like(home.starts)
    if not decode_urgencies(arrays, topological, urgency, keys, starts):
        return None
    return _Searcher(urgency, starts, lateness_fitness(arrays, starts))
