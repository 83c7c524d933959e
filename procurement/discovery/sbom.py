"""Reading a software bill of materials (CycloneDX JSON or XML, SPDX JSON) into its components.

Parsed with the maintained libraries (cyclonedx-python-lib, spdx-tools), after checks
that bound what they get: the import's file-size limit, a nesting depth (a JSON or XML
nested a million deep costs parsers their stack), no DTD or entity in XML (defusedxml
refuses them: no billion laughs, no external entity), a number of components, and the
whole parse in inventory's resource-limited child process (guard.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import defusedxml.ElementTree as SafeElementTree
from cyclonedx.model.bom import Bom
from defusedxml import DefusedXmlException
from spdx_tools.spdx.parser.error import SPDXParsingError
from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser

from procurement.core.uploads import size_text, too_large_message
from procurement.inventory.imports import guard
from procurement.inventory.imports.readers import Limits, parse_budget

MAX_DEPTH = 64
MAX_COMPONENTS = 50_000
JSON_STRING = re.compile(rb'"(?:\\.|[^"\\])*"')
JSON_BRACKET = re.compile(rb"[\[\]{}]")


class SbomError(ValueError):
    """The SBOM cannot be read; nothing in it is used."""


@dataclass(frozen=True)
class Component:
    """One component of the bill: what a match looks at, and what the evidence shows."""

    name: str
    version: str = ""
    group: str = ""
    purl: str = ""
    supplier: str = ""

    @property
    def label(self) -> str:
        named = f"{self.group}/{self.name}" if self.group else self.name
        return f"{named} {self.version}".strip()

    @property
    def text(self) -> str:
        """What is matched against the covered vendor's terms."""
        return " ".join(part for part in (self.group, self.name, self.purl, self.supplier) if part)


@dataclass(frozen=True)
class Bill:
    format: str
    components: list[Component]


def read_sbom(filename: str, content: bytes) -> Bill:
    """The bill's components, within the limits; raises SbomError naming what is wrong."""
    limits = Limits.from_settings()
    if len(content) > limits.max_file_bytes:
        raise SbomError(too_large_message(len(content), limits.max_file_bytes))
    if not content.strip():
        raise SbomError("The file is empty.")
    budget = parse_budget()
    try:
        return guard.run_limited(budget, parse_sbom, content)
    except guard.TooSlow:
        raise SbomError(f"The SBOM took too long to read (more than {budget.cpu_seconds} s of CPU).") from None
    except guard.TooHungry:
        raise SbomError(f"The SBOM needs too much memory to read (over {size_text(budget.memory_bytes)}).") from None
    except guard.Crashed:
        raise SbomError("The SBOM could not be read.") from None


def parse_sbom(content: bytes) -> Bill:
    """The parse itself, in the calling process: read_sbom runs it in the limited child."""
    if content.lstrip().startswith(b"<"):
        return _cyclonedx_xml(content)
    check_json_depth(content)
    try:
        document = json.loads(content)
    except (ValueError, RecursionError) as error:
        raise SbomError(f"The SBOM is neither JSON nor XML ({error}).") from None
    if not isinstance(document, dict):
        raise SbomError("The SBOM's JSON is not an object.")
    if document.get("bomFormat") == "CycloneDX":
        return _cyclonedx(lambda: Bom.from_json(document), "CycloneDX JSON")
    if "spdxVersion" in document:
        return _spdx(document)
    raise SbomError("The file is not a CycloneDX or SPDX SBOM (no bomFormat or spdxVersion).")


def check_json_depth(content: bytes) -> None:
    """Refuses JSON nested deeper than MAX_DEPTH, counting brackets outside strings."""
    depth = 0
    for bracket in JSON_BRACKET.findall(JSON_STRING.sub(b'""', content)):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > MAX_DEPTH:
            raise SbomError(f"The SBOM is nested more than {MAX_DEPTH} levels deep; it was not read.")


def _cyclonedx_xml(content: bytes) -> Bill:
    try:
        root = SafeElementTree.fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        raise SbomError("The SBOM declares a DTD or XML entities (a possible XML bomb); it was not read.") from None
    except SafeElementTree.ParseError as error:
        raise SbomError(f"The SBOM is not well-formed XML ({error}).") from None
    _check_xml_depth(root)
    return _cyclonedx(lambda: Bom.from_xml(root), "CycloneDX XML")


def _check_xml_depth(root) -> None:
    frontier = [(root, 1)]
    while frontier:
        element, depth = frontier.pop()
        if depth > MAX_DEPTH:
            raise SbomError(f"The SBOM is nested more than {MAX_DEPTH} levels deep; it was not read.")
        frontier.extend((child, depth + 1) for child in element)


def _cyclonedx(load, format_name: str) -> Bill:
    try:
        bom = load()
    except Exception as error:  # the library raises many kinds for a malformed bill
        raise SbomError(f"The file is not a valid {format_name} SBOM ({type(error).__name__}: {error}).") from None
    components: list[Component] = []
    frontier = list(bom.components)
    while frontier:
        component = frontier.pop(0)
        if len(components) >= MAX_COMPONENTS:
            raise SbomError(f"The SBOM lists more than {MAX_COMPONENTS:,} components.")
        supplier = component.supplier.name if component.supplier and component.supplier.name else ""
        components.append(
            Component(
                name=component.name or "",
                version=component.version or "",
                group=component.group or "",
                purl=str(component.purl) if component.purl else "",
                supplier=supplier or component.publisher or "",
            )
        )
        frontier.extend(component.components)
    return Bill(format_name, components)


def _spdx(document: dict) -> Bill:
    try:
        parsed = JsonLikeDictParser().parse(document)
    except SPDXParsingError as error:
        messages = "; ".join(error.get_messages()[:3])
        raise SbomError(f"The file is not a valid SPDX SBOM ({messages}).") from None
    if len(parsed.packages) > MAX_COMPONENTS:
        raise SbomError(f"The SBOM lists more than {MAX_COMPONENTS:,} components.")
    components = [
        Component(
            name=package.name,
            version=package.version or "",
            purl=" ".join(ref.locator for ref in package.external_references if ref.reference_type == "purl"),
            supplier=getattr(package.supplier, "name", "") or "",
        )
        for package in parsed.packages
    ]
    return Bill("SPDX JSON", components)
