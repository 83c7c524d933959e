"""`manage.py discover`: reads a file as the upload does and prints one JSON line."""

import json

import pytest
from django.core.management import CommandError, call_command

from procurement.discovery.models import Candidate
from tests.discovery.conftest import M_25_21_HEADERS, M_25_21_ROWS, csv_bytes


@pytest.fixture
def inventory_path(tmp_path):
    path = tmp_path / "inventory.csv"
    path.write_bytes(csv_bytes(M_25_21_HEADERS, M_25_21_ROWS))
    return path


def discover(capsys, *args) -> dict:
    call_command("discover", *args)
    return json.loads(capsys.readouterr().out)


def test_prints_the_summary_and_proposes(capsys, agency_a, covered, inventory_path):
    summary = discover(capsys, "--agency", "treas", "--file", str(inventory_path), "--preset", "ai-use-case-inventory")
    assert summary["rows"] == 5 and summary["candidates"] == 3 and summary["problems"] == 0
    assert summary["by_kind"] == {"cloud_platform": 1, "direct_api": 1, "embedded": 1}
    assert summary["encoding"] == "UTF-8" and summary["seconds"] >= 0
    assert Candidate.objects.filter(status="proposed").count() == 3


def test_extra_match_terms_and_dry_run(capsys, agency_a, covered, inventory_path):
    args = ["--agency", "TREAS", "--file", str(inventory_path), "--match", "OpenAI", "--dry-run"]
    assert discover(capsys, *args)["candidates"] == 4
    assert not Candidate.objects.exists()


def test_unknown_agency_or_mapping(agency_a, covered, inventory_path):
    with pytest.raises(CommandError, match="No agency"):
        call_command("discover", "--agency", "NOPE", "--file", str(inventory_path))
    with pytest.raises(CommandError, match="no saved mapping"):
        call_command("discover", "--agency", "TREAS", "--file", str(inventory_path), "--mapping", "Nope")
