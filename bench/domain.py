"""Domain-shaped removal plans: agencies, systems as chains of steps, shared teams.

Each agency has 3 or 4 teams (resources) and its systems; each system is a
chain of 6 to 9 removal steps; 5 % of items get a link from a step of an
earlier system of the same agency (a system that depends on another). The
last step of each system carries the removal deadline, weighted by the
system's mission criticality. One team per agency loses capacity for a
holiday freeze.
"""

import random

from planner.engine.model import Problem, Resource, WorkItem

ITEMS_PER_AGENCY = 2500
CROSS_SYSTEM_LINK_SHARE = 0.05
STEPS = (
    ("assess", "engineers", 2, 6),
    ("select-replacement", "engineers", 2, 8),
    ("contract-action", "contracting", 5, 20),
    ("build-integrate", "engineers", 5, 25),
    ("test-authorize", "assessors", 3, 12),
    ("cut-over", "engineers", 1, 4),
    ("decommission-purge", "engineers", 2, 6),
    ("verify-attest", "assessors", 1, 3),
    ("architecture-review", "architects", 2, 5),
)
CRITICALITY_WEIGHTS = (1, 2, 4)


def generate(items: int, seed: int = 0, items_per_agency: int = ITEMS_PER_AGENCY) -> Problem:
    """About `items` work items spread over agencies of about `items_per_agency`."""
    random_source = random.Random(seed)
    all_items: list[WorkItem] = []
    all_resources: list[Resource] = []
    agency = 0
    while len(all_items) < items:
        size = min(items_per_agency, items - len(all_items))
        agency_items, agency_resources = _agency(f"agency{agency}", size, random_source)
        all_items.extend(agency_items)
        all_resources.extend(agency_resources)
        agency += 1
    return Problem(tuple(all_items), tuple(all_resources))


def _agency(name: str, size: int, random_source: random.Random) -> tuple[list[WorkItem], list[Resource]]:
    teams = ["engineers", "contracting", "assessors"] + (["architects"] if random_source.random() < 0.5 else [])
    chains: list[list[WorkItem]] = []
    count = 0
    while count < size:
        length = min(random_source.randint(6, 9), size - count)
        chains.append(_system(f"{name}-system{len(chains)}", length, teams, name, random_source))
        count += len(chains[-1])
    _link_systems(chains, random_source)
    items = [item for chain in chains for item in chain]
    return items, _teams(name, teams, items, random_source)


def _system(system: str, length: int, teams: list[str], agency: str, random_source: random.Random) -> list[WorkItem]:
    steps = [step for step in STEPS if step[1] in teams][:length]
    release = random_source.randint(0, 30)
    weight = random_source.choice(CRITICALITY_WEIGHTS)
    chain: list[WorkItem] = []
    for position, (step, team, shortest, longest) in enumerate(steps):
        last = position == len(steps) - 1
        chain.append(
            WorkItem(
                id=f"{system}-{step}",
                duration=random_source.randint(shortest, longest),
                demands={f"{agency}-{team}": random_source.randint(1, 2)},
                predecessors=(chain[-1].id,) if chain else (),
                release=release if not chain else 0,
                deadline=random_source.randint(120, 180) if last else None,
                weight=weight,
            )
        )
    return chain


def _link_systems(chains: list[list[WorkItem]], random_source: random.Random) -> None:
    """Give 5 % of items an extra predecessor in an earlier system: always forward, so acyclic."""
    total = sum(len(chain) for chain in chains)
    for _ in range(int(total * CROSS_SYSTEM_LINK_SHARE)):
        later = random_source.randrange(1, len(chains)) if len(chains) > 1 else 0
        if later == 0:
            return
        earlier = random_source.randrange(0, later)
        source = random_source.choice(chains[earlier])
        position = random_source.randrange(len(chains[later]))
        target = chains[later][position]
        chains[later][position] = WorkItem(**{**target.__dict__, "predecessors": (*target.predecessors, source.id)})


def _teams(agency: str, teams: list[str], items: list[WorkItem], random_source: random.Random) -> list[Resource]:
    """Capacities sized so the work fills about 150 units: tight against 120-180 unit deadlines."""
    resources = []
    for team in teams:
        name = f"{agency}-{team}"
        energy = sum(item.duration * item.demands.get(name, 0) for item in items)
        capacity = max(2, round(energy / 150))
        freeze: tuple[tuple[int, int], ...] = ()
        if team == "engineers":
            start = random_source.randint(60, 90)
            freeze = ((start, capacity // 2), (start + 10, capacity))
        resources.append(Resource(name, capacity, freeze))
    return resources
