"""The canonical serialisation of a report, its SHA-256, and differences between two.

Canonical: UTF-8 JSON Lines, keys sorted, no spaces, dates as ISO text; the first line
is the report, each following line one system, in FISMA ID order. The same content
always gives the same bytes and so the same hash. Plain code, no database.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

CHUNK_BYTES = 1 << 16


def json_default(value):
    """Dates and amounts as text, in JSON written anywhere from report content."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"Cannot serialise {type(value).__name__}")


def line(record: dict) -> bytes:
    return (
        json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=json_default).encode()
        + b"\n"
    )


@dataclass(frozen=True)
class Frozen:
    compressed: bytes
    sha256: str
    rows: int


def freeze(report: dict, rows: Iterable[dict]) -> Frozen:
    """Compresses the canonical lines as they are produced; memory stays bounded by the output."""
    digest, compressor, parts, count = hashlib.sha256(), zlib.compressobj(6), [], 0
    for record in _records(report, rows):
        data = line(record)
        digest.update(data)
        parts.append(compressor.compress(data))
        count += 1
    parts.append(compressor.flush())
    return Frozen(b"".join(parts), digest.hexdigest(), count - 1)


def _records(report: dict, rows: Iterable[dict]) -> Iterator[dict]:
    yield report
    yield from rows


def lines(compressed: bytes) -> Iterator[bytes]:
    """The canonical lines back, decompressed a piece at a time."""
    decompressor, pending = zlib.decompressobj(), b""
    for start in range(0, len(compressed), CHUNK_BYTES):
        pending += decompressor.decompress(compressed[start : start + CHUNK_BYTES])
        *complete, pending = pending.split(b"\n")
        for data in complete:
            yield data + b"\n"
    pending += decompressor.flush()
    if pending:
        yield pending


def digest(compressed: bytes) -> str:
    hasher = hashlib.sha256()
    for data in lines(compressed):
        hasher.update(data)
    return hasher.hexdigest()


def read(compressed: bytes) -> tuple[dict, Iterator[dict]]:
    """The report record and an iterator over the system records."""
    stream = lines(compressed)
    report = json.loads(next(stream))
    return report, (json.loads(data) for data in stream)


@dataclass(frozen=True)
class Difference:
    """One change between a frozen report and the same report now."""

    key: str  # "report" or a FISMA ID
    field: str
    frozen: object
    now: object


def flatten(record: dict, prefix: str = "") -> dict:
    """Nested figures as dotted names ("by_status.removed"), so each shows as its own difference."""
    flat = {}
    for name, value in record.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def differences(frozen: dict, current: dict, key: str, ignored: frozenset[str] = frozenset()) -> list[Difference]:
    frozen, current = flatten(frozen), flatten(current)
    fields = sorted((frozen.keys() | current.keys()) - ignored)
    return [
        Difference(key, name, frozen.get(name), current.get(name))
        for name in fields
        if frozen.get(name) != current.get(name)
    ]


def row_differences(frozen_rows: Iterable[dict], current_rows: Iterable[dict], key: str) -> list[Difference]:
    """Rows added, removed or changed, both inputs sorted by `key`, walked side by side."""
    found: list[Difference] = []
    frozen_iter, current_iter = iter(frozen_rows), iter(current_rows)
    old, new = next(frozen_iter, None), next(current_iter, None)
    while old is not None or new is not None:
        if new is None or (old is not None and old[key] < new[key]):
            found.append(Difference(old[key], "system", "listed", "no longer listed"))
            old = next(frozen_iter, None)
        elif old is None or new[key] < old[key]:
            found.append(Difference(new[key], "system", "not listed", "listed"))
            new = next(current_iter, None)
        else:
            found.extend(differences(old, new, old[key], frozenset({key})))
            old, new = next(frozen_iter, None), next(current_iter, None)
    return found
