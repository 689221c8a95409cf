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
# packages (the README's code map): the domain knows no file, the store no git, the desk no output,
# the core API (api/) no rendering: it returns typed results, and the command line hands them to
# render/.
LAYERS: list[set[str]] = [
    {"errors", "i18n"},
    {"domain"},
    {"extract"},
    {"store"},
    {"desk"},
    {"exchange", "importing"},
    {"api"},
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


# What the command line may take from below the API: the registries and value checks of the
# domain (statuses, categories, sort keys, a name's text), and where the data file is and the
# environment (store/paths.py). Everything else it asks of `Tracker` (api/): no domain rule, no
# file access, no store internals in cli/.
CLI_BELOW_API = {
    "aes_tracker.domain.model",
    "aes_tracker.domain.query",
    "aes_tracker.domain.statuses",
    "aes_tracker.domain.text",
    "aes_tracker.store.paths",
}
BELOW_API = {name for layer in LAYERS[1:6] for name in layer}


def _cli_reaches_below_api(path: Path) -> set[str]:
    return {
        imp
        for imp in _imports(path)
        if imp.startswith("aes_tracker.")
        and imp.split(".")[1] in BELOW_API
        and imp not in CLI_BELOW_API
    }


def test_the_command_line_goes_through_the_api() -> None:
    bad = {
        _module(p): sorted(found)
        for p in sorted((SRC / "cli").glob("*.py"))
        if (found := _cli_reaches_below_api(p))
    }
    assert bad == {}


def test_the_api_rule_can_fail(tmp_path: Path) -> None:
    """A command that opened the store itself would be caught."""
    f = tmp_path / "bad.py"
    f.write_text("def f():\n    from aes_tracker.store.core import update\n", encoding="utf-8")
    assert _cli_reaches_below_api(f) == {"aes_tracker.store.core"}


# Every other module takes the environment as a parameter (the store, the desk, render.Output,
# i18n): the process's environment is read by store/paths.py alone (`environment()`).
def test_the_environment_is_read_in_one_module() -> None:
    """`os.environ` and `getenv` in store/paths.py only: everything else is handed the mapping."""
    readers = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "os.environ" in text or "getenv" in text:
            readers.add(_module(path))
    assert readers == {"store.paths"}


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


def _from_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of each absolute `from X import ...` a file runs at run time (functions
    included, `if TYPE_CHECKING:` blocks left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in node.body
        for n in ast.walk(sub)
    }
    return [
        (node.module, [a.name for a in node.names])
        for node in ast.walk(tree)
        if id(node) not in skip
        and isinstance(node, ast.ImportFrom)
        and node.module
        and not node.level
    ]


def _package_graph(package: str) -> dict[str, set[str]]:
    """Each module of a package (`store`, `desk`, `render/charts`) and the modules of that same
    package it imports at run time (functions included)."""
    dotted = "aes_tracker." + package.replace("/", ".")
    graph: dict[str, set[str]] = {}
    for path in sorted((SRC / package).glob("*.py")):
        if path.name == "__init__.py":
            continue
        deps: set[str] = set()
        for module, names in _from_imports(path):
            if module == dotted:
                deps.update(names)
            elif module.startswith(dotted + "."):
                deps.add(module[len(dotted) + 1 :].split(".")[0])
        graph[path.stem] = deps - {path.stem}
    return graph


def _inner_layer(package: str, layers: list[set[str]], name: str) -> int:
    for i, layer in enumerate(layers):
        if name in layer:
            return i
    raise AssertionError(f"{package}/{name}.py is in no layer of {package}/ (test_layers.py)")


def _upward(package: str, layers: list[set[str]], graph: dict[str, set[str]]) -> list[str]:
    """The imports that reach up a package's inner order."""
    return [
        f"{package}/{mod}.py imports {package}/{dep}.py"
        for mod, deps in graph.items()
        for dep in sorted(deps)
        if _inner_layer(package, layers, dep) > _inner_layer(package, layers, mod)
    ]


def _assert_no_cycle(package: str, graph: dict[str, set[str]]) -> None:
    state: dict[str, int] = {}

    def visit(n: str, stack: list[str]) -> None:
        if state.get(n) == 1:
            raise AssertionError(f"import cycle in {package}/: " + " → ".join([*stack, n]))
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in sorted(graph.get(n, ())):
            visit(d, [*stack, n])
        state[n] = 2

    for n in sorted(graph):
        visit(n, [])


def _store_graph() -> dict[str, set[str]]:
    """Each store module and the store modules it imports at run time (functions included)."""
    return _package_graph("store")


def test_the_store_imports_only_downwards_inside_and_has_no_cycle() -> None:
    graph = _store_graph()
    assert _upward("store", STORE_LAYERS, graph) == []
    _assert_no_cycle("store", graph)


def test_the_store_layer_check_can_fail() -> None:
    """The rule above catches a module that reaches up: the section reader importing the
    transaction would be one."""
    graph = _store_graph()
    graph["sections"] = graph["sections"] | {"transaction"}
    assert _upward("store", STORE_LAYERS, graph) != []


# Inside the desk, lowest first (the README's code map): git as a program, and the units a
# merge works on; the merge driver's set-up, and the three-way merge of records; the merge
# driver on the files' bytes; settling a conflict, and sync (which merges again with the driver's
# code when the driver did not finish).
DESK_LAYERS: list[set[str]] = [
    {"gitops", "units"},
    {"driver", "merge"},
    {"mergefile"},
    {"resolve", "sync"},
]

# render/charts/: the drawing kit, and one module per chart on it (no chart imports another).
CHARTS = {"compliance", "heatmap", "timeline"}


def test_the_desk_imports_only_downwards_inside_and_has_no_cycle() -> None:
    graph = _package_graph("desk")
    assert _upward("desk", DESK_LAYERS, graph) == []
    _assert_no_cycle("desk", graph)


def test_the_desk_layer_check_can_fail() -> None:
    """Git as a program reaching up into sync, or the merge of records into the merge driver,
    is caught."""
    graph = _package_graph("desk")
    assert _upward("desk", DESK_LAYERS, {**graph, "gitops": graph["gitops"] | {"sync"}}) != []
    assert _upward("desk", DESK_LAYERS, {**graph, "merge": graph["merge"] | {"mergefile"}}) != []


def test_each_chart_stands_alone_on_the_kit() -> None:
    """A chart imports the kit and, from the rest of render/, only the words it shares with the
    text (render/__init__.py): never the text renderers, which import the charts (lazily) to
    answer `--format svg`. No chart imports another one."""
    graph = _package_graph("render/charts")
    assert graph == {"kit": set()} | {chart: {"kit"} for chart in CHARTS}
    outside = [
        f"render/charts/{path.stem}.py imports {module}"
        for path in sorted((SRC / "render" / "charts").glob("*.py"))
        for module, _names in _from_imports(path)
        if module.startswith("aes_tracker.render")
        and not module.startswith("aes_tracker.render.charts")
        and module != "aes_tracker.render"
    ]
    assert outside == []


# Inside the domain, lowest first (the README's code map): words and calendars (the registries of
# statuses and categories, text, dates, recurrence rules); parties and IDs; the records; what reads
# a document (its checks, the notes' words, a day's view, the JSON contract); queries and records
# for output; the summaries built on them; then the changes: what a change is given (the draft,
# the history entry, the checks on what a person types), sessions, and the changes themselves.
DOMAIN_LAYERS: list[set[str]] = [
    {"statuses", "text", "dates", "recurrence", "spreadsheet"},
    {"parties", "ids"},
    {"model"},
    {"validate", "notes", "asof", "schema"},
    {"query", "records"},
    {"stats", "matrix", "report"},
    {"draft", "history", "inputs"},
    {"sessions"},
    {"progress", "editing"},
]


def test_the_domain_imports_only_downwards_inside_and_has_no_cycle() -> None:
    graph = _package_graph("domain")
    assert _upward("domain", DOMAIN_LAYERS, graph) == []
    _assert_no_cycle("domain", graph)


def test_the_domain_layer_check_can_fail() -> None:
    """The records reaching up to their checks would be a violation."""
    graph = _package_graph("domain")
    graph["model"] = graph["model"] | {"validate"}
    assert _upward("domain", DOMAIN_LAYERS, graph) == ["domain/model.py imports domain/validate.py"]


def _code_map_section() -> str:
    readme = (SRC.parents[1] / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Code map\n", 1)[1].split("\n## ", 1)[0]


def _code_map() -> list[str]:
    """The modules the README's `## Code map` names, one a line, as paths below src/aes_tracker:
    a bullet's first backticked name, a package (`store/`) heading the bullets indented under it."""
    packages: list[str] = []  # the package heading each depth of indentation
    named: list[str] = []
    for line in _code_map_section().splitlines():
        stripped = line.lstrip(" ")
        if not stripped.startswith("- `"):
            continue
        depth = (len(line) - len(stripped)) // 2
        name = stripped[3:].split("`", 1)[0]
        del packages[depth:]
        if name.endswith("/"):
            packages.append(name)
        elif name.endswith(".py"):
            named.append("".join(packages) + name)
    return named


def _modules() -> set[str]:
    """Every module of the package, but a package's `__init__.py` that holds only its docstring
    (the package's own line in the code map says what it is)."""
    found = set()
    for path in SRC.rglob("*.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        docstring_only = len(body) == 1 and isinstance(body[0], ast.Expr)
        if not (path.name == "__init__.py" and docstring_only):
            found.add(path.relative_to(SRC).as_posix())
    return found


def test_code_map_names_each_module_once_on_its_own_line() -> None:
    named = _code_map()
    assert len(named) == len(set(named)), sorted(n for n in named if named.count(n) > 1)
    assert set(named) == _modules(), (
        f"not in the code map: {sorted(_modules() - set(named))}; "
        f"in it but not in the tree: {sorted(set(named) - _modules())}"
    )
    for line in _code_map_section().splitlines():  # one module a line: no second one after it
        stripped = line.lstrip(" ")
        if stripped.startswith("- `") and stripped[3:].split("`", 1)[0].endswith(".py"):
            rest = stripped[3:].split("`", 1)[1]
            assert "py`:" not in rest and "py` (" not in rest, line


# What cli/ words itself (the rule in cli/__init__.py): the errors it raises about what a person
# typed (an option's value, an answer in extract's walk) and the help. Every other line a
# command prints, and every commit message it makes, is worded in render/ from the API's typed
# result; cli/ writes it out as it is given, with its newline at most. compat.py (Typer's and
# Click's own words, the help's headings) and ending.py (the `error:`, `hint:` and `warning:`
# lines) are the frame around the commands, outside the rule.
CLI_FRAME = {"compat.py", "ending.py"}
GETTEXT = {"_", "ngettext", "pgettext", "npgettext"}
WRITERS = {
    "sys.stdout.write",
    "sys.stderr.write",
    "typer.echo",
    "typer.secho",
    "typer.prompt",
    "typer.confirm",
    "click.echo",
    "print",
}
# The lines a command writes with a word of its own, and why it is its own.
OWN_LINES = {
    ("base.py", "_version"): "the version line: the bytes __main__.py writes before Typer loads",
    ("extract.py", "_walk"): "a wrong answer in the walk: `error:`, the fixed marker; it goes on",
}


def _literal_words(node: ast.AST) -> bool:
    """Whether text that is written holds a literal with more than whitespace in it (a call's
    own arguments inside it are that call's business: a key, a format's name)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.Call):
        return False
    return any(_literal_words(n) for n in ast.iter_child_nodes(node))


def _cli_wording(path: Path) -> list[str]:
    """Where a cli/ module words something itself outside the rule: a gettext call outside a
    `raise` statement, or text written out (or asked, in a prompt) with a literal word in it;
    each as `file:line: what`."""
    found: list[str] = []

    class Visitor(ast.NodeVisitor):
        function = ""
        raising = 0

        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            outer, self.function = self.function, node.name
            self.generic_visit(node)
            self.function = outer

        def visit_Raise(self, node: ast.Raise) -> None:
            self.raising += 1
            self.generic_visit(node)
            self.raising -= 1

        def visit_Call(self, node: ast.Call) -> None:
            callee = ast.unparse(node.func)
            if callee in GETTEXT and not self.raising:
                found.append(f"{path.name}:{node.lineno}: {callee}() outside a raise")
            own = (path.name, self.function) in OWN_LINES
            if callee in WRITERS and not own and any(_literal_words(a) for a in node.args):
                found.append(f"{path.name}:{node.lineno}: {callee} of words of its own")
            self.generic_visit(node)

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_the_command_line_words_only_its_usage_errors() -> None:
    modules = sorted(p for p in (SRC / "cli").glob("*.py") if p.name not in CLI_FRAME)
    assert [w for p in modules for w in _cli_wording(p)] == []
    functions = {
        (p.name, n.name)
        for p in modules
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(n, ast.FunctionDef)
    }
    assert set(OWN_LINES) <= functions  # no exception kept for a function that went


def test_the_wording_rule_can_fail(tmp_path: Path) -> None:
    """A command that worded its own result, or wrote a sentence of its own, is caught; an
    error about an option, raised, and a renderer's text written out, are not."""
    f = tmp_path / "bad.py"
    f.write_text(
        "import sys\n"
        "import typer\n"
        "from aes_tracker.i18n import _\n"
        "\n"
        "def fmt(path, changed, check):\n"
        "    if check not in ('yes', 'no'):\n"
        "        raise TrackerError(_('--check: {value} is not yes or no').format(value=check))\n"
        "    state = _('reformatted') if changed else 'already canonical'\n"
        "    sys.stdout.write(f'{path}: {state}\\n')\n"
        "    typer.echo('done')\n"
        "    sys.stdout.write(formatted(path, 'fmt') + '\\n')\n",
        encoding="utf-8",
    )
    assert _cli_wording(f) == [
        "bad.py:8: _() outside a raise",
        "bad.py:9: sys.stdout.write of words of its own",
        "bad.py:10: typer.echo of words of its own",
    ]
