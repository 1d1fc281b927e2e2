"""The house's rules, read from the source: no import circles (imports inside functions
count), no import back up the rooms, Streamlit only where the page is drawn, and no
hand-written JS module over 300 lines."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each room imports only from itself and the rooms after it (README, "Architecture").
ROOMS = ["explorer.pages", "explorer.live", "explorer.rooms", "explorer.training", "explorer.choices", "explorer.figures", "core"]
NO_STREAMLIT = ["core", "explorer.rooms", "explorer.choices", "explorer.training", "explorer.figures"]
JS_MAX_LINES = 300


def modules() -> dict[str, Path]:
    found = {}
    for p in sorted([*(ROOT / "core").rglob("*.py"), *(ROOT / "explorer").rglob("*.py")]):
        parts = list(p.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = p
    return found


MODULES = modules()


def imports(module: str, path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (top level or in a function)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in MODULES else base)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


IMPORTS = {m: imports(m, p) for m, p in MODULES.items()}
EDGES = {m: {i for i in IMPORTS[m] if i in MODULES and i != m} for m in MODULES}


def room(module: str) -> int | None:
    for rank, name in enumerate(ROOMS):
        if module == name or module.startswith(name + "."):
            return rank
    return None


def test_the_rooms_cover_every_module():
    assert [m for m in MODULES if room(m) is None and m != "explorer"] == []


def test_no_import_circle():
    state: dict[str, int] = {}          # 1 on the path, 2 done
    path: list[str] = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for n in sorted(EDGES[m]):
            if state.get(n) == 1:
                raise AssertionError("import circle: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n)
        path.pop()
        state[m] = 2

    for m in sorted(MODULES):
        if m not in state:
            visit(m)


def test_no_import_back_up_the_rooms():
    upward = [f"{m} -> {n}" for m, targets in EDGES.items() for n in targets
              if room(m) is not None and room(n) is not None and room(n) < room(m)]
    assert upward == []


@pytest.mark.parametrize("name", NO_STREAMLIT)
def test_streamlit_only_where_the_page_is_drawn(name):
    bad = [m for m in MODULES if room(m) == room(name) and any(i.split(".")[0] == "streamlit" for i in IMPORTS[m])]
    assert bad == []


def test_the_engine_never_imports_the_ui():
    bad = [f"{m} -> {i}" for m in MODULES if m.startswith("core") for i in IMPORTS[m]
           if i.split(".")[0] in ("explorer", "streamlit", "plotly")]
    assert bad == []


def test_hand_written_js_modules_are_small():
    js = [p for p in (ROOT / "explorer").rglob("*.js") if not p.name.endswith(".min.js")]
    assert js, "no JS found: the test looks in the wrong place"
    big = {p.name: n for p in js if (n := len(p.read_text().splitlines())) > JS_MAX_LINES}
    assert big == {}


def test_the_rules_can_fail():
    """The checks above see a circle and an upward import when there is one."""
    saved = {m: set(t) for m, t in EDGES.items()}
    try:
        EDGES["core.network"].add("explorer.pages.main")
        EDGES["explorer.pages.main"].add("core.network")
        with pytest.raises(AssertionError, match="import circle"):
            test_no_import_circle()
        with pytest.raises(AssertionError):
            test_no_import_back_up_the_rooms()
    finally:
        EDGES.clear()
        EDGES.update(saved)
