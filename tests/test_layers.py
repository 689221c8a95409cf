"""The shape of the code: each module imports only from its own layer or the ones below (the
README's code map), the import graph has no cycle, only cli/ and render/ know Typer and Rich,
and no command pulls in pydantic."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "aes_tracker"

# Lowest first. A module may import from its own layer and those before it. The layers are the
# packages (the README's code map): the domain knows no file, the store no git, the desk no output.
LAYERS: list[set[str]] = [
    {"errors", "i18n"},
    {"domain"},
    {"extract"},
    {"store"},
    {"desk"},
    {"exchange"},
    {"render"},
    {"cli", "__main__"},
]


def _module(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts) or "aes_tracker"


def _imports(path: Path) -> set[str]:
    """The aes_tracker modules and third-party top-level packages a file imports at run time
    (anywhere in it, functions included), leaving out `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                for n in ast.walk(sub):
                    skip.add(id(n))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            if node.module == "aes_tracker":
                out.update(
                    f"aes_tracker.{a.name}"
                    for a in node.names
                    if (SRC / f"{a.name}.py").exists() or (SRC / a.name).is_dir()
                )
    return out


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        mod = _module(path)
        deps = set()
        for imp in _imports(path):
            if imp.startswith("aes_tracker."):
                deps.add(imp.split(".")[1])
        graph[mod] = deps
    return graph


def _layer(name: str) -> int:
    top = name.split(".")[0]
    for i, layer in enumerate(LAYERS):
        if top in layer:
            return i
    if top == "aes_tracker":
        return 0
    raise AssertionError(f"{name} is in no layer of the code map")


def test_every_module_imports_only_downwards() -> None:
    bad = []
    for mod, deps in _graph().items():
        for dep in deps:
            if _layer(dep) > _layer(mod):
                bad.append(f"{mod} imports {dep}")
    assert bad == []


def test_the_import_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for mod, deps in _graph().items():
        graph.setdefault(mod.split(".")[0], set()).update(d for d in deps if d != mod.split(".")[0])
    seen: dict[str, int] = {}

    def visit(n: str, stack: list[str]) -> None:
        if seen.get(n) == 1:
            raise AssertionError("import cycle: " + " → ".join([*stack, n]))
        if seen.get(n) == 2:
            return
        seen[n] = 1
        for d in sorted(graph.get(n, ())):
            visit(d, [*stack, n])
        seen[n] = 2

    for n in sorted(graph):
        visit(n, [])


def test_only_the_edge_knows_the_terminal() -> None:
    for path in SRC.rglob("*.py"):
        mod = _module(path)
        if mod.split(".")[0] in ("cli", "render"):
            continue
        tops = {i.split(".")[0] for i in _imports(path)}
        assert not tops & {"typer", "rich", "click"}, mod


@pytest.mark.parametrize(
    "argv",
    [["list"], ["due"], ["report"], ["show", "inst-annual"], ["done", "sec-targ"], ["--help"]],
)
def test_no_command_imports_pydantic(argv: list[str], datafile: Path) -> None:
    code = (
        "import sys\n"
        "from aes_tracker.cli import app\n"
        "try:\n"
        f"    app({['--file', str(datafile), *argv]!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pydantic' in sys.modules, file=sys.stderr)\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert p.stderr.strip().splitlines()[-1] == "False", p.stderr


# Inside the store, lowest first (the README's code map): files, TOML and the section reader;
# then what is kept beside the data file (cache, journal) and how bytes are put together
# (splice, the conflict blocks); then reading, drafting and writing; `core` names them all.
STORE_LAYERS: list[set[str]] = [
    {"paths", "fileread", "filelock", "fileio", "tomlwrite", "tomlfile", "sections"},
    {"cache", "journal", "splice", "markers"},
    {"view", "layout", "draft", "transaction", "undo", "check", "texts"},
    {"core"},
]


def _store_graph() -> dict[str, set[str]]:
    """Each store module and the store modules it imports at run time (functions included)."""
    graph: dict[str, set[str]] = {}
    for path in sorted((SRC / "store").glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {
            id(n)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for sub in node.body
            for n in ast.walk(sub)
        }
        deps: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skip or not isinstance(node, ast.ImportFrom) or node.level:
                continue
            if node.module == "aes_tracker.store":
                deps.update(a.name for a in node.names)
            elif node.module and node.module.startswith("aes_tracker.store."):
                deps.add(node.module.split(".")[2])
        graph[path.stem] = deps - {path.stem}
    return graph


def _store_layer(name: str) -> int:
    for i, layer in enumerate(STORE_LAYERS):
        if name in layer:
            return i
    raise AssertionError(f"store/{name}.py is in no layer of the store (STORE_LAYERS)")


def test_the_store_imports_only_downwards_inside_and_has_no_cycle() -> None:
    graph = _store_graph()
    bad = [
        f"store/{mod}.py imports store/{dep}.py"
        for mod, deps in graph.items()
        for dep in sorted(deps)
        if _store_layer(dep) > _store_layer(mod)
    ]
    assert bad == []
    state: dict[str, int] = {}

    def visit(n: str, stack: list[str]) -> None:
        if state.get(n) == 1:
            raise AssertionError("import cycle in the store: " + " → ".join([*stack, n]))
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in sorted(graph.get(n, ())):
            visit(d, [*stack, n])
        state[n] = 2

    for n in sorted(graph):
        visit(n, [])


def test_the_store_layer_check_can_fail() -> None:
    """The rule above catches a module that reaches up: the section reader importing the
    transaction would be one."""
    graph = _store_graph()
    graph["sections"] = graph["sections"] | {"transaction"}
    assert any(_store_layer(dep) > _store_layer(mod) for mod, deps in graph.items() for dep in deps)
