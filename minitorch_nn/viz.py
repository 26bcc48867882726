"""Drawing the graph behind a Value: a DOT string, and a picture with or without Graphviz.

Every Value becomes a box ``name | data | grad``; the op that made it becomes a small node
in front of it (``+``, ``*``, ``exp``, ...); float constants become small grey nodes. Edges
run from inputs to results, left to right, and an edge into an op carries the local
derivative d(result)/d(input), the factor the chain rule multiplies by on that edge.

- :func:`to_dot` returns Graphviz DOT text (pure Python).
- :func:`draw_graph` renders it with the ``graphviz`` package and the ``dot`` program when
  both are installed, and otherwise lays the graph out itself (layered, left to right) and
  draws it with matplotlib, so a drawing always comes out. The result shows inline in a
  notebook.

Large graphs: ``max_nodes`` keeps the Values nearest the output and says so in a note;
``collapse_dots=True`` draws each n-ary ``dot`` node (a Neuron's ``b + sum_i w_i x_i``, or
its fused ``act(b + sum_i w_i x_i)``: ``dot_relu``, ``dot_tanh``, ``dot_sigmoid``)
as one box that holds its weight and bias leaves. All walks are iterative.
"""

from __future__ import annotations

import io
import shutil
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine.autodiff import toposort
from .engine.value import Value

__all__ = ["GraphDrawing", "GraphModel", "build_graph", "draw_graph", "node_names", "to_dot"]

DEFAULT_MAX_NODES = 150
_FORMATS = ("svg", "png")


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


def _check_value(value: Any, who: str) -> None:
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


_DOT_OPS = frozenset(("dot", "dot_relu", "dot_tanh", "dot_sigmoid"))  # a neuron: b + w.x, act


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
        if node.op in _DOT_OPS:
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


_SIDES = {"sub": ("a", "b"), "div": ("a", "b"), "pow": ("a", "b")}  # ops where order matters
_BINARY = {"add", "sub", "mul", "div", "pow"}


def _arg_names(node: Value) -> Sequence[str] | None:
    """Edge names where argument order matters: a/b for sub, div, pow of two Values;
    w1..wn, x1..xn, b for a dot node."""
    if node.op in _DOT_OPS:
        n = len(node._args) // 2
        return [f"w{j}" for j in range(1, n + 1)] + [f"x{j}" for j in range(1, n + 1)] + ["b"]
    if node.op in _SIDES and len(node._parents) == 2:
        return _SIDES[node.op]
    return None


def _op_text(node: Value) -> str:
    """What the op node shows: its symbol; with two Values of ``a - b``, ``a / b``,
    ``a ** b`` the pattern (edges are labelled a and b); a lone constant goes inline:
    ``** 2``, ``1 -``."""
    if node._op is None:
        return ""
    symbol = node._op.symbol
    args = node._args
    if len(args) == 2 and node.op in _BINARY:
        left, right = args
        if not isinstance(right, Value):
            return f"{symbol} {fmt(right)}"
        if not isinstance(left, Value):
            return f"{fmt(left)} {symbol}"
        if node.op in _SIDES:
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
    _check_value(value, "build_graph")
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
        collapsed = collapse_dots and node.op in _DOT_OPS
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
    return _dot_text(build_graph(value, max_nodes, collapse_dots, show_local))


def _dot_text(model: GraphModel) -> str:
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


# ---------------------------------------------------------------- the rendered picture
@dataclass
class GraphDrawing:
    """A rendered graph: the bytes in ``format``, which backend drew it, and the DOT text.

    Displays inline in Jupyter (``_repr_svg_`` / ``_repr_png_``).
    """

    data: bytes
    format: str
    backend: str
    dot: str
    note: str = ""
    path: Path | None = None

    def save(self, path: str | Path) -> Path:
        """Write the picture to ``path``."""
        out = Path(path)
        out.write_bytes(self.data)
        return out

    def _repr_svg_(self) -> str | None:
        return self.data.decode("utf-8") if self.format == "svg" else None

    def _repr_png_(self) -> bytes | None:
        return self.data if self.format == "png" else None


def graphviz_available() -> bool:
    """True when both the ``graphviz`` Python package and the ``dot`` program are installed."""
    if shutil.which("dot") is None:
        return False
    try:
        import graphviz  # noqa: F401, PLC0415 - optional extra "viz"
    except ImportError:
        return False
    return True


def draw_graph(
    value: Value,
    path: str | Path | None = None,
    format: str | None = None,  # noqa: A002 - the natural name, as in graphviz
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    collapse_dots: bool = False,
    show_local: bool = True,
    backend: str = "auto",
) -> GraphDrawing:
    """Render the graph behind ``value`` as SVG or PNG; write it to ``path`` if given.

    ``format`` defaults to the suffix of ``path`` (``.png`` / ``.svg``), else ``"svg"``.
    ``backend``: ``"auto"`` uses Graphviz when the ``graphviz`` package and the ``dot``
    program are both present and matplotlib otherwise; ``"graphviz"`` or ``"matplotlib"``
    force one.
    """
    _check_value(value, "draw_graph")
    if format is None:
        suffix = Path(path).suffix.lower().lstrip(".") if path is not None else ""
        format = suffix if suffix in _FORMATS else "svg"
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}, got {format!r}")
    if backend not in ("auto", "graphviz", "matplotlib"):
        raise ValueError(f"backend must be 'auto', 'graphviz' or 'matplotlib', got {backend!r}")
    if backend == "graphviz" and not graphviz_available():
        raise RuntimeError(
            "backend='graphviz' needs the graphviz Python package (pip install "
            "'minitorch_nn[viz]') and the Graphviz 'dot' program on PATH; "
            "use backend='auto' to fall back to matplotlib"
        )
    use_graphviz = backend == "graphviz" or (backend == "auto" and graphviz_available())
    model = build_graph(value, max_nodes, collapse_dots, show_local)
    dot_text = _dot_text(model)
    if use_graphviz:
        import graphviz  # noqa: PLC0415 - optional extra "viz"

        data = graphviz.Source(dot_text).pipe(format=format)
        used = "graphviz"
    else:
        data = _render_matplotlib(model, format)
        used = "matplotlib"
    drawing = GraphDrawing(data, format, used, dot_text, model.note)
    if path is not None:
        drawing.path = drawing.save(path)
    return drawing


# ---------------------------------------------------------------- our own layered layout
_FONT_PT = 9.0
_CHAR_IN = 0.602 * _FONT_PT / 72  # width of one monospace glyph, inches
_LINE_IN = 1.25 * _FONT_PT / 72
_PAD_IN = 0.09
_LAYER_GAP_IN = 0.75
_ROW_GAP_IN = 0.22


@dataclass
class _Box:
    w: float
    h: float
    layer: int = 0
    y: float = 0.0


def _box_size(item: Item) -> tuple[float, float]:
    width = max(len(line) for line in item.lines) * _CHAR_IN + 2 * _PAD_IN
    height = len(item.lines) * _LINE_IN + 2 * _PAD_IN
    if item.kind == "op":
        side = max(width, height, 0.32)
        return side, side
    if item.kind == "const":
        return width, _LINE_IN + _PAD_IN
    return width, height


def layout(
    model: GraphModel,
) -> tuple[dict[str, tuple[float, float]], dict[str, _Box], list[list[str]]]:
    """Centres (x, y) in inches of every item, their boxes, and each edge's route.

    Layer = longest path from a source; a source (leaf, constant) then moves right to sit
    just before its first use. An edge that spans several layers gets an invisible waypoint
    in each layer it crosses, so it has a lane of its own instead of running through boxes.
    Within a layer, a few sweeps place each item at the mean height of its neighbours and
    push overlapping items apart. A route is the list of keys an edge passes through.
    """
    boxes = {item.key: _Box(*_box_size(item)) for item in model.items}
    preds: dict[str, list[str]] = {key: [] for key in boxes}
    succs: dict[str, list[str]] = {key: [] for key in boxes}
    for src, dst, _ in model.edges:
        succs[src].append(dst)
        preds[dst].append(src)
    keys = [item.key for item in model.items]  # a topological order
    for key in keys:
        boxes[key].layer = max((boxes[p].layer + 1 for p in preds[key]), default=0)
    for key in reversed(keys):
        if not preds[key] and succs[key]:
            boxes[key].layer = min(boxes[s].layer for s in succs[key]) - 1
    n_layers = max((b.layer for b in boxes.values()), default=0) + 1
    layers: list[list[str]] = [[] for _ in range(n_layers)]
    for key in keys:
        layers[boxes[key].layer].append(key)

    # waypoints for long edges; neighbours for the sweeps follow the routes
    near_left: dict[str, list[str]] = {key: [] for key in boxes}
    near_right: dict[str, list[str]] = {key: [] for key in boxes}
    routes: list[list[str]] = []
    for n_edge, (src, dst, _) in enumerate(model.edges):
        route = [src]
        for layer_no in range(boxes[src].layer + 1, boxes[dst].layer):
            waypoint = f"_w{n_edge}_{layer_no}"
            boxes[waypoint] = _Box(0.0, 0.12, layer_no)
            near_left[waypoint], near_right[waypoint] = [], []
            layers[layer_no].append(waypoint)
            route.append(waypoint)
        route.append(dst)
        for a, b in zip(route, route[1:]):
            near_right[a].append(b)
            near_left[b].append(a)
        routes.append(route)

    def place(layer: list[str], desired: dict[str, float], keep_order: bool = False) -> None:
        if not keep_order:
            layer.sort(key=lambda k: desired[k])
        bottom = -float("inf")
        for key in layer:
            box = boxes[key]
            box.y = max(desired[key], bottom + box.h / 2)
            bottom = box.y + box.h / 2 + _ROW_GAP_IN
        shift = sum(desired[k] - boxes[k].y for k in layer) / len(layer)
        for key in layer:
            boxes[key].y += shift

    for layer in layers:  # first pass: stack each layer in order, centred at 0
        place(layer, {key: i * 1e-3 for i, key in enumerate(layer)})
    for sweep in range(10):
        # alternate: left neighbours, right neighbours; the last sweeps use both sides
        forward = sweep % 2 == 0
        both = sweep >= 6
        for layer in layers if forward else reversed(layers):
            desired = {}
            for key in layer:
                first, second = (near_left, near_right) if forward else (near_right, near_left)
                near = first[key] + second[key] if both else first[key] or second[key]
                near = near or [key]
                desired[key] = sum(boxes[n].y for n in near) / len(near)
            place(layer, desired)

    # transpose: swap neighbours in a layer while that removes edge crossings
    def crossings(u: str, v: str, rank: dict[str, int]) -> int:
        """Crossings between edges of u and of v (u above v) towards both neighbour layers."""
        count = 0
        for near in (near_left, near_right):
            for a in near[u]:
                for b in near[v]:
                    count += rank[a] > rank[b]
        return count

    rank = {key: i for layer in layers for i, key in enumerate(layer)}
    for _ in range(4):
        improved = False
        for layer in layers:
            for i in range(len(layer) - 1):
                u, v = layer[i], layer[i + 1]
                if crossings(v, u, rank) < crossings(u, v, rank):
                    layer[i], layer[i + 1] = v, u
                    rank[u], rank[v] = i + 1, i
                    improved = True
        if not improved:
            break
    for sweep in range(4):
        forward = sweep % 2 == 0
        for layer in layers if forward else reversed(layers):
            desired = {}
            for key in layer:
                near = near_left[key] + near_right[key] or [key]
                desired[key] = sum(boxes[n].y for n in near) / len(near)
            place(layer, desired, keep_order=True)

    widths = [max((boxes[k].w for k in layer), default=0.0) for layer in layers]
    centres: dict[str, tuple[float, float]] = {}
    x = 0.0
    for layer, width in zip(layers, widths):
        for key in layer:
            centres[key] = (x + width / 2, boxes[key].y)
        x += width + _LAYER_GAP_IN
    return centres, boxes, routes


_FILL = {"leaf": "#dbeafe", "output": "#dcfce7", "": "#ffffff"}


def _render_matplotlib(model: GraphModel, fmt_name: str) -> bytes:
    """Draw the model with matplotlib (imported only here) and return the file bytes."""
    from matplotlib.figure import Figure  # noqa: PLC0415 - only the fallback needs it
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch  # noqa: PLC0415

    centres, boxes, routes = layout(model)
    margin = 0.3
    note_h = 0.4 if model.note else 0.0
    xs = [centres[k][0] - boxes[k].w / 2 for k in centres] + [0.0]  # waypoints included
    xe = [centres[k][0] + boxes[k].w / 2 for k in centres] + [1.0]
    ys = [centres[k][1] - boxes[k].h / 2 for k in centres] + [0.0]
    ye = [centres[k][1] + boxes[k].h / 2 for k in centres] + [0.5]
    x0, y0 = min(xs) - margin, min(ys) - margin
    width = max(xe) - x0 + margin
    if model.note:
        width = max(width, len(model.note) * _CHAR_IN * 0.9 + 2 * margin)
    height = max(ye) - y0 + margin + note_h
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)  # y grows downwards, like the layout
    ax.axis("off")

    def at(key: str) -> tuple[float, float]:
        cx, cy = centres[key]
        return cx - x0, cy - y0 + note_h

    kinds = {item.key: item.kind for item in model.items}
    in_degree = {key: 0 for key in kinds}
    for _, dst, _ in model.edges:
        in_degree[dst] += 1
    for (src, dst, label), route in zip(model.edges, routes):
        points = [at(key) for key in route]
        points[0] = (points[0][0] + boxes[src].w / 2, points[0][1])
        points[-1] = (points[-1][0] - boxes[dst].w / 2, points[-1][1])
        color = "#888888" if kinds[src] in ("const", "cut") else "#444444"
        if len(points) > 2:
            ax.plot(
                [p[0] for p in points[:-1]],
                [p[1] for p in points[:-1]],
                color=color,
                linewidth=0.8,
                zorder=1,
            )
        start, end = points[-2], points[-1]
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=8,
                shrinkA=0,
                shrinkB=1,
                color=color,
                linewidth=0.8,
                zorder=1,
            )
        )
        if label:
            # labels of edges converging on a busy node sit further out, where they spread
            t = 0.68 if in_degree[dst] <= 3 else 0.38
            lx = start[0] + t * (end[0] - start[0])
            ly = start[1] + t * (end[1] - start[1])
            ax.text(
                lx,
                ly,
                label,
                fontsize=6.5,
                family="monospace",
                color="#555555",
                ha="center",
                va="center",
                zorder=3,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
            )
    for item in model.items:
        cx, cy = at(item.key)
        box = boxes[item.key]
        if item.kind == "op":
            ax.add_patch(Circle((cx, cy), box.w / 2, fc="#f3f4f6", ec="#444444", lw=0.8, zorder=2))
            ax.text(cx, cy, item.lines[0], ha="center", va="center", fontsize=_FONT_PT, zorder=4)
            continue
        if item.kind == "const":
            ax.text(
                cx,
                cy,
                item.lines[0],
                ha="center",
                va="center",
                fontsize=_FONT_PT - 1,
                family="monospace",
                color="#666666",
                zorder=4,
            )
            continue
        fill = "#fef9c3" if item.kind == "dot" else _FILL[item.role]
        patch = FancyBboxPatch(
            (cx - box.w / 2, cy - box.h / 2),
            box.w,
            box.h,
            boxstyle="round,pad=0,rounding_size=0.05",
            fc="#ffffff" if item.kind == "cut" else fill,
            ec="#999999" if item.kind == "cut" else "#333333",
            lw=1.6 if item.role == "output" else 0.8,
            linestyle="--" if item.kind == "cut" else "-",
            zorder=2,
        )
        ax.add_patch(patch)
        top = cy - box.h / 2 + _PAD_IN
        for n, line in enumerate(item.lines):
            ax.text(
                cx,
                top + (n + 0.5) * _LINE_IN,
                line,
                ha="center",
                va="center",
                fontsize=_FONT_PT,
                family="monospace",
                fontweight="bold" if n == 0 and item.kind != "cut" else "normal",
                color="#666666" if item.kind == "cut" else "#111111",
                zorder=4,
            )
    if model.note:
        ax.text(margin, margin * 0.6 + 0.1, model.note, fontsize=8, color="#b45309", va="center")
    dpi = max(30.0, min(150.0, 8000.0 / max(width, height)))  # at most ~8000 pixels a side
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt_name, dpi=dpi, facecolor="white")
    return buffer.getvalue()
