"""SBOMs: CycloneDX JSON and XML, SPDX JSON, read by their libraries within bounds."""

import json

import pytest
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL

from procurement.discovery import services
from procurement.discovery.enums import SourceKind
from procurement.discovery.models import Candidate
from procurement.discovery.sbom import MAX_DEPTH, SbomError, read_sbom
from procurement.inventory.enums import DependencyKind, IdentificationMethod


def cyclonedx(output_format=OutputFormat.JSON) -> bytes:
    bom = Bom()
    bom.components.add(
        Component(name="requests", version="2.32.3", purl=PackageURL("pypi", name="requests", version="2.32.3"))
    )
    bom.components.add(
        Component(name="coveredai-sdk", version="1.4.0", purl=PackageURL("pypi", name="coveredai-sdk", version="1.4.0"))
    )
    bom.components.add(Component(name="discovered-ai-tools", version="0.1"))  # a look-alike
    return make_outputter(bom, output_format, SchemaVersion.V1_5).output_as_string().encode()


def spdx() -> bytes:
    package = {"SPDXID": "SPDXRef-p{}", "downloadLocation": "NOASSERTION"}
    return json.dumps({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "app",
        "documentNamespace": "https://example.gov/spdx/app",
        "creationInfo": {"created": "2026-03-01T00:00:00Z", "creators": ["Tool: syft"]},
        "packages": [
            {**package, "SPDXID": "SPDXRef-p1", "name": "@coveredai/sdk", "versionInfo": "2.0.1",
             "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                               "referenceLocator": "pkg:npm/%40coveredai/sdk@2.0.1"}]},
            {**package, "SPDXID": "SPDXRef-p2", "name": "express", "versionInfo": "4.19.2"},
        ],
    }).encode()  # fmt: skip


@pytest.mark.parametrize(
    "content, format_name, found",
    [
        (lambda: cyclonedx(), "CycloneDX JSON", "coveredai-sdk 1.4.0"),
        (lambda: cyclonedx(OutputFormat.XML), "CycloneDX XML", "coveredai-sdk 1.4.0"),
        (lambda: spdx(), "SPDX JSON", "@coveredai/sdk 2.0.1"),
    ],
)
def test_each_format_flags_the_vendors_package_on_the_system(alice, system_a, covered, content, format_name, found):
    result = services.sbom_scan(user=alice, system=system_a, filename="app.sbom", content=content())
    assert result.rows in (2, 3) and result.candidates == 1
    candidate = Candidate.objects.get()
    assert candidate.source_kind == SourceKind.SBOM and candidate.system == system_a
    assert candidate.title == f"{system_a.name}: {found}" and candidate.field == f"{format_name} component"
    assert candidate.values["version"] == found.split()[-1]
    assert candidate.proposed_kind == DependencyKind.DIRECT_API
    services.candidate_accept(user=alice, candidate=candidate, acceptance=services.Acceptance("direct_api"))
    system_a.refresh_from_db()
    assert system_a.identification_method == IdentificationMethod.CODE_SCAN
    assert [product.name for product in system_a.covered_products.all()] == ["Chat Model API"]
    # The same bill again proposes nothing: the component was decided.
    assert services.sbom_scan(user=alice, system=system_a, filename="app.sbom", content=content()).candidates == 0


def test_entity_expansion_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><bom xmlns="http://cyclonedx.org/schema/bom/1.5">&c;</bom>'
    )
    with pytest.raises(SbomError, match="XML bomb"):
        read_sbom("laughs.xml", laughs)


def test_external_entities_are_refused():
    external = b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]><bom>&x;</bom>'
    with pytest.raises(SbomError, match="XML bomb"):
        read_sbom("xxe.xml", external)


@pytest.mark.parametrize(
    "content",
    [
        b'{"bomFormat": "CycloneDX", "components": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}",
        b"<bom>" + b"<c>" * (MAX_DEPTH + 1) + b"</c>" * (MAX_DEPTH + 1) + b"</bom>",
    ],
)
def test_deep_nesting_is_refused(content):
    with pytest.raises(SbomError, match="nested more than 64 levels"):
        read_sbom("deep.json", content)


def test_brackets_inside_strings_do_not_count_as_depth():
    content = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                          "metadata": {"component": {"type": "application", "name": "[" * 500}}}).encode()  # fmt: skip
    assert read_sbom("ok.json", content).format == "CycloneDX JSON"


def test_size_limit_and_other_files(settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024
    with pytest.raises(SbomError, match="limit is 1 KB"):
        read_sbom("big.json", b" " * 2000)
    settings.IMPORT_MAX_FILE_BYTES = 5_000_000
    with pytest.raises(SbomError, match="not a CycloneDX or SPDX"):
        read_sbom("x.json", b'{"name": "x"}')
    with pytest.raises(SbomError, match="neither JSON nor XML"):
        read_sbom("x.json", b"PK\x03\x04 zip")
    with pytest.raises(SbomError, match="not a valid SPDX"):
        read_sbom("x.json", b'{"spdxVersion": "SPDX-2.3"}')
