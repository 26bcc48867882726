"""The clicked neuron's computation for one point, as our autograd graph, for the page.

Neuron j of layer l computes a = act(z), z = b + sum_i w_i h_i, where h are the layer's inputs
(the point's features, or the earlier layers' outputs). It is rebuilt on the scalar engine
from a copy of the live model, with every product and sum as its own node; ``backward()``
gives d a / d node for each, and each edge carries the local derivative the chain rule
multiplies by. The page gets the graph laid out (in inches, by :mod:`minitorch_nn.plot`) and
the chain-rule text of :func:`minitorch_nn.plot.explain`.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from ..engine import Value
from ..plot import build_graph, explain, layout
from .datasets import DOMAIN, FEATURES, features
from .engines import engine
from .frames import finite
from .settings import Config, ConfigError, integer, number


def _laid_out(out: Value) -> dict[str, Any]:
    """The graph of ``out`` (at most 60 nodes, dot products collapsed) as boxes and routed
    edges: each box's centre and size, each edge's points from box side to box side."""
    drawing = build_graph(out, max_nodes=60, collapse_dots=True)
    centres, boxes, routes = layout(drawing)
    items = [
        {
            "key": item.key,
            "kind": item.kind,
            "role": item.role,
            "lines": item.lines,
            "x": centres[item.key][0],
            "y": centres[item.key][1],
            "w": boxes[item.key].w,
            "h": boxes[item.key].h,
        }
        for item in drawing.items
    ]
    edges = []
    for (_, _, label), route in zip(drawing.edges, routes):
        points = [list(centres[key]) for key in route]
        points[0][0] += boxes[route[0]].w / 2
        points[-1][0] -= boxes[route[-1]].w / 2
        edges.append({"points": points, "label": label})
    return {"items": items, "edges": edges, "note": drawing.note}


def neuron_graph(model: Any, config: Config, layer: Any, neuron: Any, point: Any) -> dict[str, Any]:
    """Neuron ``neuron`` of layer ``layer`` (1 = first hidden, len(hidden) + 1 = the output)
    of the live ``model`` for the point (x1, x2), each checked (ConfigError): its title, its
    value, the laid-out graph and ``explain``'s chain-rule text. The earlier layers show as
    one box per neuron."""
    n_layers = len(config.hidden) + 1
    layer = integer("layer", layer, 1, n_layers)
    size = ([*config.hidden, 1])[layer - 1]
    neuron = integer(f"neuron (layer {layer} has {size})", neuron, 0, size - 1)
    if not isinstance(point, (list, tuple)) or len(point) != 2:
        raise ConfigError(f"point must be [x1, x2], got {point!r}")
    x1, x2 = (number(name, v, -DOMAIN, DOMAIN) for name, v in zip(("x1", "x2"), point))

    scalar = engine(config.engine).scalar_copy(model)
    row = features(np.array([[x1, x2]]), config.features)[0]
    h: list[Value] = [
        Value(float(v), label=FEATURES[name][0]) for name, v in zip(config.features, row)
    ]
    for k, earlier in enumerate(scalar.layers[: layer - 1]):
        h = earlier(h)
        for j, node in enumerate(h):
            node.label = f"h{k + 1}.{j + 1}"
    chosen = scalar.layers[layer - 1].neurons[neuron]
    for i, w in enumerate(chosen.w):
        w.label = f"w{i + 1}"
    chosen.b.label = "b"
    z: Value = chosen.b
    for w, x in zip(chosen.w, h):
        z = z + w * x
    z.label = "z"
    activation = scalar.layers[layer - 1].activation
    name = "score" if layer == n_layers else f"h{layer}.{neuron + 1}"
    out = z if activation is None else getattr(z, activation)()
    out.label = name
    out.backward()

    text = io.StringIO()
    explain(out, inputs=[*chosen.w, chosen.b, *h], file=text, max_paths=4, max_inputs=24)
    return {
        "title": f"{name} = {activation or 'identity'}(b + Σ wᵢ·inputᵢ) at x = ({x1:.3g}, "
        f"{x2:.3g})",
        "value": finite(out.data),
        **_laid_out(out),
        "explain": text.getvalue(),
    }
