"""The scalar engine's n-ary ops (minitorch_nn.engine.ops): fused neurons as one node, a
layer at a time, dead neurons as torch treats them, and the sum of squares."""

from __future__ import annotations

import math

import pytest
from conftest import require_torch

from minitorch_nn import Value, dot, grad, gradcheck, no_grad, vsum


# ------------------------------------------------------------------ fused neurons and sumsq
@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid"])
def test_fused_neuron_is_one_node_matching_dot_then_activation(act):
    from minitorch_nn.engine.functional import dense

    def build(fused):
        w = [Value(0.5), Value(-0.75), Value(0.3)]
        x = [Value(1.25), Value(0.5), Value(-2.0)]
        b = Value(0.1)
        out = dot(w, x, b, act) if fused else getattr(dot(w, x, b), act)()
        out.backward()
        return out, [v.grad for v in (*w, *x, b)]

    fused, fused_grads = build(True)
    plain, plain_grads = build(False)
    assert fused.op == f"dot_{act}" and len(fused._parents) == 7
    assert fused.data == plain.data
    assert fused_grads == pytest.approx(plain_grads, rel=1e-15, abs=0.0)
    assert gradcheck(
        lambda a, b, c, x, y: dot([a, b], [x, y], c, act) ** 2, [0.1, 0.2, 0.3, 0.4, 0.5]
    )
    # A layer at a time gives the same nodes as one dot per neuron (float or Value inputs).
    rows = [([Value(0.2), Value(-0.4)], Value(0.05)), ([Value(-1.0), Value(0.3)], Value(0.0))]
    for inputs in ([0.5, -1.5], [Value(0.5), Value(-1.5)]):
        layer = dense(rows, inputs, act)
        single = [dot(w, inputs, b, act) for w, b in rows]
        assert [n.data for n in layer] == [n.data for n in single]
        assert [n._local for n in layer] == [n._local for n in single]
        assert [len(n._parents) for n in layer] == [len(n._parents) for n in single]


def test_fused_relu_dead_neuron_and_second_derivatives():
    w, b = Value(-1.0), Value(0.0)
    out = dot([w], [2.0], b, "relu")
    out.backward()
    assert out.data == 0.0 and w.grad == 0.0 and b.grad == 0.0
    # 0 * inf = nan, as in dot(...).relu() and torch
    w2 = Value(-1.0)
    dot([w2], [math.inf], 0.0, "relu").backward()
    assert math.isnan(w2.grad)
    # create_graph through the fused rule: d2/dx2 tanh(w x) = -2 w^2 t (1 - t^2)
    x = Value(0.3)
    (g,) = grad(dot([Value(0.8)], [x], 0.0, "tanh"), [x], create_graph=True)
    (g2,) = grad(g, [x])
    t = math.tanh(0.8 * 0.3)
    assert g2 == pytest.approx(-2 * 0.64 * t * (1 - t * t), rel=1e-12)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        dot([w], [1.0], b, "gelu")
    with no_grad():
        assert dot([w], [1.0], b, "tanh")._parents == ()


def test_dead_neuron_is_skipped_and_passes_zero_as_torch_does():
    from minitorch_nn.autograd.graph import Zeros
    from minitorch_nn.engine.functional import dense

    # Dead (z <= 0, finite inputs): its local derivatives are one shared all-zero tuple and
    # backward passes nothing on, for dot, dense, float and Value inputs alike.
    rows = [([Value(-1.0), Value(0.5)], Value(-2.0)), ([Value(1.0), Value(0.5)], Value(0.0))]
    for inputs in ([0.5, 1.0], [Value(0.5), Value(1.0)]):
        dead, live = dense(rows, inputs, "relu")
        assert type(dead._local) is Zeros and dead._local == (0.0,) * len(dead._parents)
        assert type(live._local) is not Zeros
        single = dot(rows[0][0], inputs, rows[0][1], "relu")
        assert type(single._local) is Zeros and len(single._local) == len(single._parents)
    # A nan or inf gradient flowing into a dead relu stops there, as in torch (relu's
    # backward passes 0 where the output is 0), through backward() and grad() alike.
    torch = require_torch()
    for upstream in (math.nan, math.inf):
        w, x, b = Value(-1.0), Value(2.0), Value(0.5)
        out = dot([w], [x], b, "relu") * upstream
        out.backward()
        (gx,) = grad(out, [x])
        tw, tx, tb = (
            torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (-1.0, 2.0, 0.5)
        )
        (torch.relu(tw * tx + tb) * upstream).backward()
        assert [w.grad, x.grad, b.grad, gx] == [
            tw.grad.item(),
            tx.grad.item(),
            tb.grad.item(),
            tx.grad.item(),
        ]
        assert w.grad == 0.0
    # What lies only behind a dead neuron is left out of the gradient walk (its .grad stays
    # as it was; grad() gives 0) but not out of the graph a drawing walks.
    from minitorch_nn.autograd.graph import toposort

    a = Value(3.0)
    hidden = a * 2.0  # reaches the output only through the dead neuron
    out = dot([Value(-1.0)], [hidden], Value(0.0), "relu") + a
    a.grad = hidden.grad = 5.0
    out.backward()
    assert (a.grad, hidden.grad) == (6.0, 5.0)  # a: its direct path only
    assert grad(out, [hidden, a]) == [0.0, 1.0]
    assert hidden in toposort(out) and hidden not in toposort(out, gradient_paths=True)
    # Saturated tanh (1 - t^2 == 0 exactly) is dead too; gradients still match the unfused ops.
    w, x = Value(30.0), Value(2.0)
    fused = dot([w], [x], 0.0, "tanh")
    assert type(fused._local) is Zeros
    fused.backward()
    w2, x2 = Value(30.0), Value(2.0)
    (w2 * x2).tanh().backward()
    assert (w.grad, x.grad) == (w2.grad, x2.grad) == (0.0, 0.0)


def test_sumsq_is_one_node_with_twice_the_input_as_derivative():
    from minitorch_nn.engine.functional import sumsq

    ps = [Value(0.5), Value(-2.0), Value(3.0)]
    s = sumsq(ps)
    assert s.op == "sumsq" and len(s._parents) == 3
    assert s.data == vsum([p * p for p in ps]).data
    s.backward()
    assert [p.grad for p in ps] == [1.0, -4.0, 6.0]
    assert gradcheck(lambda a, b: sumsq([a, b, 2.0]) * a, [0.7, -0.2])
    assert sumsq([]).data == 0.0
