"""The test suite's own promises: no test module reads the environment when imported, and whatever code
under test writes to "the temp dir" lands under pytest's temp dir."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def _module_level_env_reads(path: Path) -> list[str]:
    """`os.environ` / `os.getenv` used outside any function body (i.e. at import time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def walk(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if not inside and isinstance(child, ast.Attribute) and child.attr in ("environ", "getenv", "environb"):
                found.append(f"{path.name}:{child.lineno}")
            # decorators are evaluated at import time even though they sit on a function
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in child.decorator_list:
                    walk(ast.Expression(dec), False)
            walk(child, inside)

    walk(tree, False)
    return found


@pytest.mark.parametrize("path", sorted(TESTS.glob("*.py")), ids=lambda p: p.name)
def test_no_test_module_reads_the_environment_at_import(path):
    assert _module_level_env_reads(path) == []


def test_the_check_sees_import_time_reads(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nKEY = os.environ.get('OPENAI_API_KEY')\n"
                   "@pytest.mark.skipif(not os.getenv('X'), reason='')\ndef test_x():\n    os.environ['Y']\n")
    assert _module_level_env_reads(bad) == ["bad.py:2", "bad.py:3"]


def test_temp_files_go_under_pytests_temp_dir(tmp_path_factory):
    base = tmp_path_factory.getbasetemp().resolve()
    assert Path(tempfile.gettempdir()).resolve().is_relative_to(base)
    with tempfile.NamedTemporaryFile() as f:
        assert Path(f.name).resolve().is_relative_to(base)
    assert Path(tempfile.mkdtemp(prefix="interview-qa-export-")).resolve().is_relative_to(base)
