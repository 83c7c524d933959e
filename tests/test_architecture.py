"""The architecture holds: apps depend one way, the engine is Django-free, no import circles.

The rules live in `.importlinter` (also run by `make lint`). These tests run them on
the real tree, and on copies with one rule broken on purpose, so a contract that
could never fail would show here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120, check=False
    )


def copy_of_the_tree(tmp_path: Path) -> Path:
    for package in ("procurement", "planner"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    return tmp_path


def add_import(module: Path, statement: str) -> None:
    """Appends an import inside a function, where circles used to hide."""
    module.write_text(module.read_text() + f"\n\ndef _broken_on_purpose():\n    {statement}\n")


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "complaint"),
    [
        (
            "procurement/inventory/selectors.py",
            "from planner import engine",
            "procurement.inventory is not allowed to import planner",
        ),
        ("procurement/core/views.py", "from procurement.inventory import models", "procurement.core is not allowed"),
        ("planner/engine/solve.py", "import django", "planner.engine is not allowed to import django"),
        ("procurement/inventory/access.py", "from procurement.inventory import models", "No cycles are allowed"),
        ("procurement/inventory/services.py", "from procurement import settings", "procurement.settings"),
    ],
)
def test_a_broken_rule_is_reported(tmp_path, module, statement, complaint):
    tree = copy_of_the_tree(tmp_path)
    add_import(tree / module, statement)
    result = lint_imports(tree)
    assert result.returncode != 0
    assert complaint in result.stdout, result.stdout
