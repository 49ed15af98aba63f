"""The package's import graph, read from the source with `ast` (nothing is imported): no module of
src/initcompat imports itself back through others, and the probe, which runs inside each
framework environment, imports nothing of the host, the report, the check or the suite side.

Every import counts, wherever it stands: module level, inside a function, under `if
TYPE_CHECKING:` (a function-level import only moves a cycle to run time). An edge goes to the
module named: `from initcompat.report import fit` is an edge to `initcompat.report.fit` when that
is a module, to the package `initcompat.report` when `fit` is a name it defines. For the cycle
check, a module-level import also has edges to the packages its dotted name passes through when
the importer is outside them: importing `initcompat.probe.validation.result` from outside runs
`initcompat/probe/validation/__init__.py` first, and an `__init__` that imports the importer
back fails while the importer is half-loaded (a package's `__init__` importing its own
submodules is not a cycle; a function-level import runs the `__init__` once everything is
loaded)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "initcompat"
PROBE_FORBIDDEN = ("initcompat.host", "initcompat.report", "initcompat.check", "initcompat.suite")
# What the host side may use of the probe (docs/files.md): the protocol, the file checks, the
# layer catalogue and the atomic writer; everything else of the probe runs only inside an
# environment.
PROBE_PROTOCOL = {"initcompat.probe.schema", "initcompat.probe.validation",
                  "initcompat.probe.catalogue", "initcompat.probe.output",
                  # the registry of measurements, and each measurement folder's file validation
                  "initcompat.measurements", "initcompat.measurements.registry"}
MEASUREMENTS = "initcompat.measurements"
REPORT_SIDE_FOLDER = "section"  # measurements.registry.REPORT_SIDE_FOLDER


def runs_in_environments(module: str) -> bool:
    """The probe, and every module of a measurement's folder but its report side (section/)."""
    if module == "initcompat.probe" or module.startswith("initcompat.probe."):
        return True
    parts = module.split(".")
    return module.startswith(MEASUREMENTS) and REPORT_SIDE_FOLDER not in parts[3:]


def protocol(module: str) -> bool:
    """What the host side may import of the environment side."""
    return module in PROBE_PROTOCOL or module.startswith("initcompat.probe.validation.") or (
        module.startswith(MEASUREMENTS + ".") and module.endswith(".validation"))


def module_files() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package is its `__init__.py`)."""
    modules = {}
    for path in sorted((PACKAGE_ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def _absolute(node: ast.ImportFrom, importer: str, modules: dict[str, Path]) -> str:
    """The module an ImportFrom names, relative imports resolved against the importer."""
    if not node.level:
        return node.module or ""
    package = importer if _is_package(importer, modules) else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _deepest_module(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of a dotted name that is a module of the package."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _module_level(tree: ast.AST):
    """The nodes of a module outside its functions (what runs when it is imported)."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))


def imports_of(name: str, modules: dict[str, Path], module_level: bool = False) -> set[str]:
    """The package's modules that module `name` imports, anywhere in its source (only outside
    its functions with `module_level`)."""
    tree = ast.parse(modules[name].read_text(encoding="utf-8"), filename=str(modules[name]))
    found = set()
    for node in (_module_level(tree) if module_level else ast.walk(tree)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, name, modules)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                module = _deepest_module(target, modules)
                if module is not None and module != name:
                    found.add(module)
    return found


def with_packages(name: str, imported: set[str]) -> set[str]:
    """`imported` and the packages of the package each one passes through that `name` is not
    inside (initcompat itself left out: every module passes through it)."""
    found = set(imported)
    for module in imported:
        parts = module.split(".")
        for end in range(2, len(parts)):
            package = ".".join(parts[:end])
            if not (name == package or name.startswith(package + ".")):
                found.add(package)
    return found


def import_graph(packages: bool = False) -> dict[str, set[str]]:
    """Each module's imports; with `packages`, its module-level imports and the packages whose
    `__init__` they run first."""
    modules = module_files()
    graph = {name: imports_of(name, modules) for name in modules}
    if packages:  # what importing each module runs at once: its module-level imports
        graph = {name: {m for m in with_packages(name, imports_of(name, modules, True))
                        if m in modules} for name in modules}
    # report.sections imports each measurement's section by the name the registry gives it
    # (importlib): those are its edges too
    if "initcompat.report.sections" in graph and "initcompat.measurements.registry" in modules:
        graph["initcompat.report.sections"] |= {
            _deepest_module(name, modules) for name in registered_sections()} - {None}
    return graph


def registered_sections() -> list[str]:
    """The report-side modules the registry names (read from its source: nothing imported)."""
    path = PACKAGE_ROOT / PACKAGE / "measurements" / "registry.py"
    return [node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value.startswith(f"{PACKAGE}.report.sections.")]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as the path that closes it) per strongly connected component of more than one
    module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return [_cycle_in(component, graph) for component in components]


def _cycle_in(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A closed path through a strongly connected component, starting at its first module."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:  # breadth first: the shortest way back to the start
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    return paths[node] + [start]
                if child not in paths:
                    paths[child] = paths[node] + [child]
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {component}")


def test_the_package_has_no_import_cycle():
    found = cycles(import_graph()) + cycles(import_graph(packages=True))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_the_probe_imports_nothing_of_the_host_report_check_or_suite():
    """Nor does the probe side of a measurement's folder, nor does it import its report side."""
    graph = import_graph()
    wrong = sorted(f"{module} imports {target}"
                   for module, targets in graph.items() if runs_in_environments(module)
                   for target in targets if target.startswith(PROBE_FORBIDDEN)
                   or not runs_in_environments(target))
    assert not wrong, "\n".join(wrong)
    assert runs_in_environments("initcompat.measurements.seeding.draws")
    assert not runs_in_environments("initcompat.measurements.seeding.section.words")


def test_the_host_side_uses_only_the_probe_protocol():
    graph = import_graph()
    wrong = sorted(f"{module} imports {target}" for module, targets in graph.items()
                   if not runs_in_environments(module) and module != PACKAGE
                   for target in targets if runs_in_environments(target)
                   and not protocol(target))
    assert not wrong, "\n".join(wrong)


def test_the_graph_reader_finds_a_cycle_and_every_kind_of_import(tmp_path, monkeypatch):
    """The reader itself, on a package written here: a cycle through a function-level import and
    a relative one is found and named; an acyclic package passes."""
    package = tmp_path / PACKAGE
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import a\n")
    (package / "sub" / "a.py").write_text("from initcompat.sub.b import thing\n")
    (package / "sub" / "b.py").write_text("def thing():\n    from .c import other\n")
    (package / "sub" / "c.py").write_text("import initcompat.sub.a as a\nimport json\n")
    (package / "d.py").write_text("from initcompat import sub\nfrom initcompat.sub import a\n")
    monkeypatch.setitem(globals(), "PACKAGE_ROOT", tmp_path)
    graph = import_graph()
    assert graph["initcompat.d"] == {"initcompat.sub", "initcompat.sub.a"}
    assert graph["initcompat.sub.b"] == {"initcompat.sub.c"}
    assert cycles(graph) == [["initcompat.sub.a", "initcompat.sub.b", "initcompat.sub.c",
                              "initcompat.sub.a"]]
    (package / "sub" / "c.py").write_text("import json\n")
    assert cycles(import_graph()) == []
    # a package's __init__ that imports back a module importing one of its submodules at module
    # level: a cycle when run (the importer is half-loaded), found through the package's edge
    (package / "e.py").write_text("from initcompat.sub.b import thing\n")
    (package / "sub" / "__init__.py").write_text("from initcompat import e\n")
    assert cycles(import_graph()) == []
    assert cycles(import_graph(packages=True)) == [["initcompat.e", "initcompat.sub",
                                                    "initcompat.e"]]
    (package / "e.py").write_text("def later():\n    from initcompat.sub.b import thing\n")
    assert cycles(import_graph(packages=True)) == []
