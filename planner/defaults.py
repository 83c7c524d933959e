"""The shipped work templates (data/work_templates.toml), read and checked against the enums."""

from __future__ import annotations

import functools
import tomllib
from decimal import Decimal
from pathlib import Path

from planner.enums import STEP_ORDER, TeamKind
from planner.estimates import TemplateStep
from procurement.inventory.enums import DependencyKind

TEMPLATES_FILE = Path(__file__).parent / "data" / "work_templates.toml"


@functools.cache
def default_templates(path: Path = TEMPLATES_FILE) -> dict[str, tuple[TemplateStep, ...]]:
    """Dependency kind -> its steps in order; a missing or unknown key raises naming it."""
    data = tomllib.loads(path.read_text())
    if set(data) != set(DependencyKind.values):
        raise ValueError(f"{path.name}: kinds {sorted(data)} must be exactly {sorted(DependencyKind.values)}")
    return {kind: _steps(kind, data[kind]) for kind in DependencyKind.values}


def _steps(kind: str, table: dict) -> tuple[TemplateStep, ...]:
    if list(table) != list(STEP_ORDER):
        raise ValueError(f"work_templates.toml [{kind}]: steps must be {', '.join(STEP_ORDER)} in that order")
    steps = []
    for step, entry in table.items():
        unknown = set(entry) - {"effort", "team", "people", "scales"}
        if unknown:
            raise ValueError(f"work_templates.toml [{kind}] {step}: unknown keys {sorted(unknown)}")
        steps.append(
            TemplateStep(
                step=step,
                effort_days=Decimal(str(entry["effort"])),
                team_kind=TeamKind(entry["team"]).value,
                head_count=int(entry["people"]),
                scales=bool(entry.get("scales", True)),
            )
        )
    return tuple(steps)
