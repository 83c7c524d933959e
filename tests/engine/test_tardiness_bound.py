"""The weighted-tardiness lower bounds never exceed the optimum, and are not trivial."""

import math
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from planner.engine import part_solver, tardiness_bound
from planner.engine.lagrangian_bound import _relax, lagrangian_tardiness_bound
from planner.engine.model import Problem, Resource, Result, SolveOptions, Status, WorkItem
from planner.engine.network import Network, build_network
from planner.engine.solve import solve
from planner.engine.tardiness_bound import tardiness_lower_bound
from planner.engine.validation import validate
from tests.engine.strategies import problems

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROVE = SolveOptions(time_limit_seconds=5.0, workers=1, decompose=False)
STEPS = 300
"""Subgradient steps for the Lagrangian bound: a count, so the tests do not depend on the clock."""


def assert_bounds_hold(network: Network, optimal: Result) -> None:
    optimum = optimal.weighted_tardiness or 0
    assert_schedule_admitted(network, optimal, None)
    assert_schedule_admitted(network, optimal, optimum)
    assert tardiness_lower_bound(network).value <= optimum
    assert lagrangian_tardiness_bound(network, iterations=STEPS) <= optimum
    # Given a schedule as late as the optimum, the grid ends earlier: still no schedule is cut off.
    assert lagrangian_tardiness_bound(network, iterations=STEPS, upper=optimum) <= optimum


def assert_schedule_admitted(network: Network, optimal: Result, upper: int | None) -> None:
    """Every start of the optimal schedule is one the relaxation allows (window, blocked periods,
    capacity, horizon, and the grid a known schedule as late gives): the relaxation's own test,
    since the bound stops as soon as it reaches `upper` and cannot show it overshooting."""
    relaxation = _relax(network, upper)
    if relaxation is None:
        return  # nothing built, the bound is 0
    for position, item in enumerate(relaxation.items.tolist()):
        start = optimal.schedule[network.ids[item]].start
        assert start < relaxation.base_costs.shape[1] and math.isfinite(relaxation.base_costs[position, start])


@SETTINGS
@given(problems(max_items=8))
def test_bound_never_exceeds_the_proven_optimum(problem: Problem) -> None:
    validate(problem)
    optimum = solve(problem, PROVE)
    assume(optimum.status == Status.OPTIMAL)
    assert_bounds_hold(build_network(problem), optimum)


@SETTINGS
@given(problems(max_items=8))
def test_bound_holds_under_a_hard_horizon(problem: Problem) -> None:
    validate(problem)
    loose = solve(problem, PROVE)
    assume(loose.status == Status.OPTIMAL and loose.makespan)
    tight = Problem(problem.items, problem.resources, horizon=loose.makespan)
    optimum = solve(tight, PROVE)
    assume(optimum.status == Status.OPTIMAL)
    assert_bounds_hold(build_network(tight), optimum)


@st.composite
def crowded_teams(draw: st.DrawFn) -> Problem:
    """Few items on one or two small teams, due early: lateness the bounds must reason about.

    The general generator's plans are mostly loose; these make the energy argument bind."""
    teams = tuple(Resource(f"team{number}", draw(st.integers(1, 2))) for number in range(draw(st.integers(1, 2))))
    items = []
    for number in range(draw(st.integers(2, 6))):
        team = draw(st.sampled_from(teams))
        earlier = [f"w{other}" for other in range(number)]
        items.append(
            WorkItem(
                f"w{number}",
                draw(st.integers(1, 5)),
                {team.name: draw(st.integers(1, team.capacity))},
                tuple(draw(st.lists(st.sampled_from(earlier), max_size=1))) if earlier else (),
                release=draw(st.integers(0, 2)),
                deadline=draw(st.none() | st.integers(1, 10)),
                weight=draw(st.integers(1, 3)),
            )
        )
    return Problem(tuple(items), teams)


@SETTINGS
@given(crowded_teams())
def test_bounds_hold_on_crowded_teams(problem: Problem) -> None:
    optimum = solve(problem, PROVE)
    assume(optimum.status == Status.OPTIMAL)
    assert_bounds_hold(build_network(problem), optimum)


def three_urgent_items() -> Problem:
    # Each needs the only engineer for 2 units and is due at 2: the best plan is late 0 + 2 + 4 = 6.
    return Problem(
        tuple(WorkItem(f"migrate-{n}", 2, {"engineers": 1}, deadline=2) for n in range(3)),
        (Resource("engineers", 1),),
    )


def test_three_urgent_items_on_one_engineer_are_bounded_by_their_energy() -> None:
    # No item is late on its own (the chain floor is 0). Charging each unit of energy as if the
    # item ended just after it gives 5; counting that each item's 2 units end no earlier than
    # half a unit past their mean (_unit_charge) gives the optimum.
    network = build_network(three_urgent_items())
    assert network.tardiness_floor() == 0
    assert tardiness_lower_bound(network).value == 6
    assert lagrangian_tardiness_bound(network, iterations=STEPS) == 6
    assert lagrangian_tardiness_bound(network, iterations=STEPS, upper=6) == 6
    result = solve(three_urgent_items(), PROVE)
    assert result.status == Status.OPTIMAL and result.tardiness_lower_bound == 6


def two_builds_then_authorizations() -> Problem:
    # Two 3-unit builds share one engineer; each is followed by a 4-unit authorization on
    # its own assessor and due at 7. One build must end at 6 or later, so one system is late >= 3.
    items = []
    for system in ("payroll", "chatbot"):
        items.append(WorkItem(f"{system}-build", 3, {"engineers": 1}))
        items.append(WorkItem(f"{system}-authorize", 4, {f"{system}-assessor": 1}, (f"{system}-build",), deadline=7))
    resources = (Resource("engineers", 1), Resource("payroll-assessor", 1), Resource("chatbot-assessor", 1))
    return Problem(tuple(items), resources)


def test_the_chain_after_a_team_counts() -> None:
    network = build_network(two_builds_then_authorizations())
    assert network.tardiness_floor() == 0
    assert tardiness_lower_bound(network).value == 2


def payroll_weighing_four() -> Network:
    problem = two_builds_then_authorizations()
    weighted = tuple(replace(item, weight=4) if item.id.startswith("payroll") else item for item in problem.items)
    return build_network(Problem(weighted, problem.resources))


def test_the_fluid_finishes_say_where_the_cheapest_placement_lets_each_deadline_finish() -> None:
    # Payroll's deadline weighs 4, the chatbot's 1: the cheapest placement of the engineer's
    # energy builds payroll in units 0-2 and the chatbot in 3-5, and each authorization
    # takes 4 more: payroll can finish at 7, the chatbot at 10.
    network = payroll_weighing_four()
    bound = tardiness_lower_bound(network)
    finishes = {network.ids[item]: finish for item, finish in bound.fluid_finishes.items()}
    assert finishes == {"payroll-authorize": 7, "chatbot-authorize": 10}


def test_a_part_keeps_the_fluid_finishes_for_its_urgency_search() -> None:
    network = payroll_weighing_four()
    chatbot_first = [3, 6, 0, 3]  # payroll 3 late: 12, not proven the least
    incumbent = part_solver._Incumbent(chatbot_first, False, False, network.tardiness_floor(), 0)
    until = time.monotonic() + 60
    part_solver._raise_tardiness_bound(network, incumbent, "tardiness_then_makespan", PROVE, 60, until)
    assert incumbent.fluid_finishes == tardiness_lower_bound(network).fluid_finishes != {}


def scan_before_attestation() -> Problem:
    # One engineer. The attestation (1 unit, due 6) waits for a 4-unit inventory scan and for the
    # payroll shutdown (5 units, due 3); the best plan is late 2 x 3 + 4 x 2 = 14.
    items = (
        WorkItem("inventory-scan", 4, {"engineers": 1}),
        WorkItem("payroll-shutdown", 5, {"engineers": 1}, deadline=3, weight=3),
        WorkItem("attest", 1, {"engineers": 1}, ("inventory-scan", "payroll-shutdown"), deadline=6, weight=2),
    )
    return Problem(items, (Resource("engineers", 1),))


def test_sharing_a_deadline_by_where_it_costs_raises_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # Shared by energy, most of the attestation's weight rides on the scan, which the
    # transportation problem places early: 10. Moved to the items placed late, 13.
    network = build_network(scan_before_attestation())
    assert tardiness_lower_bound(network).value == 13
    assert solve(scan_before_attestation(), PROVE).weighted_tardiness == 14
    monkeypatch.setattr(tardiness_bound, "SHARE_ROUNDS", 0)
    assert tardiness_lower_bound(network).value == 10


def test_the_lagrangian_bound_reaches_the_optimum_where_the_energy_does_not() -> None:
    # The transportation bound stops at 2; pricing the engineer's units reaches 3, the optimum.
    network = build_network(two_builds_then_authorizations())
    assert lagrangian_tardiness_bound(network, iterations=STEPS) == 3
    assert lagrangian_tardiness_bound(network, iterations=STEPS, upper=3) == 3
    assert solve(two_builds_then_authorizations(), PROVE).weighted_tardiness == 3


def test_a_lagrangian_bound_out_of_time_is_still_a_bound() -> None:
    network = build_network(three_urgent_items())
    assert lagrangian_tardiness_bound(network, until=time.monotonic()) == 0  # no step taken, nothing claimed
    assert lagrangian_tardiness_bound(network, until=time.monotonic() + 1.0) == 6


def test_a_known_schedule_leaves_the_optimum_within_the_grid() -> None:
    # Two 2-unit items on one engineer, both due at 2: the best plan is late 2, one item finishing
    # at 4 = deadline + upper // weight. A grid one unit shorter could hold only one of them.
    problem = Problem(
        tuple(WorkItem(f"migrate-{n}", 2, {"engineers": 1}, deadline=2) for n in range(2)),
        (Resource("engineers", 1),),
    )
    network = build_network(problem)
    optimal = solve(problem, PROVE)
    assert optimal.weighted_tardiness == 2
    assert_schedule_admitted(network, optimal, upper=2)
    assert lagrangian_tardiness_bound(network, iterations=STEPS, upper=2) == 2
