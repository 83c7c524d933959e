"""The match terms of a directive's covered vendors: the data file's, plus those added in the admin."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from procurement.discovery.matching import Matcher, Term, TermKind
from procurement.inventory.models import Directive, Vendor

TERMS_FILE = Path(__file__).parent / "data" / "match_terms.toml"


@cache
def _data() -> dict:
    with TERMS_FILE.open("rb") as terms_file:
        return tomllib.load(terms_file)


def file_terms(vendor_name: str) -> tuple[list[Term], list[str]]:
    """The data file's terms and ignored phrases for the vendor of that name (none if absent)."""
    for vendor in _data()["vendors"]:
        if vendor["name"].lower() == vendor_name.lower():
            terms = [Term(t["text"], TermKind(t["kind"]), t.get("product", "")) for t in vendor["terms"]]
            return terms, vendor.get("ignore", [])
    return [], []


def covered_vendors(directive: Directive) -> list[Vendor]:
    return list(Vendor.objects.filter(products__directives=directive).distinct())


def matcher_for(directive: Directive, extra: list[str] = ()) -> Matcher:
    """The matcher for `directive`: its vendors' names, the file's and the admin's terms, and `extra`.

    A product's bare name ("Chat Model API") is an ordinary phrase, so products are matched
    only through the terms, which put the vendor's name in front of it.
    """
    terms: list[Term] = []
    ignore: list[str] = []
    for vendor in covered_vendors(directive):
        from_file, ignored = file_terms(vendor.name)
        terms += [Term(vendor.name, TermKind.VENDOR), *from_file]
        ignore += ignored
        for term in vendor.match_terms.select_related("product"):
            terms.append(Term(term.text, TermKind(term.kind), term.product.name if term.product else ""))
    terms += [Term(text, TermKind.VENDOR) for text in extra]
    return Matcher(terms, ignore, _data()["platforms"]["names"], _data()["model_vendors"]["names"])
