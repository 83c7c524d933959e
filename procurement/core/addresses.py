"""Many objects' addresses from one `reverse`: a page or an email names hundreds of them.

`reverse` resolves the URL pattern each time it is called, which for a list's rows or a
digest's notices was a large part of their cost.
"""

from collections.abc import Callable

from django.urls import reverse

# Reversed in place of the id once, then replaced by each object's id or token. Any value the
# pattern accepts would do, if no other part of the address holds it (the split would fail).
PLACEHOLDER = "2147483647"


def address_for_each(url_name: str) -> Callable[[object], str]:
    """A function giving `url_name`'s address for one id or token, reversing the name only now.

    The key goes in as it is: ids, and signed tokens, whose characters need no quoting.
    """
    start, end = reverse(url_name, args=[PLACEHOLDER]).split(PLACEHOLDER)
    return lambda key: f"{start}{key}{end}"
