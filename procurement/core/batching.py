"""Splitting long `IN (...)` lists: SQLite refuses more bound parameters than its limit."""

from collections.abc import Iterator, Sequence

IN_CLAUSE_SIZE = 900


def in_chunks(items: Sequence, size: int = IN_CLAUSE_SIZE) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
