"""The weighted-tardiness lower bound never exceeds the optimum, and is not trivial."""

from hypothesis import HealthCheck, assume, given, settings

from planner.engine.model import Problem, Resource, SolveOptions, Status, WorkItem
from planner.engine.network import build_network
from planner.engine.solve import solve
from planner.engine.tardiness_bound import tardiness_lower_bound
from planner.engine.validation import validate
from tests.engine.strategies import problems

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROVE = SolveOptions(time_limit_seconds=5.0, workers=1, decompose=False)


@SETTINGS
@given(problems(max_items=8))
def test_bound_never_exceeds_the_proven_optimum(problem: Problem) -> None:
    validate(problem)
    optimum = solve(problem, PROVE)
    assume(optimum.status == Status.OPTIMAL)
    assert tardiness_lower_bound(build_network(problem)) <= optimum.weighted_tardiness


@SETTINGS
@given(problems(max_items=8))
def test_bound_holds_under_a_hard_horizon(problem: Problem) -> None:
    validate(problem)
    loose = solve(problem, PROVE)
    assume(loose.status == Status.OPTIMAL and loose.makespan)
    tight = Problem(problem.items, problem.resources, horizon=loose.makespan)
    optimum = solve(tight, PROVE)
    assume(optimum.status == Status.OPTIMAL)
    assert tardiness_lower_bound(build_network(tight)) <= optimum.weighted_tardiness


def test_three_urgent_items_on_one_engineer_are_bounded_by_their_energy() -> None:
    # Each needs the only engineer for 2 units and is due at 2: the best plan is late 0 + 2 + 4 = 6.
    # No item is late on its own (the chain floor is 0); the energy spread over time gives 5.
    problem = Problem(
        tuple(WorkItem(f"migrate-{n}", 2, {"engineers": 1}, deadline=2) for n in range(3)),
        (Resource("engineers", 1),),
    )
    network = build_network(problem)
    assert network.tardiness_floor() == 0
    assert tardiness_lower_bound(network) == 5
    result = solve(problem, PROVE)
    assert result.weighted_tardiness == 6
    assert result.tardiness_lower_bound >= 5


def test_the_chain_after_a_team_counts() -> None:
    # Two 3-unit builds share one engineer; each is followed by a 4-unit authorization on
    # its own assessor and due at 7. One build must end at 6 or later, so one system is late >= 3.
    items = []
    for system in ("payroll", "chatbot"):
        items.append(WorkItem(f"{system}-build", 3, {"engineers": 1}))
        items.append(WorkItem(f"{system}-authorize", 4, {f"{system}-assessor": 1}, (f"{system}-build",), deadline=7))
    resources = (Resource("engineers", 1), Resource("payroll-assessor", 1), Resource("chatbot-assessor", 1))
    network = build_network(Problem(tuple(items), resources))
    bound = tardiness_lower_bound(network)
    assert network.tardiness_floor() == 0
    assert 1 <= bound <= 3
