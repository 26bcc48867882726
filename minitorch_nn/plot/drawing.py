"""Rendering the graph behind a Value to SVG or PNG, with or without Graphviz.

:func:`draw_graph` renders :func:`~minitorch_nn.plot.graph.build_graph`'s items with the
``graphviz`` package and the ``dot`` program when both are installed, and otherwise lays the
graph out itself (:func:`layout`: layered, left to right) and draws it with matplotlib, so a
drawing always comes out. The result shows inline in a notebook.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ..engine import Value
from .graph import DEFAULT_MAX_NODES, GraphModel, Item, build_graph, check_value, dot_text

__all__ = ["GraphDrawing", "draw_graph", "graphviz_available", "layout"]

_FORMATS = ("svg", "png")


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
        # lazy: graphviz is the optional extra "viz"; without it the matplotlib fallback draws
        import graphviz  # noqa: F401, PLC0415
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
    check_value(value, "draw_graph")
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
    dot = dot_text(model)
    if use_graphviz:
        import graphviz  # noqa: PLC0415 - lazy: the optional extra "viz", checked above

        data = graphviz.Source(dot).pipe(format=format)
        used = "graphviz"
    else:
        data = _render_matplotlib(model, format)
        used = "matplotlib"
    drawing = GraphDrawing(data, format, used, dot, model.note)
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
    """Draw the model with matplotlib and return the file bytes."""

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
