"""Behaviour on small hand-made plans whose right answer is known."""

from dataclasses import replace

import pytest

from planner.engine import part_solver
from planner.engine.model import Problem, Resource, SolveOptions, Status, WorkItem
from planner.engine.solve import solve
from tests.engine.checks import assert_schedule_valid

OPTIONS = SolveOptions(time_limit_seconds=5, workers=1)
ENGINEER = Resource("engineers", 1)


def test_urgent_item_goes_first_even_if_it_lengthens_nothing() -> None:
    problem = Problem(
        (
            WorkItem("migrate-payroll", 10, {"engineers": 1}, deadline=10, weight=1),
            WorkItem("migrate-chatbot", 2, {"engineers": 1}, deadline=2, weight=5),
        ),
        (ENGINEER,),
    )
    result = solve(problem, OPTIONS)
    assert result.status == Status.OPTIMAL
    assert result.schedule["migrate-chatbot"].start == 0
    assert result.weighted_tardiness == 2
    assert result.makespan == 12


def test_tardiness_outranks_makespan() -> None:
    # Finishing everything by 6 needs "b" first, which makes the heavy "a" late.
    problem = Problem(
        (
            WorkItem("a", 3, {"engineers": 1}, deadline=3, weight=10),
            WorkItem("b", 3, {"engineers": 1}),
            WorkItem("c", 3, predecessors=("b",)),
        ),
        (ENGINEER,),
    )
    lexicographic = solve(problem, OPTIONS)
    assert lexicographic.weighted_tardiness == 0 and lexicographic.makespan == 9
    makespan_only = solve(problem, replace(OPTIONS, objective="makespan"))
    assert makespan_only.makespan == 6
    assert makespan_only.schedule["a"].lateness == 3


def test_capacity_dip_is_respected() -> None:
    # Two assessors, none during a freeze in units [2, 5).
    assessors = Resource("assessors", 2, capacity_changes=((2, 0), (5, 2)))
    problem = Problem(tuple(WorkItem(f"authorize-{n}", 2, {"assessors": 1}) for n in range(4)), (assessors,))
    result = solve(problem, OPTIONS)
    assert result.status == Status.OPTIMAL
    assert sorted(entry.start for entry in result.schedule.values()) == [0, 0, 5, 5]
    assert_schedule_valid(problem, result)


def test_blocked_period_is_avoided() -> None:
    problem = Problem((WorkItem("cut-over", 3, release=1, blocked_periods=((2, 6),)),), ())
    result = solve(problem, OPTIONS)
    assert result.schedule["cut-over"].start == 6


def test_late_item_reason_names_the_binding_resource() -> None:
    problem = Problem(
        (
            WorkItem("assess-a", 4, {"engineers": 1}, deadline=4, weight=3),
            WorkItem("assess-b", 4, {"engineers": 1}, deadline=4, weight=1),
            WorkItem("cut-over-b", 1, predecessors=("assess-b",), deadline=9),
        ),
        (ENGINEER,),
    )
    result = solve(problem, OPTIONS)
    reasons = {reason.item_id: reason for reason in result.late_reasons}
    assert set(reasons) == {"assess-b"}
    assert reasons["assess-b"].chain == ("assess-a", "assess-b")
    assert reasons["assess-b"].binding_resource == "engineers"
    assert reasons["assess-b"].lateness == 4
    assert "engineers" in reasons["assess-b"].explanation


def test_late_item_reason_follows_the_precedence_chain() -> None:
    problem = Problem(
        (
            WorkItem("contract-action", 6, release=2),
            WorkItem("build", 3, predecessors=("contract-action",)),
            WorkItem("cut-over", 1, predecessors=("build",), deadline=10),
        ),
        (),
    )
    result = solve(problem, OPTIONS)
    (reason,) = result.late_reasons
    assert reason.item_id == "cut-over" and reason.lateness == 2
    # The chain alone makes the lateness unavoidable, which proves the plan optimal.
    assert result.tardiness_lower_bound == 2 and result.status == Status.OPTIMAL
    assert reason.chain == ("contract-action", "build", "cut-over")
    assert reason.binding_resource is None


def test_independent_agencies_are_solved_as_separate_parts() -> None:
    treasury = tuple(WorkItem(f"treasury-{n}", 2, {"treasury-engineers": 1}) for n in range(3))
    defense = tuple(WorkItem(f"defense-{n}", 3, {"defense-engineers": 1}) for n in range(2))
    resources = (Resource("treasury-engineers", 1), Resource("defense-engineers", 1))
    result = solve(Problem(treasury + defense, resources), OPTIONS)
    assert result.components == 2
    assert result.makespan == 6 and result.status == Status.OPTIMAL
    linked = replace(defense[0], predecessors=("treasury-2",))
    joined = solve(Problem(treasury + (linked, defense[1]), resources), OPTIONS)
    assert joined.components == 1


def test_result_starts_round_trip_as_a_hint() -> None:
    problem = Problem(tuple(WorkItem(f"w{n}", 1 + n % 3, {"engineers": 1}) for n in range(6)), (ENGINEER,))
    first = solve(problem, OPTIONS)
    again = solve(problem, replace(OPTIONS, hint=first.starts()))
    assert again.moved_items == 0
    assert again.starts() == first.starts()


def test_zero_time_limit_still_answers_with_the_heuristic() -> None:
    problem = Problem(tuple(WorkItem(f"w{n}", 2, {"engineers": 1}) for n in range(5)), (ENGINEER,))
    result = solve(problem, replace(OPTIONS, time_limit_seconds=0))
    assert result.makespan == 10
    assert result.status == Status.OPTIMAL  # the energy bound proves it


def test_parts_too_large_for_the_model_get_the_heuristic_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(part_solver, "HEURISTIC_ONLY_ITEMS", 3)

    def no_model(*arguments: object) -> None:
        raise AssertionError("CP-SAT must not run on a part this large")

    monkeypatch.setattr(part_solver, "run_stage", no_model)
    monkeypatch.setattr(part_solver, "minimise_with_neighbourhoods", no_model)
    problem = Problem(
        tuple(
            WorkItem(f"w{n}", 1 + n % 4, {"engineers": 1}, (f"w{n - 2}",) if n >= 2 else (), deadline=6)
            for n in range(8)
        ),
        (Resource("engineers", 2),),
    )
    result = solve(problem, replace(OPTIONS, time_limit_seconds=0.3))
    assert result.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert_schedule_valid(problem, result)
    assert result.weighted_tardiness == sum(entry.lateness for entry in result.schedule.values())
