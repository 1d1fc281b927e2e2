"""No branch in the explorer tests a registry name: what a page, a figure or the browser
needs to know about an activation, a loss, an optimizer, an initialiser or a dataset is a
property of its registry entry (``classifier``, ``elementwise``, ``kink_at_zero``, ...),
read from the entry or sent in the setup message, never ``name == "relu"``.

The names come from core's registries, so a newly registered one is checked too. The
settings table and the registries may spell names (defaults, presets); no file may compare
with them.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS
from core.datasets import DATASETS

ROOT = Path(__file__).resolve().parents[1]
NAMES = frozenset([*ACTIVATIONS, *LOSSES, *OPTIMIZERS, *INITIALIZERS, *DATASETS])


def _names_in(node: ast.AST) -> list[str]:
    """The registry names ``node`` spells: a string constant, or one inside a tuple, list or set."""
    if isinstance(node, ast.Constant) and node.value in NAMES:
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in NAMES]
    return []


def python_name_tests(source: str) -> list[tuple[int, str]]:
    """(line, name) of every comparison with a registry name: ``==``, ``!=``, ``in``, ``not in``,
    ``is`` and ``case`` patterns."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                found += [(node.lineno, n) for n in _names_in(operand)]
        elif isinstance(node, ast.MatchValue):
            found += [(node.lineno, n) for n in _names_in(node.value)]
    return found


_QUOTED = r"""(["'`])({names})\1"""


def js_name_tests(source: str) -> list[tuple[int, str]]:
    """(line, name) of every JS comparison with a quoted registry name: ``===``/``==``/``!==``/``!=``
    on either side, ``case "name":``, and ``[..., "name", ...].indexOf(x)`` / ``.includes(x)``."""
    q = _QUOTED.format(names="|".join(sorted(map(re.escape, NAMES), key=len, reverse=True)))
    patterns = [rf"[=!]==?\s*{q}", rf"{q}\s*[=!]==?", rf"\bcase\s+{q}\s*:",
                rf"\[[^\]\[]*{q}[^\]\[]*\]\s*\.\s*(?:indexOf|includes)\s*\("]
    found = []
    for pattern in patterns:
        for m in re.finditer(pattern, source):
            name = next(g for g in m.groups() if g in NAMES)
            found.append((source.count("\n", 0, m.start()) + 1, name))
    return sorted(found)


def _python_files() -> list[Path]:
    return sorted((ROOT / "explorer").rglob("*.py"))


def _js_files() -> list[Path]:
    """Hand-written JS, and the HTML pages that hold inline scripts (not vendored bundles)."""
    files = [*(ROOT / "explorer").rglob("*.js"), *(ROOT / "explorer").rglob("*.html")]
    return sorted(p for p in files if not p.name.endswith(".min.js"))


def test_the_scan_sees_the_files_and_the_names():
    assert len(_python_files()) > 20 and len(_js_files()) > 5
    assert {"relu", "softmax", "sigmoid", "binary_cross_entropy", "sgd", "xavier"} <= NAMES


def test_no_python_file_compares_with_a_registry_name():
    bad = [f"{p.relative_to(ROOT)}:{line} compares with {name!r}"
           for p in _python_files() for line, name in python_name_tests(p.read_text())]
    assert bad == [], "ask the registry entry for a property instead:\n" + "\n".join(bad)


def test_no_js_compares_with_a_registry_name():
    bad = [f"{p.relative_to(ROOT)}:{line} compares with {name!r}"
           for p in _js_files() for line, name in js_name_tests(p.read_text())]
    assert bad == [], "send the fact in the setup message (setup_message.setup_parts) instead:\n" + "\n".join(bad)


@pytest.mark.parametrize("code", [
    'if layer.activation.name == "{a}":\n    pass',
    'x = 1 if "{a}" != out else 2',
    'ok = any(a in ("{a}", "{b}") for a in acts)',
    'ok = name not in ["{a}"]',
    'match name:\n    case "{a}":\n        pass',
])
def test_the_python_scan_can_fail(code):
    a, b = list(ACTIVATIONS)[:2]
    assert python_name_tests(code.format(a=a, b=b))


@pytest.mark.parametrize("code", [
    'if (act === "{a}") {{}}', "var s = '{a}' !== x;", 'switch (k) {{ case "{a}": break; }}',
    'if (["{a}", "{b}"].indexOf(act) >= 0) {{}}', 'if (act == `{a}`) {{}}',
])
def test_the_js_scan_can_fail(code):
    a, b = list(ACTIVATIONS)[:2]
    assert js_name_tests(code.format(a=a, b=b))


def test_the_scans_leave_spelled_values_alone():
    """A name used as a value (a table's default, a lesson's preset, a dict key) is not a test."""
    a = next(iter(ACTIVATIONS))
    assert python_name_tests(f'layers = [(4, "{a}")]\nlabel = LABELS["{a}"]') == []
    assert js_name_tests(f'var table = {{ {a}: f, "{a}": g }}; call("{a}");') == []
