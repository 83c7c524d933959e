"""What-if changes to a plan's inputs: more people from a date, a later deadline, a waiver,
a changed estimate. Plain data, stored on the Plan as JSON; `problems.problem_build` applies it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class TeamIncrease:
    """`extra` more people (negative: fewer) on a team from a date on."""

    team_id: int
    extra: int
    from_date: datetime.date


@dataclass(frozen=True)
class Adjustments:
    team_increases: tuple[TeamIncrease, ...] = ()
    deadlines: dict[int, datetime.date] = field(default_factory=dict)  # system id -> deadline instead
    waivers: dict[int, datetime.date] = field(default_factory=dict)  # system id -> waiver's end
    estimates: dict[tuple[int, str], Decimal] = field(default_factory=dict)  # (system id, step) -> days

    def to_json(self) -> dict:
        return {
            "team_increases": [[c.team_id, c.extra, c.from_date.isoformat()] for c in self.team_increases],
            "deadlines": {str(k): v.isoformat() for k, v in self.deadlines.items()},
            "waivers": {str(k): v.isoformat() for k, v in self.waivers.items()},
            "estimates": [[k[0], k[1], str(v)] for k, v in self.estimates.items()],
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Adjustments:
        data = data or {}
        return cls(
            team_increases=tuple(
                TeamIncrease(int(team), int(extra), datetime.date.fromisoformat(day))
                for team, extra, day in data.get("team_increases", [])
            ),
            deadlines={int(k): datetime.date.fromisoformat(v) for k, v in data.get("deadlines", {}).items()},
            waivers={int(k): datetime.date.fromisoformat(v) for k, v in data.get("waivers", {}).items()},
            estimates={(int(system), step): Decimal(days) for system, step, days in data.get("estimates", [])},
        )


NO_ADJUSTMENTS = Adjustments()
