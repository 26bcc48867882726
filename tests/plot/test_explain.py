"""The chain-rule trace: edge by edge and path by path, for leaves and interior nodes."""

from __future__ import annotations

import io
import math
import sys

import pytest

from minitorch_nn.engine import Value, grad
from minitorch_nn.plot import explain

TOTAL_X2 = 1.6165488003791766


def example() -> tuple[Value, Value, Value]:
    x1, x2 = Value(1.5, label="x1"), Value(0.5, label="x2")
    f = (x2.sin() + 1) / (x2 + x1.exp()) + x1 * x2
    f.label = "f"
    return f, x1, x2


def quiet(*args, **kwargs) -> str:
    return explain(*args, file=io.StringIO(), **kwargs)


def test_the_three_paths_to_x2_and_their_total():
    f, x1, x2 = example()
    f.backward()
    assert x2.grad == TOTAL_X2
    text = quiet(f)
    through_sin = 0.20073512936690338 * 0.8775825618903728  # d f/d sin(x2) * cos(x2)
    through_denominator = -0.05961284871202578  # d f/d (x2 + e^x1) * 1
    through_product = 1.5  # d f/d (x1 x2) * x1
    section = text[text.index("d f/d x2: 3 paths") :]
    assert section.index("path 1:") < section.index("path 2:") < section.index("path 3:")
    for product in (through_sin, through_denominator, through_product):
        assert f"= {product!r}\n" in section
    assert f"sum of the paths = {TOTAL_X2!r}" in section
    assert f"d f/d x2 (chain rule, as backward() sums it) = {TOTAL_X2!r}" in section
    assert "f -> n5 -> n2 -> n1 -> x2" in section  # through sin; nodes named in creation order
    assert "note:" not in text


def test_edges_show_local_times_incoming_and_accumulation():
    f, x1, x2 = example()
    f.backward()
    text = quiet(f)
    assert text.index("f = n5 + n6") < text.index("n5 = n2 / n4") < text.index("x2   [leaf]")
    assert "n1 = sin(x2)" in text and "n2 = n1 + 1.0" in text and "n3 = exp(x1)" in text
    assert (
        "-> x2: local d n1/d x2 = 0.8775825618903728  *  incoming 0.20073512936690338"
        "  =  0.17616164909120247"
    ) in text
    assert (
        "d f/d x2 = 1.5 (via n6) + -0.05961284871202578 (via n4) "
        f"+ 0.17616164909120247 (via n1) = {TOTAL_X2!r}"
    ) in text
    assert f"d f/d x1 = 0.5 (via n6) + -0.2671662525244025 (via n3) = {x1.grad!r}" in text


def test_returns_the_text_and_prints_only_to_a_file_given(capsys):
    f, _, _ = example()
    f.backward()
    text = explain(f)
    assert capsys.readouterr().out == ""  # a function that returns text does not print
    assert text.startswith("Chain rule for f = n5 + n6") and text.endswith("\n")
    buffer = io.StringIO()
    assert explain(f, file=buffer) == buffer.getvalue() == text
    assert explain(f, file=sys.stdout) == text
    assert capsys.readouterr().out == text


def test_names_are_the_ones_the_drawing_shows():
    from minitorch_nn.plot import build_graph

    f, _, _ = example()  # the README's example, drawn in docs/graph.png
    f.backward()
    text = quiet(f)
    boxes = {item.lines[0]: item.lines[1] for item in build_graph(f).items if item.kind == "value"}
    assert set(boxes) == {"x1", "x2", "n1", "n2", "n3", "n4", "n5", "n6", "f"}
    for name, data_line in boxes.items():
        shown = float(data_line.removeprefix("data "))  # 4 significant digits
        line = next(ln for ln in text.splitlines() if ln.startswith((f"{name} = ", f"{name}   ")))
        assert float(line.rsplit("data=", 1)[1]) == pytest.approx(shown, rel=1e-3), name
    assert "n1 = sin(x2)" in text and boxes["n1"] == "data 0.4794"
    assert "n6 = x1 * x2" in text and boxes["n6"] == "data 0.75"


def test_interior_inputs_match_grad_and_leave_grad_alone():
    f, x1, x2 = example()
    numerator = f._parents[0]._parents[0]
    denominator = f._parents[0]._parents[1]
    denominator.label = "den"
    expected = grad(f, [denominator, x2])
    text = quiet(f, [denominator, x2])
    assert x1.grad == 0.0 and x2.grad == 0.0 and denominator.grad == 0.0
    assert "inputs: den, x2" in text
    assert f"d f/d den (chain rule, as backward() sums it) = {expected[0]!r}" in text
    assert f"d f/d x2 (chain rule, as backward() sums it) = {expected[1]!r}" in text
    assert "d f/d den: 1 path" in text and "d f/d x2: 3 paths" in text
    assert "-> x1" not in text  # x1 leads to no input asked for
    # one interior node that is on the way to another interior node
    text = quiet(f, [numerator])
    assert "d f/d n2: 1 path" in text and "sin(x2)" not in text.split("2. Paths")[0]


def test_a_node_used_twice_has_two_paths():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    text = quiet(y)
    assert "d y/d x: 2 paths" in text
    assert "d y/d x = 3.0 (via y) + 3.0 (via y) = 6.0" in text


def test_path_enumeration_is_capped_with_a_note():
    x = Value(1.0, label="x")
    y = x
    for _ in range(12):  # each step doubles the number of paths: 4096
        y = y + y
    text = quiet(y, max_paths=5)
    assert ": 4096 paths" in text
    assert "showing the first 5 of 4096 paths, max_paths=5" in text
    assert "path 5:" in text and "path 6:" not in text
    assert "sum of the paths shown = 5.0" in text
    assert "(chain rule, as backward() sums it) = 4096.0" in text


def test_a_deep_chain_does_not_recurse():
    x = Value(0.5, label="x")
    y = x
    for _ in range(20_000):
        y = y * 1.0
    text = quiet(y)
    assert "1 path\n" in text and "...(19994 more)..." in text
    assert "as backward() sums it) = 1.0" in text


def test_notes_a_grad_that_backward_did_not_make():
    f, _, x2 = example()
    f.backward()
    f.backward()  # gradients accumulate: x2.grad is now twice d f/d x2
    text = quiet(f)
    assert f"note: x2.grad is {2 * TOTAL_X2!r}, not {TOTAL_X2!r}" in text


def test_inputs_outside_the_graph_and_bad_arguments():
    f, _, _ = example()
    stranger = Value(1.0, label="z")
    assert "z is not in the graph of f: d f/d z = 0.0" in quiet(f, [stranger])
    with pytest.raises(TypeError, match="expected a Value, got int"):
        quiet(3)
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a Value, got float"):
        quiet(f, [1.0])
    with pytest.raises(ValueError, match="max_paths"):
        quiet(f, max_paths=0)


def test_a_fused_neuron_shows_its_op_and_the_right_gradients():
    from minitorch_nn.engine import dot

    x = Value(2.0, label="x")
    w = Value(-0.5, label="w")
    out = dot([w], [x], Value(3.0, label="b"), "tanh")
    text = quiet(out, [x, w])
    assert "dot_tanh(" in text
    gx, gw = grad(out, [x, w])
    t = math.tanh(3.0 - 1.0)
    assert gx == pytest.approx(-0.5 * (1 - t * t)) and gw == pytest.approx(2.0 * (1 - t * t))
    assert repr(gx) in text or f"{gx:.6g}" in text
