"""Strict reading of a parsed TOML document, one table at a time, with the key's path in every error.

`tomllib` gives plain dicts: a misspelt key is just another key and a typo in a choice is
just another string. `Table` checks each value's type as it is read, converts choices
through their enum, and `finish()` rejects the keys nobody read, so each mistake stops the
load with `<file>: <path.to[index].key>: <what is wrong>`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from django.db.models import TextChoices

T = TypeVar("T")
C = TypeVar("C", bound=TextChoices)

REQUIRED: Any = object()  # the default of a key that must be present
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")

KINDS: dict[str, Callable[[object], bool]] = {
    "a string": lambda value: isinstance(value, str),
    "an integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "a number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "true or false": lambda value: isinstance(value, bool),
    "a date": lambda value: isinstance(value, datetime.date) and not isinstance(value, datetime.datetime),
    "a table": lambda value: isinstance(value, dict),
    "a non-empty list": lambda value: isinstance(value, list) and bool(value),
    "an array of tables": lambda value: isinstance(value, list),
}


class DemoDataError(ValueError):
    """The demo data file is wrong; the message says where (`file: path.to.key`) and why."""


def show(value: object) -> str:
    """A value as the file spells it, for messages."""
    return f'"{value}"' if isinstance(value, str) else repr(value)


def one_of(values: Iterable[object]) -> str:
    return ", ".join(str(value) for value in values) or "(none)"


class Table:
    """One TOML table being read: knows its path for messages and which keys were read."""

    def __init__(self, source: str, path: str, values: object) -> None:
        self.source, self.path = source, path
        if not isinstance(values, dict):
            raise self.error(f"expected a table, got {show(values)}")
        self.values: dict[str, object] = values
        self.read: dict[str, None] = {}  # in reading order, which is the schema's order

    # --- Messages ----------------------------------------------------------------------

    def key_path(self, key: str, index: int | None = None) -> str:
        name = key if BARE_KEY.fullmatch(key) else f'"{key}"'
        name += "" if index is None else f"[{index}]"
        return f"{self.path}.{name}" if self.path else name

    def error(self, message: str, key: str | None = None, index: int | None = None) -> DemoDataError:
        where = self.path if key is None else self.key_path(key, index)
        return DemoDataError(f"{self.source}: {where or 'top level'}: {message}")

    # --- Values ------------------------------------------------------------------------

    def value(self, key: str, kind: str, default: Any = REQUIRED) -> Any:
        """The value at `key` checked to be of `kind` (a key of KINDS); `default` if optional and absent."""
        self.read[key] = None
        if key not in self.values:
            if default is REQUIRED:
                raise self.error(f'missing required key "{key}"')
            return default
        value = self.values[key]
        if not KINDS[kind](value):
            raise self.error(f"expected {kind}, got {show(value)}", key)
        return value

    def text(self, key: str, default: str = REQUIRED) -> str:
        return self.value(key, "a string", default)

    def flag(self, key: str, default: bool | None = REQUIRED) -> bool | None:
        return self.value(key, "true or false", default)

    def date(self, key: str) -> datetime.date:
        return self.value(key, "a date")

    def integer(self, key: str, minimum: int = 0) -> int:
        value = self.value(key, "an integer")
        if value < minimum:
            raise self.error(f"expected an integer of at least {minimum}, got {value}", key)
        return value

    def share(self, key: str) -> float:
        """A probability, compared with `random()`: between 0 and 1."""
        value = self.value(key, "a number")
        if not 0 <= value <= 1:
            raise self.error(f"expected a share between 0 and 1, got {value}", key)
        return value

    def integer_range(self, key: str) -> tuple[int, int]:
        return self._range(key, "an integer")

    def number_range(self, key: str) -> tuple[float, float]:
        return self._range(key, "a number")

    def _range(self, key: str, kind: str) -> tuple[Any, Any]:
        bounds = self.value(key, "a non-empty list")
        if len(bounds) != 2 or not all(KINDS[kind](bound) for bound in bounds) or bounds[0] > bounds[1]:
            raise self.error(f"expected [low, high], each {kind}, low <= high; got {show(bounds)}", key)
        return bounds[0], bounds[1]

    def texts(self, key: str) -> tuple[str, ...]:
        items = self.value(key, "a non-empty list")
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise self.error(f"expected a string, got {show(item)}", key, index)
        return tuple(items)

    def template(self, key: str, **sample: object) -> str:
        """A `str.format` template, tried on sample values so a misspelt field fails here, not mid-load."""
        text = self.text(key)
        try:
            text.format(**sample)
        except (KeyError, IndexError, ValueError) as error:
            fields = one_of("{" + name + "}" for name in sample)
            raise self.error(f"{show(text)} is not a valid template ({error!r}); it may use {fields}", key) from None
        return text

    # --- Choices -----------------------------------------------------------------------

    def choice(self, key: str, choices: type[C], default: str = REQUIRED) -> C | str:
        """The enum member for the value at `key`; `default` (e.g. "" for any) if optional and absent."""
        value = self.text(key, default)
        if key not in self.values:
            return value
        return self.to_choice(value, choices, key)

    def choices(self, key: str, choices: type[C]) -> tuple[C, ...]:
        return tuple(self.to_choice(item, choices, key, index) for index, item in enumerate(self.texts(key)))

    def to_choice(self, value: str, choices: type[C], key: str, index: int | None = None) -> C:
        if value not in choices.values:
            raise self.error(f"{show(value)} is not one of {one_of(choices.values)}", key, index)
        return choices(value)

    # --- Tables ------------------------------------------------------------------------

    def table(self, key: str, read: Callable[[Table], T]) -> T:
        return self._child(self.key_path(key), self.value(key, "a table"), read)

    def tables(self, key: str, read: Callable[[Table], T]) -> tuple[T, ...]:
        """An array of tables (`[[key]]`), each read by `read`."""
        items = self.value(key, "an array of tables")
        return tuple(self._child(self.key_path(key, index), item, read) for index, item in enumerate(items))

    def mapping(
        self, key: str, read_value: Callable[[Table, str], T], choices: type[TextChoices] | None = None
    ) -> Mapping[str, T]:
        """A table whose keys are data (enum values if `choices` is given), in file order, read-only."""

        def read(table: Table) -> Mapping[str, T]:
            return MappingProxyType({table.to_key(name, choices): read_value(table, name) for name in table.values})

        return self.table(key, read)

    def to_key(self, name: str, choices: type[TextChoices] | None) -> str:
        if choices is None:
            return name
        if name not in choices.values:
            raise self.error(f'key "{name}" is not one of {one_of(choices.values)}')
        return choices(name)

    def _child(self, path: str, values: object, read: Callable[[Table], T]) -> T:
        child = Table(self.source, path, values)
        result = read(child)
        child.finish()
        return result

    def finish(self) -> None:
        """Rejects keys nobody read: a misspelt optional key would otherwise be ignored."""
        unknown = [key for key in self.values if key not in self.read]
        if unknown:
            raise self.error(f'unknown key "{unknown[0]}" (known keys: {one_of(self.read)})')
