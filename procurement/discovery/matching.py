"""Finding the covered vendor's names in free text, and the dependency kind a finding suggests.

Plain rules with no database (like inventory/deadlines.py): terms come in as data
(terms.py reads them), text comes in as strings, findings go out. Matching is
case-insensitive and word-aware: a term never matches inside another word ("Covered AI"
is not found in "uncovered aid"), the separators inside a term (space, hyphen, dot,
underscore, slash, colon) match any of them or none, and a plural or possessive ending
("Covered AI's", "Covered Chats") still matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

SEPARATORS = r"[\s\-_./:@]+"
BETWEEN_TOKENS = r"[\s\-_./:]*"
# Not preceded or followed by a letter or digit (an underscore or punctuation is a boundary).
BEFORE = r"(?<![^\W_])"
AFTER = r"(?:['’]s|s|es)?(?![^\W_])"
# A vendor cell that names no vendor at all.
NO_VENDOR = {
    "",
    "n/a",
    "na",
    "none",
    "not applicable",
    "in-house",
    "in house",
    "developed in-house",
    "government",
    "tbd",
}
EXCERPT_CHARS = 160
# Words too common in system descriptions to pick out the few texts worth a regular expression.
EVERYDAY_WORDS = {"assistant", "enterprise", "embeddings", "coding", "model", "chat", "code", "python", "example"}


class TermKind(StrEnum):
    VENDOR = "vendor"
    PRODUCT = "product"
    MODEL = "model"
    API_HOST = "api_host"
    SDK_PACKAGE = "sdk_package"


class ProposedKind(StrEnum):
    """The dependency kinds discovery proposes: codes of inventory's DependencyKind."""

    DIRECT_API = "direct_api"
    CLOUD_PLATFORM = "cloud_platform"
    EMBEDDED = "embedded"
    DEVELOPER_TOOL = "developer_tool"


@dataclass(frozen=True)
class Term:
    """One way the covered vendor appears in text; `product` names the covered product it means."""

    text: str
    kind: TermKind = TermKind.VENDOR
    product: str = ""


@dataclass(frozen=True)
class Hit:
    """A term found in one field of a row: where (`field`, `start`, `end`) and what."""

    field: str
    start: int
    end: int
    text: str
    term: Term


@dataclass(frozen=True)
class Finding:
    """A row that names the covered vendor: every hit, and the dependency kind they suggest."""

    hits: tuple[Hit, ...]
    kind: ProposedKind
    reason: str

    @property
    def first(self) -> Hit:
        return self.hits[0]

    @property
    def products(self) -> set[str]:
        return {hit.term.product for hit in self.hits if hit.term.product}


def term_pattern(text: str) -> str:
    """The regular expression for one term, without its boundaries."""
    tokens = [re.escape(token) for token in re.split(SEPARATORS, text.strip()) if token]
    if not tokens:
        raise ValueError("A match term needs at least one letter or digit.")
    return BETWEEN_TOKENS.join(tokens)


class PhraseSet:
    """Phrases found word-aware and case-insensitively; each match says which phrase it was."""

    def __init__(self, phrases: Iterable[str]):
        self.phrases = sorted({phrase.strip() for phrase in phrases if phrase.strip()}, key=len, reverse=True)
        alternatives = [f"(?P<p{index}>{term_pattern(phrase)})" for index, phrase in enumerate(self.phrases)]
        self.pattern = re.compile(f"{BEFORE}(?:{'|'.join(alternatives) or '(?!)'}){AFTER}", re.IGNORECASE)
        # The longest token of each phrase must be in a text for any phrase to match:
        # a plain substring test skips most texts at C speed.
        self.anchors = {_anchor(phrase) for phrase in self.phrases}

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def might_match(self, text: str) -> bool:
        """False when no phrase can be in `text` (a substring test: cheap enough for a whole row)."""
        lowered = text.lower()
        return any(anchor in lowered for anchor in self.anchors)

    def finditer(self, text: str) -> Iterable[tuple[int, int, str]]:
        """(start, end, phrase) of every match, left to right."""
        if not self.might_match(text):
            return
        for match in self.pattern.finditer(text):
            yield match.start(), match.end(), self.phrases[int(match.lastgroup[1:])]

    def search(self, text: str) -> bool:
        """Whether any phrase may be in `text` (a phrase to ignore is not told apart here)."""
        return self.might_match(text) and self.pattern.search(text) is not None

    def names_any(self, text: str) -> bool:
        return next(iter(self.finditer(text)), None) is not None


def _anchor(phrase: str) -> str:
    """The token of `phrase` every match must contain: its longest, unless that is an everyday word."""
    tokens = sorted((token for token in re.split(SEPARATORS, phrase.lower()) if token), key=len, reverse=True)
    distinctive = [token for token in tokens if token not in EVERYDAY_WORDS]
    return (distinctive or tokens)[0]


class Matcher:
    """The covered vendor's terms, the phrases to ignore, and the words that suggest a kind."""

    def __init__(
        self,
        terms: Iterable[Term],
        ignore: Iterable[str] = (),
        platforms: Iterable[str] = (),
        model_vendors: Iterable[str] = (),
    ):
        by_text: dict[str, Term] = {}
        for term in terms:
            by_text.setdefault(term.text.strip(), term)
        self.terms = PhraseSet(by_text)
        self.term_for = {text: term for text, term in by_text.items()}
        self.ignore = PhraseSet(ignore)
        self.platforms = PhraseSet(platforms)
        self.model_vendors = PhraseSet(model_vendors)

    def might_match(self, text: str) -> bool:
        return self.terms.might_match(text)

    def find(self, text: str, field: str = "") -> list[Hit]:
        """Every term in `text`, except inside a phrase to ignore."""
        if not text:
            return []
        ignored = [(start, end) for start, end, _ in self.ignore.finditer(text)] if self.ignore else []
        hits = []
        for start, end, phrase in self.terms.finditer(text):
            if any(low <= start and end <= high for low, high in ignored):
                continue
            hits.append(Hit(field, start, end, text[start:end], self.term_for[phrase]))
        return hits

    def scan(self, fields: Mapping[str, str], vendor_text: str = "") -> Finding | None:
        """A row (field name → text) that names the covered vendor, or None.

        `vendor_text` is what the row's vendor column says (one of `fields` too), which
        decides the proposed kind first.
        """
        if not self.terms.search("\n".join(fields.values())):
            return None  # most rows: one search of the whole row, not one per field
        hits = tuple(hit for name, text in fields.items() for hit in self.find(text, name))
        if not hits:
            return None
        kind, reason = self.propose_kind(hits, vendor_text, " \n".join(fields.values()))
        return Finding(hits=hits, kind=kind, reason=reason)

    def propose_kind(self, hits: tuple[Hit, ...], vendor_text: str, all_text: str) -> tuple[ProposedKind, str]:
        """Named vendor → direct; a platform or several model vendors → via platform; another's product → embedded."""
        if _names_a_vendor(vendor_text):
            return self._kind_from_vendor_cell(vendor_text)
        if self.platforms.names_any(all_text):
            return ProposedKind.CLOUD_PLATFORM, "The text names a cloud or multi-model platform."
        if self.model_vendors.names_any(all_text):
            return ProposedKind.CLOUD_PLATFORM, "The text names several model vendors."
        if all(hit.term.kind == TermKind.SDK_PACKAGE for hit in hits) or _is_coding_tool(hits):
            return ProposedKind.DEVELOPER_TOOL, "The text names the vendor's SDK or coding assistant."
        return ProposedKind.DIRECT_API, "The text names the covered vendor."

    def _kind_from_vendor_cell(self, vendor_text: str) -> tuple[ProposedKind, str]:
        names_covered = bool(self.find(vendor_text))
        if self.platforms.names_any(vendor_text):
            return ProposedKind.CLOUD_PLATFORM, f"The vendor column names a cloud platform: “{vendor_text}”."
        if names_covered and self.model_vendors.names_any(vendor_text):
            return ProposedKind.CLOUD_PLATFORM, f"The vendor column names several model vendors: “{vendor_text}”."
        if names_covered:
            return ProposedKind.DIRECT_API, "The vendor column names the covered vendor."
        return (
            ProposedKind.EMBEDDED,
            f"Another vendor's product (“{vendor_text}”) whose description names the covered vendor.",
        )


def _names_a_vendor(text: str) -> bool:
    return text.strip().lower() not in NO_VENDOR


def _is_coding_tool(hits: tuple[Hit, ...]) -> bool:
    return all(hit.term.product == "Coding Assistant" for hit in hits)


def excerpt(text: str, spans: list[tuple[int, int]], width: int = EXCERPT_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """A window of `text` around its first span, with every span inside it moved to the window."""
    if len(text) <= width or not spans:
        return text[: max(width, len(text))], spans
    first_start = spans[0][0]
    start = max(0, min(first_start - width // 3, len(text) - width))
    window = text[start : start + width]
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(text) else ""
    shift = len(prefix) - start
    moved = [(low + shift, high + shift) for low, high in spans if low >= start and high <= start + width]
    return f"{prefix}{window}{suffix}", moved


def segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_match) pieces, for a template to mark the matches."""
    pieces, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            continue
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces
