"""Typed readers for settings taken from the environment.

Every reader fails loudly with ImproperlyConfigured naming the variable, so a bad
value stops start-up instead of surfacing later as a confusing runtime error.
"""

import os
from collections.abc import Callable
from typing import TypeVar

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def _read(name: str, default: T, parse: Callable[[str], T]) -> T:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return parse(raw.strip())
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is invalid: {error}") from error


def env_str(name: str, default: str = "") -> str:
    return _read(name, default, str)


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    def parse(raw: str) -> int:
        value = int(raw)
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}")
        return value

    return _read(name, default, parse)


def env_bool(name: str, default: bool) -> bool:
    def parse(raw: str) -> bool:
        word = raw.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError("expected one of 1/0, true/false, yes/no, on/off")

    return _read(name, default, parse)


def env_list(name: str, default: list[str]) -> list[str]:
    return _read(name, default, lambda raw: [item.strip() for item in raw.split(",") if item.strip()])


def env_database(name: str, default_url: str) -> dict:
    def parse(raw: str) -> dict:
        if not raw:
            raise ValueError("is empty")
        try:
            return dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
        except Exception as error:  # dj_database_url raises several unrelated types
            raise ValueError(str(error)) from error

    return _read(name, dj_database_url.parse(default_url), parse)


def env_redis_url(name: str) -> str:
    def parse(raw: str) -> str:
        if raw and not raw.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return raw

    return _read(name, "", parse)
