"""Text a spreadsheet would run as a formula, and how exports keep it text (OWASP CSV injection).

Import (`inventory.imports`) removes the prefix again, so a round trip changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_PREFIX = "'"
_NEUTRALISED_STARTS = frozenset((*FORMULA_TRIGGERS, NEUTRALISING_PREFIX))


def neutralise(value: object) -> object:
    """Prefixes text a spreadsheet would treat as a formula.

    Text that already starts with the prefix gets one more, so that import, which
    removes one, gives back exactly what was stored.
    """
    if isinstance(value, str) and value.startswith((*FORMULA_TRIGGERS, NEUTRALISING_PREFIX)):
        return NEUTRALISING_PREFIX + value
    return value


def neutralise_column(values: Sequence[object]) -> Sequence[object]:
    """`neutralise` over a column of values: the exports' hot loop, so it avoids work per value.

    A column of text is first searched as one string for a line starting with a trigger;
    most columns have none and are returned as they are.
    """
    if set(map(type, values)) <= {str} and not _any_starts(_LINE_STARTS, "\n" + "\n".join(values)):
        return values
    prefix, starts = NEUTRALISING_PREFIX, _NEUTRALISED_STARTS
    return [prefix + value if type(value) is str and value and value[0] in starts else value for value in values]


# Every value starts a line of the joined column. A value holding a line break that starts
# with a trigger matches too: then each value is checked on its own, as it would be anyway.
_LINE_STARTS = tuple(f"\n{start}" for start in _NEUTRALISED_STARTS)


def _any_starts(needles: tuple[str, ...], text: str) -> bool:
    return any(needle in text for needle in needles)
