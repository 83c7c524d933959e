"""Compiled serial schedule generation on arrays, and the population search's kernels.

The population search builds tens of thousands of schedules a second from
activity lists (orders in which items are placed). The kernels here work on
numpy arrays and are compiled by numba (measured in docs/benchmarks.md: about
30 times the plain-Python scheme of heuristic.py). They release the GIL, so a
population search thread runs truly beside CP-SAT and the neighbourhood search.
Compiled code is cached in __pycache__; compiling takes 15 to 35 seconds,
done at install and loaded as a worker starts (kernels.py).

`SgsArrays` is the problem in that form, built once per network.
"""

import heapq
from typing import NamedTuple

import numpy as np
from numba import njit

from planner.engine.network import Network
from planner.engine.profile import CapacityProfile, forbidden_starts

INT = np.int64
FAILED = -1


class SgsArrays(NamedTuple):
    """The network as flat arrays: CSR lists for predecessors, successors and blocked periods.

    A named tuple so the compiled kernels take it whole.
    """

    durations: np.ndarray
    demands: np.ndarray
    """(items, resources) amounts, zero where an item does not use a resource."""
    predecessor_pointers: np.ndarray
    predecessor_items: np.ndarray
    successor_pointers: np.ndarray
    successor_items: np.ndarray
    releases: np.ndarray
    blocked_pointers: np.ndarray
    blocked_starts: np.ndarray
    blocked_ends: np.ndarray
    forbidden_first: np.ndarray
    forbidden_last: np.ndarray
    """Per blocked period, the start range [first, last] it forbids the item (profile.forbidden_starts)."""
    capacity: np.ndarray
    """(resources, horizon) capacity per unit."""
    deadlines: np.ndarray
    """Deadline per item, -1 for none."""
    weights: np.ndarray
    topological_rank: np.ndarray


def sgs_arrays(network: Network) -> SgsArrays:
    size = network.size
    demands = np.zeros((size, max(1, len(network.resource_names))), dtype=INT)
    for item in range(size):
        for resource, amount in network.demands[item]:
            demands[item, resource] = amount
    capacity = CapacityProfile.from_steps(network.capacity_steps, network.horizon).rows
    rank = np.empty(size, dtype=INT)
    rank[np.array(network.order, dtype=INT)] = np.arange(size, dtype=INT)
    blocked = network.blocked_periods
    forbidden = [
        forbidden_starts(periods, duration) for periods, duration in zip(blocked, network.durations, strict=True)
    ]
    return SgsArrays(
        durations=np.array(network.durations, dtype=INT),
        demands=demands,
        predecessor_pointers=_pointers(network.predecessors),
        predecessor_items=_flat(network.predecessors),
        successor_pointers=_pointers(network.successors),
        successor_items=_flat(network.successors),
        releases=np.array(network.releases, dtype=INT),
        blocked_pointers=_pointers(blocked),
        blocked_starts=np.array([start for periods in blocked for start, _ in periods], dtype=INT),
        blocked_ends=np.array([end for periods in blocked for _, end in periods], dtype=INT),
        forbidden_first=np.array([first for ranges in forbidden for first, _ in ranges], dtype=INT),
        forbidden_last=np.array([last for ranges in forbidden for _, last in ranges], dtype=INT),
        capacity=np.array(capacity, dtype=INT).reshape(len(network.resource_names), network.horizon)
        if network.resource_names
        else np.zeros((1, network.horizon), dtype=INT),
        deadlines=np.array([-1 if deadline is None else deadline for deadline in network.deadlines], dtype=INT),
        weights=np.array(network.weights, dtype=INT),
        topological_rank=rank,
    )


def _pointers(lists: list) -> np.ndarray:
    return np.concatenate(([0], np.cumsum([len(entries) for entries in lists], dtype=INT))).astype(INT)


def _flat(lists: list[list[int]]) -> np.ndarray:
    return np.array([entry for entries in lists for entry in entries], dtype=INT)


@njit(cache=True, nogil=True)
def earliest_fit(
    capacity: np.ndarray,
    demand_row: np.ndarray,
    duration: int,
    earliest: int,
    forbidden_first: np.ndarray,
    forbidden_last: np.ndarray,
    first_entry: int,
    last_entry: int,
) -> int:
    """The first start >= earliest where the item fits, or FAILED before the horizon."""
    horizon = capacity.shape[1]
    start = earliest
    while start + duration <= horizon:
        moved = start
        for entry in range(first_entry, last_entry):
            if forbidden_first[entry] <= moved <= forbidden_last[entry]:
                moved = forbidden_last[entry] + 1
        if moved == start:
            for resource in range(capacity.shape[0]):
                amount = demand_row[resource]
                if amount == 0:
                    continue
                for unit in range(start + duration - 1, start - 1, -1):
                    if capacity[resource, unit] < amount:
                        moved = unit + 1
                        break
                if moved != start:
                    break
        if moved == start:
            return start
        start = moved
    return FAILED


@njit(cache=True, nogil=True)
def serial_schedule(
    order: np.ndarray,
    durations: np.ndarray,
    demands: np.ndarray,
    predecessor_pointers: np.ndarray,
    predecessor_items: np.ndarray,
    releases: np.ndarray,
    forbidden_pointers: np.ndarray,
    forbidden_first: np.ndarray,
    forbidden_last: np.ndarray,
    capacity: np.ndarray,
    starts: np.ndarray,
) -> bool:
    """Place the items of a precedence-feasible `order` one by one at their earliest fit.

    Writes `starts`; False when an item does not fit before the horizon.
    `capacity` is consumed (pass a copy).
    """
    for position in range(order.shape[0]):
        item = order[position]
        earliest = releases[item]
        for entry in range(predecessor_pointers[item], predecessor_pointers[item + 1]):
            predecessor = predecessor_items[entry]
            finish = starts[predecessor] + durations[predecessor]
            if finish > earliest:
                earliest = finish
        duration = durations[item]
        start = earliest_fit(
            capacity,
            demands[item],
            duration,
            earliest,
            forbidden_first,
            forbidden_last,
            forbidden_pointers[item],
            forbidden_pointers[item + 1],
        )
        if start == FAILED:
            return False
        starts[item] = start
        for resource in range(capacity.shape[0]):
            amount = demands[item, resource]
            if amount:
                for unit in range(start, start + duration):
                    capacity[resource, unit] -= amount
    return True


@njit(cache=True, nogil=True)
def forward_schedule(arrays: SgsArrays, order: np.ndarray, starts: np.ndarray) -> bool:
    """Left-justified schedule of a precedence-feasible activity list, into `starts`."""
    return serial_schedule(
        order,
        arrays.durations,
        arrays.demands,
        arrays.predecessor_pointers,
        arrays.predecessor_items,
        arrays.releases,
        arrays.blocked_pointers,
        arrays.forbidden_first,
        arrays.forbidden_last,
        arrays.capacity.copy(),
        starts,
    )


@njit(cache=True, nogil=True)
def makespan_of(arrays: SgsArrays, starts: np.ndarray) -> int:
    end = 0
    for item in range(starts.shape[0]):
        finish = starts[item] + arrays.durations[item]
        if finish > end:
            end = finish
    return end


@njit(cache=True, nogil=True)
def weighted_tardiness_of(arrays: SgsArrays, starts: np.ndarray) -> int:
    total = 0
    for item in range(starts.shape[0]):
        deadline = arrays.deadlines[item]
        if deadline >= 0:
            late = starts[item] + arrays.durations[item] - deadline
            if late > 0:
                total += arrays.weights[item] * late
    return total


@njit(cache=True, nogil=True)
def right_justified(arrays: SgsArrays, starts: np.ndarray, justified: np.ndarray, keep_deadlines: bool = False) -> bool:
    """Each item as late as possible before the schedule's end, in order of decreasing finish.

    With `keep_deadlines` no item with a deadline ends later than that deadline, or
    than it ends now when it is already late, and the end moves out to the latest
    deadline (within the horizon): items with slack go as late as their deadlines
    allow, so the next forward pass gives their early capacity to the late ones.

    Schedules the mirrored problem (successors become predecessors, the
    capacity and blocked periods are read backwards from the end) and maps it
    back. Release dates are ignored: the next forward pass respects them.
    """
    size = starts.shape[0]
    horizon = arrays.capacity.shape[1]
    end = makespan_of(arrays, starts)
    mirrored_releases = np.zeros(size, dtype=np.int64)
    if keep_deadlines and size:
        end = min(horizon, max(end, arrays.deadlines.max()))
        for item in range(size):
            if arrays.deadlines[item] >= 0:
                latest_finish = max(arrays.deadlines[item], starts[item] + arrays.durations[item])
                mirrored_releases[item] = max(0, end - latest_finish)
    mirrored = np.empty_like(arrays.capacity)
    for resource in range(mirrored.shape[0]):
        for unit in range(horizon):
            source = end - 1 - unit if unit < end else 0
            mirrored[resource, unit] = arrays.capacity[resource, max(0, source)]
    first = np.empty_like(arrays.forbidden_first)
    last = np.empty_like(arrays.forbidden_last)
    for item in range(size):
        duration = arrays.durations[item]
        for entry in range(arrays.blocked_pointers[item], arrays.blocked_pointers[item + 1]):
            first[entry] = end - arrays.blocked_ends[entry] - duration + 1
            last[entry] = end - arrays.blocked_starts[entry] - 1
    keys = np.empty(size, dtype=np.int64)
    for item in range(size):
        # Decreasing finish; among equal finishes successors first, so the list stays feasible backwards.
        keys[item] = -(starts[item] + arrays.durations[item]) * size - arrays.topological_rank[item]
    order = np.argsort(keys, kind="mergesort")
    mirrored_starts = np.empty(size, dtype=np.int64)
    fitted = serial_schedule(
        order,
        arrays.durations,
        arrays.demands,
        arrays.successor_pointers,
        arrays.successor_items,
        mirrored_releases,
        arrays.blocked_pointers,
        first,
        last,
        mirrored,
        mirrored_starts,
    )
    for item in range(size):
        justified[item] = end - mirrored_starts[item] - arrays.durations[item]
    return fitted


@njit(cache=True, nogil=True)
def order_by_start(arrays: SgsArrays, starts: np.ndarray) -> np.ndarray:
    """The activity list of a schedule: by start, ties in topological order (precedence-feasible)."""
    size = starts.shape[0]
    lowest = starts.min() if size else 0
    keys = np.empty(size, dtype=np.int64)
    for item in range(size):
        keys[item] = (starts[item] - lowest) * size + arrays.topological_rank[item]
    return np.argsort(keys, kind="mergesort")


# The population search's kernels. They live in this file with the schedule generation
# they call because numba's cache is checked per file: a kernel cached in another file
# would keep calling the old compiled version of a function changed here.

INFEASIBLE = np.iinfo(np.int64).max
PEAK_CROSSOVER_RATE = 0.5
"""The share of children made by the peak crossover, the rest by the two-point one. Measured with
restarted populations alone on 30 hard 90-job instances (2 threads, 10 s each): see docs/benchmarks.md."""


@njit(cache=True, nogil=True)
def seed_random(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def fitness_of(arrays: SgsArrays, starts: np.ndarray, tardiness_first: bool) -> int:
    makespan = makespan_of(arrays, starts)
    if not tardiness_first:
        return makespan
    return weighted_tardiness_of(arrays, starts) * (arrays.capacity.shape[1] + 1) + makespan


@njit(cache=True, nogil=True)
def improved_schedule(arrays: SgsArrays, order: np.ndarray, tardiness_first: bool) -> tuple[np.ndarray, int]:
    """Decode `order`, then one round of double justification kept when no worse."""
    size = order.shape[0]
    starts = np.empty(size, dtype=np.int64)
    if not forward_schedule(arrays, order, starts):
        return starts, INFEASIBLE
    fitness = fitness_of(arrays, starts, tardiness_first)
    backward = np.empty(size, dtype=np.int64)
    if not right_justified(arrays, starts, backward):
        return starts, fitness
    justified = np.empty(size, dtype=np.int64)
    if not forward_schedule(arrays, order_by_start(arrays, backward), justified):
        return starts, fitness
    justified_fitness = fitness_of(arrays, justified, tardiness_first)
    if justified_fitness <= fitness:
        return justified, justified_fitness
    return starts, fitness


@njit(cache=True, nogil=True)
def random_list(arrays: SgsArrays, priority: np.ndarray, spread: float) -> np.ndarray:
    """A precedence-feasible list: eligible items by latest start plus noise (biased random sampling)."""
    return list_by_keys(arrays, priority + np.random.uniform(0.0, 2.0 * spread, priority.shape[0]))


@njit(cache=True, nogil=True)
def list_by_keys(arrays: SgsArrays, keys: np.ndarray) -> np.ndarray:
    """The precedence-feasible list that always takes next the eligible item of smallest key."""
    size = keys.shape[0]
    waiting = np.empty(size, dtype=np.int64)
    for item in range(size):
        waiting[item] = arrays.predecessor_pointers[item + 1] - arrays.predecessor_pointers[item]
    eligible = [(keys[item], item) for item in range(size) if waiting[item] == 0]
    heapq.heapify(eligible)
    order = np.empty(size, dtype=np.int64)
    for position in range(size):
        _, item = heapq.heappop(eligible)
        order[position] = item
        for entry in range(arrays.successor_pointers[item], arrays.successor_pointers[item + 1]):
            successor = arrays.successor_items[entry]
            waiting[successor] -= 1
            if waiting[successor] == 0:
                heapq.heappush(eligible, (keys[successor], successor))
    return order


@njit(cache=True, nogil=True)
def random_population(
    arrays: SgsArrays, priority: np.ndarray, spread: float, count: int, tardiness_first: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    size = priority.shape[0]
    lists = np.empty((count, size), dtype=np.int64)
    starts = np.empty((count, size), dtype=np.int64)
    fitness = np.empty(count, dtype=np.int64)
    for member in range(count):
        improved, value = improved_schedule(arrays, random_list(arrays, priority, spread), tardiness_first)
        starts[member] = improved
        fitness[member] = value
        lists[member] = order_by_start(arrays, improved) if value != INFEASIBLE else np.argsort(priority)
    return lists, starts, fitness


@njit(cache=True, nogil=True)
def crossover(mother: np.ndarray, father: np.ndarray, first_cut: int, second_cut: int) -> np.ndarray:
    """Hartmann's two-point crossover: mother's head, father's middle, mother's rest, each in order."""
    size = mother.shape[0]
    child = np.empty(size, dtype=np.int64)
    taken = np.zeros(size, dtype=np.bool_)
    position = 0
    for index in range(first_cut):
        child[position] = mother[index]
        taken[mother[index]] = True
        position += 1
    for index in range(size):
        if position >= second_cut:
            break
        if not taken[father[index]]:
            child[position] = father[index]
            taken[father[index]] = True
            position += 1
    for index in range(size):
        if not taken[mother[index]]:
            child[position] = mother[index]
            taken[mother[index]] = True
            position += 1
    return child


@njit(cache=True, nogil=True)
def busiest_window(arrays: SgsArrays, starts: np.ndarray, length: int) -> int:
    """Where the `length` units of `starts` that use the most of their resources begin.

    Each unit's load is the sum over the items running in it of their share of
    each resource's capacity; the earliest window of the largest load wins.
    """
    end = makespan_of(arrays, starts)
    last_unit = arrays.capacity.shape[1] - 1
    load = np.zeros(end + 1, dtype=np.float64)
    for item in range(starts.shape[0]):
        share = 0.0
        for resource in range(arrays.demands.shape[1]):
            amount = arrays.demands[item, resource]
            if amount:
                share += amount / max(1, arrays.capacity[resource, min(starts[item], last_unit)])
        for unit in range(starts[item], starts[item] + arrays.durations[item]):
            load[unit] += share
    first, largest, window = 0, -1.0, 0.0
    for unit in range(end):
        window += load[unit]
        if unit >= length:
            window -= load[unit - length]
        if unit + 1 >= length and window > largest:
            largest, first = window, unit + 1 - length
    return first


@njit(cache=True, nogil=True)
def peak_crossover(arrays: SgsArrays, mother_starts: np.ndarray, father: np.ndarray, length: int) -> np.ndarray:
    """The items the mother starts in her busiest `length` units, kept together in her order;
    every other item where the father's list has it.

    After the peak crossover of Valls, Ballestín and Quintanilla (2008): a stretch
    where a schedule packs its resources well is a building block worth passing on
    whole, which a cut at list positions breaks. The block goes where the father
    places the first of its items, and the list is rebuilt eligible item by smallest
    key, so it stays precedence-feasible.
    """
    size = father.shape[0]
    first = busiest_window(arrays, mother_starts, length)
    keys = np.empty(size, dtype=np.float64)
    for position in range(size):
        keys[father[position]] = position
    block_at = np.inf
    for item in range(size):
        if first <= mother_starts[item] < first + length:
            block_at = min(block_at, keys[item])
    for item in range(size):
        if first <= mother_starts[item] < first + length:
            # Between the father's previous position and block_at, in the mother's order.
            keys[item] = block_at - 0.5 + 0.5 * (mother_starts[item] - first + 1) / (length + 1)
    return list_by_keys(arrays, keys)


@njit(cache=True, nogil=True)
def mutate(arrays: SgsArrays, child: np.ndarray, rate: float) -> None:
    """Swap neighbours with probability `rate` where no precedence links them."""
    for position in range(child.shape[0] - 1):
        if np.random.random() >= rate:
            continue
        earlier, later = child[position], child[position + 1]
        linked = False
        for entry in range(arrays.predecessor_pointers[later], arrays.predecessor_pointers[later + 1]):
            if arrays.predecessor_items[entry] == earlier:
                linked = True
                break
        if not linked:
            child[position], child[position + 1] = later, earlier


@njit(cache=True, nogil=True)
def generations(
    arrays: SgsArrays,
    lists: np.ndarray,
    starts: np.ndarray,
    fitness: np.ndarray,
    count: int,
    mutation_rate: float,
    tardiness_first: bool,
) -> int:
    """Evolve the population in place; returns the schedules built."""
    members, size = lists.shape
    built = 0
    for _ in range(count):
        pairing = np.random.permutation(members)
        child_lists = np.empty((members, size), dtype=np.int64)
        child_starts = np.empty((members, size), dtype=np.int64)
        child_fitness = np.empty(members, dtype=np.int64)
        for pair in range(0, members - 1, 2):
            mother, father = pairing[pair], pairing[pair + 1]
            first_cut = np.random.randint(0, size + 1)
            second_cut = np.random.randint(first_cut, size + 1)
            by_peak = fitness[mother] != INFEASIBLE and fitness[father] != INFEASIBLE
            for offspring in range(2):
                if by_peak and np.random.random() < PEAK_CROSSOVER_RATE:
                    end = makespan_of(arrays, starts[mother])
                    length = np.random.randint(max(1, end // 10), max(2, end // 2))
                    child = peak_crossover(arrays, starts[mother], lists[father], length)
                else:
                    child = crossover(lists[mother], lists[father], first_cut, second_cut)
                mutate(arrays, child, mutation_rate)
                improved, value = improved_schedule(arrays, child, tardiness_first)
                built += 3
                slot = pair + offspring
                child_starts[slot] = improved
                child_fitness[slot] = value
                child_lists[slot] = order_by_start(arrays, improved) if value != INFEASIBLE else child
                mother, father = father, mother
        if members % 2:
            child_lists[members - 1] = lists[pairing[members - 1]]
            child_starts[members - 1] = starts[pairing[members - 1]]
            child_fitness[members - 1] = fitness[pairing[members - 1]]
        keep_best(lists, starts, fitness, child_lists, child_starts, child_fitness)
    return built


@njit(cache=True, nogil=True)
def keep_best(
    lists: np.ndarray,
    starts: np.ndarray,
    fitness: np.ndarray,
    child_lists: np.ndarray,
    child_starts: np.ndarray,
    child_fitness: np.ndarray,
) -> None:
    """The best of parents and children survive, one copy of each schedule where possible."""
    members = fitness.shape[0]
    all_lists = np.concatenate((lists, child_lists))
    all_starts = np.concatenate((starts, child_starts))
    all_fitness = np.concatenate((fitness, child_fitness))
    order = np.argsort(all_fitness, kind="mergesort")
    chosen = np.empty(members, dtype=np.int64)
    count = 0
    for candidate in order:
        if count == members:
            break
        duplicate = False
        for kept in range(count):
            other = chosen[kept]
            if all_fitness[other] == all_fitness[candidate] and np.array_equal(
                all_starts[other], all_starts[candidate]
            ):
                duplicate = True
                break
        if not duplicate:
            chosen[count] = candidate
            count += 1
    for candidate in order:  # too few distinct schedules: fill with repeats
        if count == members:
            break
        chosen[count] = candidate
        count += 1
    for slot in range(members):
        lists[slot] = all_lists[chosen[slot]]
        starts[slot] = all_starts[chosen[slot]]
        fitness[slot] = all_fitness[chosen[slot]]


# The urgency search's kernels (urgency_search.py): a local search over one number per
# deadline item, its urgency. Every item takes the smallest urgency at or after it along
# its successors, so a predecessor never comes after its successor, and the activity
# list is the items by that key, ties in topological order.

NO_URGENCY = np.inf


@njit(cache=True, nogil=True)
def decode_urgencies(
    arrays: SgsArrays, topological: np.ndarray, urgency: np.ndarray, keys: np.ndarray, starts: np.ndarray
) -> bool:
    """The schedule of the list the urgencies give, into `starts` (`keys` is scratch space)."""
    size = topological.shape[0]
    for position in range(size - 1, -1, -1):
        item = topological[position]
        key = urgency[item]
        for entry in range(arrays.successor_pointers[item], arrays.successor_pointers[item + 1]):
            successor_key = keys[arrays.successor_items[entry]]
            if successor_key < key:
                key = successor_key
        keys[item] = key
    order = topological[np.argsort(keys[topological], kind="mergesort")]
    return forward_schedule(arrays, order, starts)


@njit(cache=True, nogil=True)
def lateness_fitness(arrays: SgsArrays, starts: np.ndarray) -> int:
    """Weighted tardiness, then the number of late items, then makespan, as one number."""
    tardiness = 0
    late = 0
    end = 0
    for item in range(starts.shape[0]):
        finish = starts[item] + arrays.durations[item]
        end = max(end, finish)
        deadline = arrays.deadlines[item]
        if deadline >= 0 and finish > deadline:
            tardiness += arrays.weights[item] * (finish - deadline)
            late += 1
    return (tardiness * (starts.shape[0] + 1) + late) * (arrays.capacity.shape[1] + 1) + end


@njit(cache=True, nogil=True)
def urgency_moves(
    arrays: SgsArrays,
    topological: np.ndarray,
    deadline_items: np.ndarray,
    urgency: np.ndarray,
    starts: np.ndarray,
    moves: int,
    spread: float,
) -> int:
    """Try `moves` changes of the urgencies, keeping each that is no worse; returns the improvements.

    `starts` holds the schedule of `urgency` and is updated with it. A move
    makes a late item more urgent by up to its lateness (it overtakes the
    items due in between), makes a random one less urgent (its slack goes to
    others), or swaps the urgencies of a late item and a random one.
    Equal schedules are accepted too: moves along a plateau.
    """
    size = topological.shape[0]
    count = deadline_items.shape[0]
    keys = np.empty(size, dtype=np.float64)
    trial = np.empty(size, dtype=np.int64)
    late = np.empty(count, dtype=np.int64)
    best = lateness_fitness(arrays, starts)
    improvements = 0
    for _ in range(moves):
        late_count = 0
        for position in range(count):
            item = deadline_items[position]
            if starts[item] + arrays.durations[item] > arrays.deadlines[item]:
                late[late_count] = item
                late_count += 1
        first = deadline_items[np.random.randint(count)]
        second = -1
        old_first = urgency[first]
        old_second = 0.0
        choice = np.random.random()
        if choice < 0.5 and late_count > 0:
            first = late[np.random.randint(late_count)]
            old_first = urgency[first]
            lateness = starts[first] + arrays.durations[first] - arrays.deadlines[first]
            urgency[first] = old_first - np.random.uniform(0.5, lateness + spread)
        elif choice < 0.8 or late_count == 0:
            urgency[first] = old_first + np.random.uniform(0.5, 2.0 * spread)
        else:
            second = late[np.random.randint(late_count)]
            old_second = urgency[second]
            urgency[first], urgency[second] = old_second, old_first
        if decode_urgencies(arrays, topological, urgency, keys, trial):
            value = lateness_fitness(arrays, trial)
            if value <= best:
                improvements += value < best
                best = value
                starts[:] = trial
                continue
        urgency[first] = old_first
        if second >= 0:
            urgency[second] = old_second
    return improvements


@njit(cache=True, nogil=True)
def justified_for_lateness(arrays: SgsArrays, starts: np.ndarray) -> np.ndarray:
    """One round of double justification for lateness, kept only when it lowers `lateness_fitness`.

    The round right-justifies against the deadlines (`right_justified` with
    `keep_deadlines`) and schedules forward again in order of those starts:
    no item starts later than in the right-justified schedule (release dates
    apart), so no system ends later than its deadline allows. The list it
    follows is per item, so its schedules can be ones no urgency list gives.
    The answer is a new array: the round's schedule, or a copy of `starts`.
    The caller repeats rounds while they improve, reading its clock between them.
    """
    backward = np.empty_like(starts)
    forward = np.empty_like(starts)
    if not right_justified(arrays, starts, backward, True):
        return starts.copy()
    if not forward_schedule(arrays, order_by_start(arrays, backward), forward):
        return starts.copy()
    if lateness_fitness(arrays, forward) >= lateness_fitness(arrays, starts):
        return starts.copy()
    return forward
