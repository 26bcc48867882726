"""The package's import graph: no cycles, counting imports made inside functions, and data
flowing one way (engine -> nn -> optim/losses -> train -> io, plot, cli, sklearn).

Read from the source text (ast), so an import inside a function counts like one at the top.
Imports under ``if TYPE_CHECKING:`` are for the type checker only and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "minitorch_nn"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(importer: str, node: ast.ImportFrom) -> list[str]:
    """The package modules an ``ImportFrom`` reaches: ``from . import x`` is the submodule x
    where x is one, else the package itself."""
    is_package = MODULES[importer].name == "__init__.py"
    base = importer.split(".")
    if node.level:
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("minitorch_nn"):
        return []
    found = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        found.append(sub if sub in MODULES else target)
    return found


def imports_of(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text())
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("minitorch_nn"))
        elif isinstance(node, ast.ImportFrom):
            found.update(_resolve(name, node))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in MODULES and m != name}


def import_graph() -> dict[str, set[str]]:
    return {name: imports_of(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
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
                    found.append(sorted(component))
    return found


def test_the_checker_sees_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_checker_counts_imports_inside_functions():
    graph = import_graph()
    assert "minitorch_nn" in graph and len(graph) > 20
    assert any(graph.values())


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_train_imports_nothing_above_it():
    """train sits below io, plot, cli, sklearn and the playground: no train module imports
    them, not even inside a function."""
    above = ("io", "plot", "cli", "sklearn", "playground", "viz", "explain")
    graph = import_graph()
    train_modules = [
        m for m in graph if m == "minitorch_nn.train" or m.startswith("minitorch_nn.train.")
    ]
    assert len(train_modules) >= 5
    for module in train_modules:
        upward = {m for m in graph[module] if any(m.startswith(f"minitorch_nn.{a}") for a in above)}
        assert upward == set(), f"{module} imports {sorted(upward)}, which sit above train"


# Each module's layer, by the longest matching name: data flows from higher numbers to lower
# ones only. autograd is the walk and the rules; both engines and their fast paths sit on it;
# layers (nn) on the engines; losses and optimizers on those; train on all of them; io and
# plot use train; the programs (cli, sklearn, the playground, the package's own __init__) are
# on top.
LAYERS = {
    "minitorch_nn._version": 0,
    "minitorch_nn.autograd": 0,
    "minitorch_nn.engine": 1,
    "minitorch_nn.fast": 1,
    "minitorch_nn.tensor": 1,
    "minitorch_nn.nn": 2,
    "minitorch_nn.tensor.nn": 2,
    "minitorch_nn.data": 2,
    "minitorch_nn.losses": 3,
    "minitorch_nn.optim": 3,
    "minitorch_nn.train": 4,
    "minitorch_nn.tensor.adapter": 4,
    "minitorch_nn.io": 5,
    "minitorch_nn.plot": 5,
    "minitorch_nn.cli": 6,
    "minitorch_nn.sklearn": 6,
    "minitorch_nn.playground": 6,
    "minitorch_nn.__main__": 6,
    "minitorch_nn": 6,
}


def layer_of(module: str) -> int:
    matches = [p for p in LAYERS if module == p or module.startswith(p + ".")]
    assert matches, f"{module} has no layer in tests/test_layers.py's LAYERS"
    return LAYERS[max(matches, key=len)]


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)})"
        for a, imported in import_graph().items()
        for b in sorted(imported)
        if layer_of(b) > layer_of(a)
    ]
    assert upward == []


def test_the_layer_check_sees_an_upward_import():
    assert layer_of("minitorch_nn.nn.layers") < layer_of("minitorch_nn.train.fit")
    assert layer_of("minitorch_nn.tensor.nn") == 2 and layer_of("minitorch_nn.tensor.ops") == 1
