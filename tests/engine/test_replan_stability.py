"""A warm-started re-plan of a part too large for the CP-SAT model stays where it was.

One agency's 1,000 systems make one part of about 6,600 items, above the size where the
engine answers with the compiled heuristic alone (part_solver.HEURISTIC_ONLY_ITEMS). Its
re-plan decodes the previous plan's order first, then moves fewer items where that costs
no tardiness (stability.py); these tests hold what `bench.plan_runs --stability` relies on.
"""

import dataclasses
import math
import time

import pytest

from planner.engine import Problem, Resource, SolveOptions, WorkItem, independent_parts, solve
from planner.engine.network import Network, build_network
from planner.engine.part_solver import HEURISTIC_ONLY_ITEMS
from planner.engine.stability import steadier_schedule
from tests.engine.test_time_limit import assert_precedences_and_capacities, congested_department

LIMIT_SECONDS = 2.0


@pytest.fixture(scope="module")
def first_plan():
    problem = congested_department(6000)
    assert [len(part.items) > HEURISTIC_ONLY_ITEMS for part in independent_parts(problem)] == [True]
    return problem, solve(problem, SolveOptions(time_limit_seconds=LIMIT_SECONDS)).starts()


def test_an_unchanged_large_part_replans_to_the_same_schedule(first_plan) -> None:
    problem, before = first_plan
    after = solve(problem, SolveOptions(time_limit_seconds=LIMIT_SECONDS, hint=before))
    assert after.moved_items == 0
    assert after.starts() == before


def test_a_longer_step_moves_nothing_planned_to_start_before_it(first_plan) -> None:
    problem, before = first_plan
    by_start = sorted((item for item in problem.items if item.duration), key=lambda item: before[item.id])
    changed = by_start[len(by_start) // 2]
    items = tuple(
        dataclasses.replace(item, duration=2 * item.duration) if item is changed else item for item in problem.items
    )
    longer = dataclasses.replace(problem, items=items)
    after = solve(longer, SolveOptions(time_limit_seconds=LIMIT_SECONDS, hint=before)).starts()
    assert_precedences_and_capacities(longer, after)
    earlier = [item_id for item_id, start in before.items() if start < before[changed.id]]
    assert len(earlier) > len(problem.items) // 3
    assert [item_id for item_id in earlier if after[item_id] != before[item_id]] == []


# --- stability.py on plans small enough to read ---------------------------------------------


def one_engineer(items: list[WorkItem]) -> Network:
    return build_network(Problem(tuple(items), (Resource("engineer", 1),)))


def test_one_item_makes_room_instead_of_the_queue_shifting_a_day_each() -> None:
    """A's step grew from 2 to 3 days on a team of one. Shifting B1..B5 a day each and moving
    B1 behind them cost the same weighted tardiness (5); Z, due far later, makes room for B1."""
    queue = [WorkItem(f"B{n}", 1, {"engineer": 1}, deadline=n + 2) for n in range(1, 6)]
    items = [WorkItem("A", 3, {"engineer": 1}, deadline=50), *queue, WorkItem("Z", 1, {"engineer": 1}, deadline=200)]
    network = one_engineer(items)
    previous = dict(enumerate([0, 2, 3, 4, 5, 6, 7]))
    shifted = [0, 3, 4, 5, 6, 7, 8]
    steadier = dict(zip(network.ids, steadier_schedule(network, shifted, previous, math.inf), strict=True))
    assert steadier == {"A": 0, "B1": 7, "B2": 3, "B3": 4, "B4": 5, "B5": 6, "Z": 8}
    # Weighing B1 three times, moving it behind the queue costs 15 against 7: the queue shifts.
    heavier = one_engineer([dataclasses.replace(item, weight=3) if item.id == "B1" else item for item in items])
    assert steadier_schedule(heavier, shifted, previous, math.inf) == shifted


def test_a_moved_item_goes_back_where_its_old_place_is_free() -> None:
    items = [
        WorkItem("A", 2, {"engineer": 1}),
        WorkItem("C", 1, {"engineer": 1}, deadline=20),
        WorkItem("D", 1, {"engineer": 1}),
    ]
    network = one_engineer(items)
    previous = {0: 0, 1: 5, 2: 7}
    steadier = steadier_schedule(network, [0, 2, 7], previous, math.inf)
    assert steadier == [0, 5, 7]
    # Back at 5 it would be late: it stays where it is.
    late = one_engineer([items[0], WorkItem("C", 1, {"engineer": 1}, deadline=4), items[2]])
    assert steadier_schedule(late, [0, 2, 7], previous, math.inf) == [0, 2, 7]


def test_with_no_time_left_the_schedule_given_is_the_answer() -> None:
    """Steadying stops at its deadline (on a department of 167,000 steps it ran for minutes past
    a 30 s limit): C, which it would put back at 5 as above, stays where it is."""
    items = [WorkItem("A", 2, {"engineer": 1}), WorkItem("C", 1, {"engineer": 1}), WorkItem("D", 1, {"engineer": 1})]
    previous = {0: 0, 1: 5, 2: 7}
    assert steadier_schedule(one_engineer(items), [0, 2, 7], previous, time.monotonic()) == [0, 2, 7]


# --- a tolerance: previous dates kept at some cost in tardiness ------------------------------


def heavier_b1_queue() -> tuple[list[WorkItem], dict[int, int], list[int]]:
    """The queue above with B1 weighing three and A first whatever the order (due at 3,
    weighing ten): keeping B2..B5's dates costs 15 against 7."""
    queue = [WorkItem(f"B{n}", 1, {"engineer": 1}, deadline=n + 2, weight=3 if n == 1 else 1) for n in range(1, 6)]
    first = WorkItem("A", 3, {"engineer": 1}, deadline=3, weight=10)
    items = [first, *queue, WorkItem("Z", 1, {"engineer": 1}, deadline=200)]
    return items, dict(enumerate([0, 2, 3, 4, 5, 6, 7])), [0, 3, 4, 5, 6, 7, 8]


def test_a_tolerance_keeps_dates_only_up_to_the_tardiness_it_allows() -> None:
    items, previous, shifted = heavier_b1_queue()
    network = one_engineer(items)
    kept = [0, 7, 3, 4, 5, 6, 8]  # B1 behind the queue, Z after it: tardiness 15
    assert steadier_schedule(network, shifted, previous, math.inf, tolerance=8 / 7) == kept
    assert steadier_schedule(network, shifted, previous, math.inf, tolerance=7 / 7) == shifted  # allows 14


def test_a_replan_with_a_tolerance_ends_with_the_dates_kept() -> None:
    """The search finds tardiness 7 by moving three items; the last pass keeps more dates at 15."""
    items, previous, _ = heavier_b1_queue()
    problem = Problem(tuple(items), (Resource("engineer", 1),))
    hint = {items[item].id: start for item, start in previous.items()}
    strict = solve(problem, SolveOptions(time_limit_seconds=LIMIT_SECONDS, hint=hint))
    assert (strict.weighted_tardiness, strict.moved_items) == (7, 3)
    tolerant = solve(problem, SolveOptions(time_limit_seconds=LIMIT_SECONDS, hint=hint, replan_tolerance=8 / 7))
    assert (tolerant.weighted_tardiness, tolerant.moved_items) == (15, 2)
    assert tolerant.starts() == {"A": 0, "B1": 7, "B2": 3, "B3": 4, "B4": 5, "B5": 6, "Z": 8}
    assert tolerant.status == "FEASIBLE"  # no longer the proven optimum
