"""List paging that a hostile or stale page number cannot break, with a count that stays cheap."""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Longest page number worth reading: more digits than any real list has pages. Longer
# text is not converted at all (int() of a huge string costs time of its own).
MAX_PAGE_DIGITS = 9


class ClampingPaginator(Paginator):
    """A counting paginator whose out-of-range or malformed page numbers show a real page.

    `?page=0`, `?page=abc` and `?page=99999999999999999999999` give the first or the
    last page instead of an error (or, before this, an integer overflow in OFFSET).

    With `count_cap`, rows are counted only up to the cap (COUNT over a LIMIT, about a
    millisecond where counting 100,000 rows takes ten): the page then says "more than
    10,000". Asking for a page beyond the cap counts exactly, so the last page is found.
    """

    def __init__(
        self,
        object_list,
        per_page,
        *args,
        count_cap: int | None = None,
        counted=None,
        counter: Callable[[], int] | None = None,
        **kwargs,
    ):
        """`counted` is what to count when it is not `object_list` itself (a table's queryset);
        `counter`, when given, gives the exact count instead (a list's cached count)."""
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_cap = None if counter is not None else count_cap
        self.counted = object_list if counted is None else counted
        self.counter = counter

    @cached_property
    def count(self) -> int:
        if self.counter is not None:
            return self.counter()
        if isinstance(self.counted, QuerySet):
            limited = self.counted if self.count_cap is None else self.counted[: self.count_cap + 1]
            return limited.count()
        return len(self.counted if self.count_cap is None else self.counted[: self.count_cap + 1])

    @property
    def count_is_exact(self) -> bool:
        return self.count_cap is None or self.count <= self.count_cap

    def page(self, number) -> Page:
        return super().page(self.nearest_page(number))

    def nearest_page(self, number) -> int:
        requested = self._requested_page(number)
        if requested > 1 and not self.count_is_exact and requested * self.per_page > self.count_cap:
            self._count_exactly()
        return max(1, min(requested, self.num_pages))

    def _requested_page(self, number) -> int:
        """The page asked for; malformed text counts as the first page."""
        text = str(number).strip()
        if len(text.lstrip("+-")) > MAX_PAGE_DIGITS:
            return 1 if text.startswith("-") else 2**31
        try:
            return self.validate_number(number)
        except PageNotAnInteger:
            return 1
        except EmptyPage:
            return int(number)

    def _count_exactly(self) -> None:
        self.count_cap = None
        for cached in ("count", "num_pages"):
            self.__dict__.pop(cached, None)
