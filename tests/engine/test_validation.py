"""Malformed problems are rejected with a message naming the item."""

import pytest

from planner.engine.model import Problem, Resource, WorkItem
from planner.engine.solve import solve
from planner.engine.validation import ProblemError

ENGINEERS = Resource("engineers", 3)


def rejection(*items: WorkItem, resources: tuple[Resource, ...] = (ENGINEERS,)) -> list[str]:
    with pytest.raises(ProblemError) as raised:
        solve(Problem(items, resources))
    return raised.value.issues


def test_cycle_is_named_in_order() -> None:
    issues = rejection(
        WorkItem("assess", 2, predecessors=("cut-over",)),
        WorkItem("build", 2, predecessors=("assess",)),
        WorkItem("cut-over", 1, predecessors=("build",)),
        WorkItem("verify", 1, predecessors=("cut-over",)),
    )
    assert issues == ["precedence cycle: assess -> build -> cut-over -> assess"]


def test_self_dependency_is_a_cycle() -> None:
    assert rejection(WorkItem("assess", 2, predecessors=("assess",))) == ["work item 'assess' depends on itself"]


def test_demand_above_capacity_names_item_and_resource() -> None:
    issues = rejection(WorkItem("build", 4, demands={"engineers": 5}))
    assert issues == ["work item 'build' demands 5 of 'engineers', more than its capacity 3"]


def test_demand_above_capacity_uses_peak_of_changing_capacity() -> None:
    growing = Resource("engineers", 1, capacity_changes=((10, 5),))
    problem = Problem((WorkItem("build", 4, demands={"engineers": 4}),), (growing,))
    assert solve(problem).schedule["build"].start == 10


def test_negative_duration() -> None:
    assert rejection(WorkItem("build", -1)) == ["work item 'build' has a negative or non-integer duration -1"]


def test_missing_duration() -> None:
    assert rejection(WorkItem("build", None)) == ["work item 'build' has no duration"]  # type: ignore[arg-type]


def test_unknown_predecessor_and_resource() -> None:
    issues = rejection(WorkItem("build", 2, demands={"assessors": 1}, predecessors=("select",)))
    assert issues == [
        "work item 'build' depends on unknown work item 'select'",
        "work item 'build' demands unknown resource 'assessors'",
    ]


def test_duplicate_item() -> None:
    assert rejection(WorkItem("build", 1), WorkItem("build", 2)) == ["work item 'build' is defined more than once"]


def test_every_defect_is_listed_at_once() -> None:
    issues = rejection(WorkItem("a", -2, release=-1), WorkItem("b", 1, blocked_periods=((5, 5),)))
    assert issues == [
        "work item 'a' has a negative or non-integer duration -2",
        "work item 'a' has a negative release -1",
        "work item 'b' has an empty or reversed blocked period [5, 5)",
    ]


def test_negative_capacity() -> None:
    issues = rejection(WorkItem("a", 1), resources=(Resource("engineers", 2, ((4, -1),)),))
    assert issues == ["resource 'engineers' has capacity -1 at unit 4"]
