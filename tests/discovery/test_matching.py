"""Matching rules, without a database: word-aware, case-insensitive, plurals and punctuation, kinds."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurement.discovery.matching import Matcher, ProposedKind, Term, TermKind, excerpt, segments
from procurement.discovery.terms import _data, file_terms


@pytest.fixture(scope="module")
def matcher():
    terms, ignore = file_terms("Covered AI Inc.")
    return Matcher([Term("Covered AI Inc."), *terms], ignore, _data()["platforms"]["names"],
                   _data()["model_vendors"]["names"])  # fmt: skip


@pytest.mark.parametrize(
    "text, found",
    [
        ("Calls the Covered AI API", "Covered AI"),
        ("calls the covered ai api", "covered ai"),
        ("COVERED AI INC. licence", "COVERED AI INC"),
        ("Covered-AI chat", "Covered-AI"),
        ("Covered_AI chat", "Covered_AI"),
        ("CoveredAI chat", "CoveredAI"),
        ("Covered AI's model", "Covered AI's"),
        ("Covered AI’s model", "Covered AI’s"),
        ("two Covered Chats", "Covered Chats"),
        ("(Covered AI)", "Covered AI"),
        ("model covered-chat-3-mini.", "covered-chat-3-mini"),
        ("host api.coveredai.example:443", "api.coveredai.example"),
        ("pip install coveredai-sdk==1.2", "coveredai-sdk"),
    ],
)
def test_finds_the_vendor_however_it_is_written(matcher, text, found):
    assert [hit.text for hit in matcher.find(text)][:1] == [found]


@pytest.mark.parametrize(
    "text",
    [
        "uncovered aid payments",
        "discovered AI artifacts",
        "recovered aircraft",
        "drones survey covered airfields",
        "covered aisles",
        "This is a covered AI use case under M-25-21.",
        "Covered AI systems must complete risk practices.",
        "not a covered AI application",
        "Coverage AI scores gaps",
    ],
)
def test_never_matches_inside_another_word_or_a_phrase_to_ignore(matcher, text):
    assert matcher.find(text) == []


WORD_CHARACTERS = st.sampled_from(string.ascii_letters + string.digits)


@given(
    before=WORD_CHARACTERS, after=WORD_CHARACTERS, term=st.sampled_from(["Covered AI", "coveredai-sdk", "Covered Chat"])
)
def test_a_letter_or_digit_on_either_side_prevents_a_match(matcher, before, after, term):
    if after in "sS":
        after = "x"  # a plural ending is allowed on purpose
    assert matcher.find(f"x {before}{term} y") == []
    # "coveredai-sdkz" still holds "coveredai" (a hyphen separates words); no hit may end where the letter is glued.
    glued = f"x {term}{after}z y"
    assert all(hit.end != len(f"x {term}") for hit in matcher.find(glued))


@given(text=st.text(max_size=200))
def test_every_hit_stands_alone(matcher, text):
    """Property: whatever the text, a hit never touches a letter or digit on its left, nor on its right."""
    for hit in matcher.find(text):
        assert hit.start == 0 or not text[hit.start - 1].isalnum() or text[hit.start - 1] == "_"
        assert hit.end == len(text) or not text[hit.end].isalnum()


def test_proposed_kinds(matcher):
    via_platform = matcher.scan({"Purpose": "covered-chat-3 through Amazon Bedrock"})
    embedded = matcher.scan({"Outputs": "uses Covered AI models inside ClauseCheck"}, vendor_text="Acme Analytics")
    tool = matcher.scan({"Purpose": "developers install coveredai-sdk"})
    direct = matcher.scan({"Vendor": "Covered AI Inc."}, vendor_text="Covered AI Inc.")
    assert direct.kind == ProposedKind.DIRECT_API
    assert via_platform.kind == ProposedKind.CLOUD_PLATFORM
    several = matcher.scan({"Vendor": "Covered AI; OpenAI; Meta"}, vendor_text="Covered AI; OpenAI; Meta")
    assert several.kind == ProposedKind.CLOUD_PLATFORM
    assert embedded.kind == ProposedKind.EMBEDDED and "Acme Analytics" in embedded.reason
    assert tool.kind == ProposedKind.DEVELOPER_TOOL


def test_extra_terms_and_products(matcher):
    extra = Matcher([Term("Anthropic"), Term("Claude", TermKind.PRODUCT, "Chat Model API")])
    found = extra.scan({"Purpose": "Uses Claude via the Anthropic API"})
    assert [hit.text for hit in found.hits] == ["Claude", "Anthropic"]
    assert found.products == {"Chat Model API"}


def test_excerpt_keeps_the_highlight_on_the_matched_words():
    text = "x" * 300 + " Covered AI " + "y" * 300
    start = text.index("Covered")
    shown, spans = excerpt(text, [(start, start + 10)])
    assert len(shown) < 200 and shown.startswith("…") and shown.endswith("…")
    marked = [piece for piece, is_match in segments(shown, spans) if is_match]
    assert marked == ["Covered AI"]
