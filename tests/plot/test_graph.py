"""Graph drawing: DOT text, the cut-off note, collapsed dot boxes, graphviz or matplotlib."""

from __future__ import annotations

import re
import shutil

import pytest

from minitorch_nn.engine import Value, dot
from minitorch_nn.plot import build_graph, draw_graph, layout, to_dot
from minitorch_nn.plot import drawing as rendering

NODE = re.compile(r"^\s+([vocm]\d+\w*) \[", re.MULTILINE)
EDGE = re.compile(r"^\s+(\w+) -> (\w+)", re.MULTILINE)


def example() -> Value:
    x1, x2 = Value(1.5, label="x1"), Value(0.5, label="x2")
    f = (x2.sin() + 1) / (x2 + x1.exp()) + x1 * x2
    f.label = "f"
    f.backward()
    return f


def small() -> Value:
    """e = a * b + c: 4 Values, 2 ops; d f/d a = b = -3."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b + c
    e.label = "e"
    e.backward()
    return e


def test_to_dot_structure_for_a_small_expression():
    text = to_dot(small())
    assert text.startswith("digraph") and "rankdir=LR" in text
    nodes = NODE.findall(text)
    assert len(nodes) == 7  # a, b, a*b, c, e  + the ops * and +
    assert len([n for n in nodes if n.startswith("v")]) == 5
    assert len(EDGE.findall(text)) == 6  # a->*, b->*, *->ab, ab->+, c->+, +->e
    for line in ("{ a | data 2 | grad -3 }", "{ b | data -3 | grad 2 }", "{ e | data 4 | grad 1 }"):
        assert line in text
    assert 'label="*"' in text and 'label="+"' in text
    # the edge from a into * carries the local derivative d(ab)/da = b = -3
    assert re.search(r'-> o\d+ \[label="-3"\]', text)


def test_to_dot_of_the_example_shows_every_node_with_data_and_grad():
    text = to_dot(example())
    values = [n for n in NODE.findall(text) if n.startswith("v")]
    ops = [n for n in NODE.findall(text) if n.startswith("o")]
    assert len(values) == 9 and len(ops) == 7  # x1 x2 + 7 results; 7 ops
    # 11 input edges (constants inline) + 7 op -> result edges
    assert len(EDGE.findall(text)) == 18
    assert "{ x2 | data 0.5 | grad 1.617 }" in text
    assert "{ f | data 1.047 | grad 1 }" in text
    assert 'label="+ 1"' in text  # sin(x2) + 1: the constant is inline in the op
    assert 'label="a / b"' in text  # order matters: the edges say which side is which
    assert 'label="a: 0.2007"' in text and 'label="b: -0.05961"' in text


def test_unlabelled_nodes_get_stable_short_ids():
    first, second = to_dot(example()), to_dot(example())
    assert first == second
    # f is labelled; its 6 unlabelled intermediates are n1..n6
    assert "{ n1 |" in first and "{ n6 |" in first and "{ n7 |" not in first


def test_max_nodes_keeps_the_nodes_nearest_the_output_and_says_so():
    f = example()
    text = to_dot(f, max_nodes=3)
    assert len([n for n in NODE.findall(text) if n.startswith("v")]) == 3
    assert "showing 3 of 9 values nearest the output (max_nodes=3)" in text
    assert "{ f |" in text and "{ x1 |" not in text
    cut = [n for n in NODE.findall(text) if n.startswith("m")]
    assert cut and all(f"{c} ->" in text for c in cut)  # cut inputs are marked, not dropped
    assert "showing" not in to_dot(f, max_nodes=None)
    with pytest.raises(ValueError, match="max_nodes"):
        to_dot(f, max_nodes=0)


def neuron_layer() -> Value:
    xs = [Value(0.5, label="in1"), Value(-1.0, label="in2")]
    outs = []
    for j in range(2):
        ws = [Value(0.1 * (j + k + 1), label=f"w{j}{k}") for k in range(2)]
        outs.append(dot(ws, xs, Value(0.2, label=f"b{j}")).tanh())
    loss = outs[0] + outs[1]
    loss.backward()
    return loss


def test_collapse_dots_draws_each_dot_as_one_box_holding_its_weights():
    loss = neuron_layer()
    full, boxed = to_dot(loss), to_dot(loss, collapse_dots=True)
    assert "{ w00 |" in full and "{ b1 |" in full
    assert "w00" not in boxed and "{ b1 |" not in boxed
    assert boxed.count("dot: b + sum w_i x_i, n=2") == 2
    assert "w = [0.1, 0.2]" in boxed and "b = 0.2" in boxed
    assert len(EDGE.findall(boxed)) == len(EDGE.findall(full)) - 6 - 2  # 6 params, 2 op edges
    assert 'label="x1: 0.1"' in boxed  # an input edge names its slot and local derivative


def test_collapse_keeps_a_weight_that_is_also_used_elsewhere():
    w = Value(0.3, label="w")
    x = Value(2.0, label="x")
    loss = dot([w], [x], 0.0) + w * w  # L2 term uses w outside the dot
    text = to_dot(loss, collapse_dots=True)
    assert "{ w |" in text


def test_a_100000_node_chain_does_not_recurse():
    y = Value(0.3, label="x")
    for _ in range(50_000):
        y = y * 1.0 + 0.0
    text = to_dot(y, max_nodes=20)
    assert "showing 20 of 100001 values" in text
    assert len([n for n in NODE.findall(text) if n.startswith("v")]) == 20


def test_to_dot_rejects_a_non_value():
    with pytest.raises(TypeError, match="expected a Value, got float"):
        to_dot(1.0)  # type: ignore[arg-type]


def test_labels_are_escaped_for_records():
    v = Value(1.0, label="a|{b}")
    assert r"a\|\{b\}" in to_dot(v * 2)


# ---------------------------------------------------------------- rendering
def force_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rendering.shutil, "which", lambda name: None)


def test_fallback_writes_png_and_svg_when_graphviz_is_absent(monkeypatch, tmp_path):
    force_fallback(monkeypatch)
    f = example()
    png = draw_graph(f, tmp_path / "g.png")
    assert png.backend == "matplotlib" and png.format == "png"
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png._repr_png_() == png.data and png._repr_svg_() is None
    svg = draw_graph(f, tmp_path / "g.svg")
    text = (tmp_path / "g.svg").read_text()
    assert svg.format == "svg" and "<svg" in text and svg._repr_svg_() == text
    assert svg.dot == to_dot(f)


def test_fallback_draws_cut_and_collapsed_graphs(monkeypatch):
    force_fallback(monkeypatch)
    drawing = draw_graph(neuron_layer(), format="png", collapse_dots=True, max_nodes=3)
    assert drawing.backend == "matplotlib" and drawing.data[:4] == b"\x89PNG"
    assert "showing 3 of" in drawing.note


def test_layout_puts_inputs_left_of_results_without_overlaps():
    model = build_graph(example())
    centres, boxes, routes = layout(model)
    for src, dst, _ in model.edges:
        assert centres[src][0] < centres[dst][0]
    real = [item.key for item in model.items]
    for i, a in enumerate(real):
        for b in real[i + 1 :]:
            (ax, ay), (bx, by) = centres[a], centres[b]
            apart_x = abs(ax - bx) * 2 >= boxes[a].w + boxes[b].w
            apart_y = abs(ay - by) * 2 >= boxes[a].h + boxes[b].h
            assert apart_x or apart_y, (a, b)
    assert len(routes) == len(model.edges)


def test_graphviz_renders_svg_when_present_else_auto_falls_back(tmp_path):
    drawing = draw_graph(small(), tmp_path / "g.svg")
    if shutil.which("dot") is not None and rendering.graphviz_available():
        assert drawing.backend == "graphviz"
        assert "<svg" in drawing.data.decode() and "grad -3" in drawing.data.decode()
    else:
        assert drawing.backend == "matplotlib"
        assert "<svg" in (tmp_path / "g.svg").read_text()
        with pytest.raises(RuntimeError, match="dot"):
            draw_graph(small(), backend="graphviz")


def test_draw_graph_checks_its_arguments():
    with pytest.raises(ValueError, match="format must be one of"):
        draw_graph(small(), format="jpg")
    with pytest.raises(ValueError, match="backend must be"):
        draw_graph(small(), backend="tikz")


def test_collapse_dots_treats_a_fused_neuron_like_a_dot():
    xs = [Value(0.5, label="in1"), Value(-1.0, label="in2")]
    ws = [Value(0.1, label="w0"), Value(0.2, label="w1")]
    out = dot(ws, xs, Value(0.2, label="b0"), "relu")
    out.backward()
    full, boxed = to_dot(out), to_dot(out, collapse_dots=True)
    assert "dot_relu" in full and "{ w0 |" in full
    assert "w0" not in boxed and "dot_relu: relu(b + sum w_i x_i), n=2" in boxed
    assert "w = [0.1, 0.2]" in boxed and "b = 0.2" in boxed
    assert 'label="x1: 0.1"' in boxed  # input slots named and local derivatives shown
