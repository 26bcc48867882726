"""The graph behind a Value as data and as DOT text: what every drawing of it shows.

Every Value becomes a box ``name | data | grad``; the op that made it becomes a small node
in front of it, showing the symbol of its rule in ``minitorch_nn.autograd.rules`` (``+``,
``*``, ``exp``, ...); float constants become small grey nodes. Edges run from inputs to
results, left to right, and an edge into an op carries the local derivative
d(result)/d(input), the factor the chain rule multiplies by on that edge.

- :func:`build_graph` returns the drawing as data (items and edges);
- :func:`to_dot` returns it as Graphviz DOT text (pure Python);
- :mod:`.drawing` renders it (:func:`~minitorch_nn.plot.drawing.draw_graph`).

Large graphs: ``max_nodes`` keeps the Values nearest the output and says so in a note;
``collapse_dots=True`` draws each fused neuron node (a Neuron's ``dot``:
``b + sum_i w_i x_i``, or ``act(b + sum_i w_i x_i)``: ``dot_relu``, ``dot_tanh``,
``dot_sigmoid``) as one box that holds its weight and bias leaves. All walks are iterative.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..autograd import rules
from ..autograd.graph import toposort
from ..engine import Value

__all__ = ["GraphModel", "Item", "build_graph", "node_names", "to_dot"]

DEFAULT_MAX_NODES = 150


# ---------------------------------------------------------------- naming
def node_names(order: Iterable[Value]) -> dict[int, str]:
    """A display name per node id: its label, else ``n1, n2, ...`` in the given order.

    A label used by several nodes gets ``#2``, ``#3`` on its later uses; generated ids skip
    names that are already labels, so every name is unique.
    """
    nodes = list(order)
    labels = {node.label for node in nodes if node.label}
    names: dict[int, str] = {}
    label_uses: dict[str, int] = {}
    counter = 0
    for node in nodes:
        if node.label:
            uses = label_uses.get(node.label, 0) + 1
            label_uses[node.label] = uses
            names[id(node)] = node.label if uses == 1 else f"{node.label}#{uses}"
            continue
        counter += 1
        while f"n{counter}" in labels:
            counter += 1
        names[id(node)] = f"n{counter}"
    return names


def fmt(x: float) -> str:
    """A short number for drawings: 4 significant digits."""
    return f"{x:.4g}"


def check_value(value: Any, who: str) -> None:
    if not isinstance(value, Value):
        raise TypeError(f"{who}: expected a Value, got {type(value).__name__}")


# ---------------------------------------------------------------- the drawn graph
@dataclass
class Item:
    """One drawn node. ``kind``: value, op, const, dot (a collapsed dot box), cut."""

    key: str
    kind: str
    lines: list[str]
    role: str = ""  # for values: "leaf", "output" or ""


@dataclass
class GraphModel:
    """The drawing as data: items in a topological order, edges (src, dst, label), a note."""

    items: list[Item] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    note: str = ""
    n_values: int = 0  # Values in the whole graph (absorbed dot weights excluded)
    n_shown: int = 0  # Values drawn


def is_neuron(node: Value) -> bool:
    """True for a fused neuron node ``act(b + w.x)`` (``dot``, ``dot_relu``, ...): its rule
    carries the neuron's parts."""
    return node._op is not None and node._op.neuron is not None


def is_infix(node: Value) -> bool:
    """True for a node made by a binary operator of the op table: ``a + b``, ``a ** b``, ..."""
    op = rules.OPS.get(node.op)
    return op is not None and op.arity == 2 and op.operator is not None


# a + b = b + a and a * b = b * a: edges into these need no a/b names
_COMMUTATIVE = frozenset(("add", "mul"))


def _dot_parts(node: Value) -> tuple[int, tuple[Any, ...]]:
    """(n, args) of a dot node: args = (w_1..w_n, x_1..x_n, b)."""
    args = node._args
    return len(args) // 2, args


def _absorbed(order: Sequence[Value]) -> set[int]:
    """Ids of leaves used only as weights or bias of dot nodes: drawn inside the dot box."""
    weight_uses: dict[int, int] = {}
    other_uses: set[int] = set()
    for node in order:
        if not node._args:
            continue
        if is_neuron(node):
            n, args = _dot_parts(node)
            for pos, arg in enumerate(args):
                if not isinstance(arg, Value):
                    continue
                if (pos < n or pos == len(args) - 1) and not arg._parents:
                    weight_uses[id(arg)] = weight_uses.get(id(arg), 0) + 1
                else:
                    other_uses.add(id(arg))
        else:
            for arg in node._parents:
                other_uses.add(id(arg))
    return {key for key in weight_uses if key not in other_uses}


def _nearest(root: Value, limit: int, hidden: set[int]) -> set[int]:
    """Ids of the ``limit`` Values nearest ``root`` (breadth first over inputs), hidden ones
    skipped."""
    chosen = {id(root)}
    queue = deque([root])
    while queue and len(chosen) < limit:
        node = queue.popleft()
        for parent in node._parents:
            key = id(parent)
            if key in chosen or key in hidden:
                continue
            chosen.add(key)
            queue.append(parent)
            if len(chosen) >= limit:
                break
    return chosen


def _arg_names(node: Value) -> Sequence[str] | None:
    """Edge names where argument order matters: a/b for sub, div, pow of two Values;
    w1..wn, x1..xn, b for a dot node."""
    if is_neuron(node):
        n = len(node._args) // 2
        return [f"w{j}" for j in range(1, n + 1)] + [f"x{j}" for j in range(1, n + 1)] + ["b"]
    if is_infix(node) and node.op not in _COMMUTATIVE and len(node._parents) == 2:
        return ("a", "b")
    return None


def _op_text(node: Value) -> str:
    """What the op node shows: its symbol; with two Values of ``a - b``, ``a / b``,
    ``a ** b`` the pattern (edges are labelled a and b); a lone constant goes inline:
    ``** 2``, ``1 -``."""
    if node._op is None:
        return ""
    symbol = node._op.symbol
    args = node._args
    if len(args) == 2 and is_infix(node):
        left, right = args
        if not isinstance(right, Value):
            return f"{symbol} {fmt(right)}"
        if not isinstance(left, Value):
            return f"{fmt(left)} {symbol}"
        if node.op not in _COMMUTATIVE:
            return f"a {symbol} b"
    return symbol


def _dot_box_lines(node: Value, name: str) -> list[str]:
    n, args = _dot_parts(node)
    weights = [a.data if isinstance(a, Value) else a for a in args[:n]]
    shown = ", ".join(fmt(w) for w in weights[:3]) + (", ..." if n > 3 else "")
    bias = args[-1].data if isinstance(args[-1], Value) else args[-1]
    return [
        name,
        f"dot: b + sum w_i x_i, n={n}"
        if node.op == "dot"
        else f"{node.op}: {node.op[4:]}(b + sum w_i x_i), n={n}",
        f"w = [{shown}]",
        f"b = {fmt(bias)}",
        f"data {fmt(node.data)}",
        f"grad {fmt(node.grad)}",
    ]


def build_graph(
    value: Value,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    collapse_dots: bool = False,
    show_local: bool = True,
) -> GraphModel:
    """The items and edges that :func:`to_dot` and the matplotlib fallback draw."""
    check_value(value, "build_graph")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes}")
    order = toposort(value)
    names = node_names(order)
    hidden = _absorbed(order) if collapse_dots else set()
    n_values = len(order) - len(hidden)
    if max_nodes is None or n_values <= max_nodes:
        shown = {id(node) for node in order} - hidden
    else:
        shown = _nearest(value, max_nodes, hidden)

    model = GraphModel(n_values=n_values, n_shown=len(shown))
    index = {id(node): i for i, node in enumerate(order)}
    cut_keys: dict[int, str] = {}

    def source_of(arg: Value) -> str:
        """The item an edge from ``arg`` starts at: its box, or a 'cut' placeholder."""
        key = id(arg)
        if key in shown:
            return f"v{index[key]}"
        if key not in cut_keys:
            cut_keys[key] = f"m{index[key]}"
            model.items.append(Item(cut_keys[key], "cut", [f"... {names[key]}"]))
        return cut_keys[key]

    for node in order:
        key = id(node)
        if key not in shown:
            continue
        i = index[key]
        role = "output" if node is value else ("leaf" if not node._args else "")
        collapsed = collapse_dots and is_neuron(node)
        target = f"v{i}" if collapsed else f"o{i}"
        n_w = len(node._args) // 2 if collapsed else -1
        locals_ = node._local
        symbol = _op_text(node)
        sides = _arg_names(node)
        k = 0  # index into _parents / _local
        for pos, arg in enumerate(node._args):
            if not isinstance(arg, Value):
                if not collapsed and len(node._args) != 2:  # a lone constant is inline
                    const_key = f"c{i}_{pos}"
                    model.items.append(Item(const_key, "const", [fmt(arg)]))
                    model.edges.append((const_key, target, ""))
                continue
            local = locals_[k] if k < len(locals_) else None
            k += 1
            if id(arg) in hidden:
                continue
            if collapsed and (pos < n_w or pos == len(node._args) - 1) and not arg._parents:
                continue  # a weight or bias drawn inside this box (and used elsewhere too)
            parts = [sides[pos]] if sides else []
            if show_local and local is not None:
                parts.append(fmt(local))
            model.edges.append((source_of(arg), target, ": ".join(parts)))
        name = names[key]
        if collapsed:
            model.items.append(Item(f"v{i}", "dot", _dot_box_lines(node, name), role))
            continue
        if node._op is not None:
            model.items.append(Item(f"o{i}", "op", [symbol]))
            model.edges.append((f"o{i}", f"v{i}", ""))
        lines = [name, f"data {fmt(node.data)}", f"grad {fmt(node.grad)}"]
        model.items.append(Item(f"v{i}", "value", lines, role))

    if len(shown) < n_values:
        model.note = (
            f"showing {len(shown)} of {n_values} values nearest the output "
            f"(max_nodes={max_nodes}); '...' boxes stand for inputs cut off; "
            "max_nodes=None draws all"
            + ("" if collapse_dots else ", collapse_dots=True draws each dot node as one box")
        )
    return model


# ---------------------------------------------------------------- DOT text
def _escape_record(text: str) -> str:
    out = []
    for ch in text:
        if ch in '{}|<>"\\':
            out.append("\\")
        out.append(ch)
    return "".join(out)


def _escape_quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


_DOT_STYLE = {
    "leaf": 'style="filled,rounded" fillcolor="#dbeafe"',
    "output": 'style="filled,rounded,bold" fillcolor="#dcfce7"',
    "": 'style="rounded"',
}


def to_dot(
    value: Value,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    collapse_dots: bool = False,
    show_local: bool = True,
) -> str:
    """Graphviz DOT text for the graph behind ``value``, drawn left to right (rankdir=LR).

    One record ``name | data | grad`` per Value, one small node per op and per float
    constant; edges go from inputs to results, and an edge into an op is labelled with the
    local derivative d(result)/d(input) when ``show_local``.
    """
    return dot_text(build_graph(value, max_nodes, collapse_dots, show_local))


def dot_text(model: GraphModel) -> str:
    out = [
        "digraph minitorch_nn {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica" fontsize=10];',
        '  edge [fontname="Helvetica" fontsize=8 fontcolor="#555555"];',
    ]
    if model.note:
        out.append(f'  label="{_escape_quoted(model.note)}"; labelloc=t; fontcolor="#b45309";')
    for item in model.items:
        if item.kind in ("value", "dot"):
            fields = " | ".join(_escape_record(line) for line in item.lines)
            style = _DOT_STYLE[item.role]
            if item.kind == "dot":
                style = 'style="filled,rounded" fillcolor="#fef9c3"'
            out.append(f'  {item.key} [shape=record {style} label="{{ {fields} }}"];')
        elif item.kind == "op":
            label = _escape_quoted(item.lines[0])
            out.append(f'  {item.key} [shape=circle margin=0.02 label="{label}"];')
        elif item.kind == "const":
            label = _escape_quoted(item.lines[0])
            out.append(
                f'  {item.key} [shape=plaintext fontsize=9 fontcolor="#666666" label="{label}"];'
            )
        else:  # cut
            label = _escape_quoted(item.lines[0])
            out.append(
                f'  {item.key} [shape=box style="dashed" color="#999999" '
                f'fontcolor="#666666" label="{label}"];'
            )
    for src, dst, label in model.edges:
        attr = f' [label="{_escape_quoted(label)}"]' if label else ""
        out.append(f"  {src} -> {dst}{attr};")
    out.append("}")
    return "\n".join(out) + "\n"
