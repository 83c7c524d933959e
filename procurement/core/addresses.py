"""Addresses from fewer `reverse` calls: many objects' from one, and fixed ones once a process.

`reverse` resolves the URL pattern each time it is called, which for a list's rows or a
digest's notices was a large part of their cost, and for the header's eleven links 0.35 ms
of every page.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Reversed in place of the id once, then replaced by each object's id or token. Any value the
# pattern accepts would do, if no other part of the address holds it (the split would fail).
PLACEHOLDER = "2147483647"


def address_for_each(url_name: str) -> Callable[[object], str]:
    """A function giving `url_name`'s address for one id or token, reversing the name only now.

    The key goes in as it is: ids, and signed tokens, whose characters need no quoting.
    """
    start, end = reverse(url_name, args=[PLACEHOLDER]).split(PLACEHOLDER)
    return lambda key: f"{start}{key}{end}"


def fixed_address(url_name: str) -> str:
    """`url_name`'s address, for a name that takes no arguments: reversed once a process.

    For links every page shows (the header's), where `reverse` cost more than the rest of
    the link. Kept per script prefix and URL configuration, as `reverse` would read them.
    """
    return _reversed(url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=256)
def _reversed(url_name: str, script_prefix: str, urlconf: str) -> str:
    # The script prefix is the calling thread's own, which `reverse` reads: it is in the key only.
    return reverse(url_name, urlconf=urlconf)
