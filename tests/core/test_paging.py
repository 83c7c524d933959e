"""Page numbers and sizes from the query string are checked before they reach the database."""

from django.core.paginator import Page, Paginator
from hypothesis import given
from hypothesis import strategies as st

from procurement.core.paging import ClampingPaginator

ROWS = list(range(1, 101))  # 100 rows, 25 a page: pages 1 to 4


def shown_page(number) -> int:
    return ClampingPaginator(ROWS, 25).page(number).number


def test_pages_in_range_are_kept():
    assert [shown_page(str(number)) for number in range(1, 5)] == [1, 2, 3, 4]


def test_past_the_end_shows_the_last_page():
    assert shown_page("5") == 4
    assert shown_page("99999999999999999999999") == 4  # overflowed OFFSET before


def test_malformed_or_below_one_shows_the_first_page():
    for number in ("", "abc", "0", "-3", "1.5", "-99999999999999999999999", "9" * 5000):
        assert shown_page(number) == (4 if number == "9" * 5000 else 1), number


def test_an_empty_list_has_one_empty_page():
    assert ClampingPaginator([], 25).page("7").object_list == []


@given(st.text(max_size=40))
def test_any_text_gives_a_real_page(text):
    page = ClampingPaginator(ROWS, 25).page(text)
    assert 1 <= page.number <= 4
    assert list(page.object_list) == list(Paginator(ROWS, 25).page(page.number).object_list)


def capped(rows: int, page, cap: int = 50) -> Page:
    return ClampingPaginator(list(range(rows)), 25, count_cap=cap).page(page)


def test_a_capped_count_says_so_and_keeps_paging_forward():
    page = capped(100, "1")
    assert not page.paginator.count_is_exact
    assert page.paginator.count == 51 and page.has_next()


def test_a_page_beyond_the_cap_counts_exactly():
    page = capped(100, "999")
    assert page.paginator.count_is_exact
    assert page.number == 4 and page.paginator.count == 100


def test_below_the_cap_the_count_is_exact():
    page = capped(30, "1")
    assert page.paginator.count_is_exact and page.paginator.count == 30 and page.paginator.num_pages == 2
