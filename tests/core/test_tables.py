"""The project base table's helpers."""

import datetime

import django_tables2.utils

from procurement.core.tables import IsoDateColumn


class Renderer:
    def render_plain(self, value):
        return value

    def render_with_record(self, record, value):
        return record, value


def test_render_signatures_are_kept_per_function_and_binding():
    signature = django_tables2.utils.signature
    assert getattr(signature, "memoised", False)
    first, second = Renderer(), Renderer()
    assert signature(first.render_plain) == (("value",), None)
    assert signature(second.render_with_record) == (("record", "value"), None)
    assert signature(Renderer.render_plain) == (("self", "value"), None)  # unbound keeps self
    assert signature(first.render_plain) == (("value",), None)


def test_iso_date_column_renders_text_and_exports_the_date():
    column, day = IsoDateColumn(), datetime.date(2026, 8, 27)
    assert column.render(day) == "2026-08-27"
    assert column.value(day) == day
