"""The scalar engine: every op against math and central differences, graph semantics, parity
with PyTorch float64, and the errors a user can hit."""

from __future__ import annotations

import gc
import math
import warnings

import numpy as np
import pytest
from conftest import require_torch
from hypothesis import given, settings
from hypothesis import strategies as st

from minitorch_nn import Value, dot, grad, gradcheck, no_grad, vsum
from minitorch_nn.engine import is_grad_enabled, numerical_grad

# ------------------------------------------------------------------ the op table
# name -> (engine function, float reference, points where the derivative is checked)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x, [-2.0, 0.0, 3.5]),
    "exp": (lambda x: x.exp(), math.exp, [-3.0, 0.0, 0.7, 5.0]),
    "log": (lambda x: x.log(), math.log, [0.01, 0.5, 1.0, 40.0]),
    "tanh": (lambda x: x.tanh(), math.tanh, [-4.0, -0.3, 0.0, 2.0]),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), [-6.0, 0.0, 0.4, 8.0]),
    "relu": (lambda x: x.relu(), lambda x: max(0.0, x), [-2.0, -1e-3, 1e-3, 3.0]),
    "sin": (lambda x: x.sin(), math.sin, [-2.0, 0.0, 1.0, 10.0]),
    "cos": (lambda x: x.cos(), math.cos, [-2.0, 0.0, 1.0, 10.0]),
    "sqrt": (lambda x: x.sqrt(), math.sqrt, [0.01, 1.0, 9.0]),
    "abs": (lambda x: x.abs(), abs, [-3.0, -1e-3, 2.0]),
    "pow_const": (lambda x: x**3, lambda x: x**3, [-2.0, 0.0, 1.5]),
    "pow_frac": (lambda x: x**0.5, lambda x: x**0.5, [0.25, 4.0]),
    "rpow": (lambda x: 2**x, lambda x: 2**x, [-1.0, 0.0, 3.0]),
    "radd": (lambda x: 3 + x, lambda x: 3 + x, [-1.0, 2.0]),
    "rsub": (lambda x: 3 - x, lambda x: 3 - x, [-1.0, 2.0]),
    "rmul": (lambda x: 3 * x, lambda x: 3 * x, [-1.0, 2.0]),
    "rdiv": (lambda x: 3 / x, lambda x: 3 / x, [-1.0, 0.5, 2.0]),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "pow": (lambda a, b: a**b, lambda a, b: a**b),
}
BINARY_POINTS = [(1.5, 2.0), (0.3, -1.2), (4.0, 0.5), (2.5, 3.0)]


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_value_and_gradient(name):
    fn, ref, points = UNARY[name]
    for x in points:
        out = fn(Value(x))
        assert out.data == pytest.approx(ref(x), rel=1e-12, abs=1e-15)
        assert gradcheck(fn, [x])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_value_and_gradient(name):
    fn, ref = BINARY[name]
    for a, b in BINARY_POINTS:
        assert fn(Value(a), Value(b)).data == pytest.approx(ref(a, b), rel=1e-12)
        assert fn(Value(a), b).data == pytest.approx(ref(a, b), rel=1e-12)
        assert fn(a, Value(b)).data == pytest.approx(ref(a, b), rel=1e-12)
        assert gradcheck(fn, [a, b])


def test_nary_sum_and_dot_are_single_nodes_with_right_gradients():
    xs = [Value(float(i) - 1.5) for i in range(4)]
    s = vsum(xs)
    assert s.op == "sum" and len(s._parents) == 4
    assert s.data == sum(x.data for x in xs)
    assert gradcheck(lambda *v: vsum(v) * vsum(v), [0.5, -1.0, 2.0])
    w = [Value(0.5), Value(-2.0)]
    b = Value(0.25)
    d = dot(w, [3.0, 4.0], b)
    assert d.op == "dot" and d.data == 0.25 + 0.5 * 3.0 + -2.0 * 4.0
    d.backward()
    assert [wi.grad for wi in w] == [3.0, 4.0] and b.grad == 1.0
    assert gradcheck(lambda a, b, c, x, y: dot([a, b], [x, y], c) ** 2, [0.1, 0.2, 0.3, 0.4, 0.5])
    with pytest.raises(ValueError, match="2 weights and 3 inputs"):
        dot(w, [1.0, 2.0, 3.0])
    assert vsum([]).data == 0.0


# ------------------------------------------------------------------ edge values, torch semantics
def test_floating_point_edges_follow_torch():
    assert Value(0.0).log().data == -math.inf
    assert math.isnan(Value(-1.0).log().data)
    assert math.isnan(Value(-1.0).sqrt().data)
    assert (Value(1.0) / 0.0).data == math.inf
    assert math.isnan((Value(0.0) / 0.0).data)
    assert (Value(0.0) ** -1).data == math.inf
    assert math.isnan((Value(-8.0) ** (1 / 3)).data)
    assert Value(1000.0).exp().data == math.inf
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0  # relu'(0) = 0
    x = Value(0.0)
    x.abs().backward()
    assert x.grad == 0.0  # |x|'(0) = 0


def test_tanh_and_sigmoid_saturate_without_overflow_or_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x, t, s in [(1000.0, 1.0, 1.0), (-1000.0, -1.0, 0.0)]:
            vt, vs = Value(x), Value(x)
            assert vt.tanh().data == t and vs.sigmoid().data == s
            vt.tanh().backward()
            vs.sigmoid().backward()
            assert vt.grad == 0.0 and vs.grad == 0.0
        assert Value(0.0).sigmoid().data == 0.5


# ------------------------------------------------------------------ graph semantics
def test_value_used_twice_accumulates_both_paths():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    a = Value(2.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_chained_sharing_b_equals_a_plus_a():
    a = Value(-4.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0 and c.grad == 1.0


def test_diamond():
    x = Value(0.5)
    left, right = x.sin(), x.exp()
    out = left * right
    out.backward()
    expected = math.cos(0.5) * math.exp(0.5) + math.sin(0.5) * math.exp(0.5)
    assert x.grad == pytest.approx(expected, rel=1e-14)


def test_backward_twice_doubles_gradients_and_zeroing_resets():
    x, y = Value(1.5), Value(-0.5)
    out = (x * y).tanh() + x
    out.backward()
    gx, gy = x.grad, y.grad
    out.backward()
    assert x.grad == pytest.approx(2 * gx) and y.grad == pytest.approx(2 * gy)
    x.grad = y.grad = 0.0
    out.backward()
    assert (x.grad, y.grad) == (gx, gy)


def test_backward_with_explicit_seed_scales_gradients():
    x = Value(2.0)
    (x * x).backward(0.5)
    assert x.grad == 2.0


def test_interior_nodes_receive_gradients():
    x = Value(2.0)
    h = x * 3.0
    out = h * h
    out.backward()
    assert h.grad == 2 * h.data and x.grad == 2 * h.data * 3.0


def test_million_node_chain_has_no_recursion_error():
    x = Value(1.0)
    node = x
    for _ in range(1_000_000):
        node = node + 1.0
    node.backward()
    assert x.grad == 1.0
    assert node.data == 1_000_001.0


def test_graph_is_freed_without_the_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        out = vsum([(x * 2.0).tanh() + x.exp() for _ in range(100)])
        out.backward()
        del out
        # Everything the graph held was freed by reference counting: no cycles to collect.
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_paper_example_gradient():
    x1, x2 = Value(1.5), Value(0.5)
    f = (x2.sin() + 1) / (x2 + x1.exp()) + x1 * x2
    f.backward()
    assert x2.grad == pytest.approx(1.6165488003791766, rel=1e-15)


# ------------------------------------------------------------------ grad()
def test_grad_wrt_leaves_and_interior_without_touching_dot_grad():
    x = Value(0.3)
    h = x.sin()
    out = h * h + x
    gx, gh = grad(out, [x, h])
    assert gh == pytest.approx(2 * math.sin(0.3))
    assert gx == pytest.approx(2 * math.sin(0.3) * math.cos(0.3) + 1)
    assert x.grad == 0.0 and h.grad == 0.0


def test_grad_of_unrelated_input_is_zero():
    x, y = Value(1.0), Value(2.0)
    assert grad(x * 3.0, [y]) == [0.0]
    assert grad(x * 3.0, y) == [0.0]


@pytest.mark.parametrize(
    "fn, second",
    [
        (lambda x: x.sin(), lambda x: -math.sin(x)),
        (lambda x: x.exp(), math.exp),
        (lambda x: x.tanh(), lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2)),
        (lambda x: x**3, lambda x: 6 * x),
        (lambda x: x.sigmoid(), lambda x: (s := 1 / (1 + math.exp(-x))) * (1 - s) * (1 - 2 * s)),
        (lambda x: x.log(), lambda x: -1 / x**2),
        (lambda x: 1 / x, lambda x: 2 / x**3),
    ],
)
def test_second_derivatives_match_closed_forms(fn, second):
    for x0 in [0.3, 1.7]:
        x = Value(x0)
        (first,) = grad(fn(x), [x], create_graph=True)
        assert isinstance(first, Value)
        (d2,) = grad(first, [x])
        assert d2 == pytest.approx(second(x0), rel=1e-12)


def test_third_derivative_of_cube_and_mixed_partial():
    x = Value(2.0)
    (d1,) = grad(x**3, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert (d1.data, d2.data, d3) == (12.0, 12.0, 6.0)
    a, b = Value(0.5), Value(1.5)
    (da,) = grad(a * b.sin() * a, [a], create_graph=True)  # 2 a sin(b)
    (dab,) = grad(da, [b])
    assert dab == pytest.approx(2 * 0.5 * math.cos(1.5))


# ------------------------------------------------------------------ no_grad
def test_no_grad_records_nothing_and_restores_mode():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x + 1.0
    assert is_grad_enabled()
    assert y.data == 5.0 and y._parents == ()
    y.backward()
    assert x.grad == 0.0

    @no_grad()
    def f(v):
        return v.exp()

    assert f(x)._parents == () and is_grad_enabled()


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()


# ------------------------------------------------------------------ types and errors
@pytest.mark.parametrize("bad", ["1.0", None, [1.0], True, np.bool_(True), {"a": 1}, 1 + 2j])
def test_value_rejects_non_numbers_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize(
    "good", [3, 2.5, np.float64(1.5), np.float32(0.5), np.int64(4), np.int32(-2)]
)
def test_value_accepts_ints_floats_and_numpy_scalars(good):
    v = Value(good)
    assert type(v.data) is float and v.data == float(good) and v.grad == 0.0


def test_operators_reject_non_numbers():
    x = Value(1.0)
    for bad in ["a", None, [1.0], True]:
        with pytest.raises(TypeError):
            x + bad
        with pytest.raises(TypeError):
            bad * x


def test_numpy_scalar_on_the_left_gives_a_value():
    out = np.float64(2.0) * Value(3.0)
    assert isinstance(out, Value) and out.data == 6.0
    out = np.int64(-1) * Value(3.0)
    assert isinstance(out, Value) and out.data == -3.0


def test_gradcheck_reports_the_input_that_disagrees():
    from minitorch_nn.autograd import OPS, Op

    rule = OPS["sin"]
    broken = Op("sin", "sin", lambda m, xs, out: (2.0,), rule.forward, rule.array_forward)
    with pytest.raises(AssertionError, match=r"input 1 .*analytic gradient 2\.0"):
        gradcheck(lambda a, b: a * 1.0 + Value.apply(broken, (b,)), [0.3, 0.4])


def test_numerical_grad_central_difference():
    (g,) = numerical_grad(lambda x: x * x * x, [2.0])
    assert g == pytest.approx(12.0, rel=1e-8)


def test_repr_and_label():
    v = Value(2.0, label="w")
    assert repr(v) == "Value(data=2.0, grad=0.0, label='w')"
    assert (v * 2).op == "mul" and v.op == ""


# ------------------------------------------------------------------ random expressions
_UNARY_SAFE = ["tanh", "sigmoid", "sin", "cos", "exp_small", "square", "softplus"]


def _apply_unary(name: str, v):
    if name == "exp_small":
        return (v * 0.1).exp()
    if name == "square":
        return v * v
    if name == "softplus":
        return (v.exp() + 1.0).log()
    return getattr(v, name)()


@st.composite
def expressions(draw):
    """A random program over 3 inputs; each step reuses earlier nodes (shared subexpressions)."""
    n_inputs = 3
    steps = []
    for i in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["unary", "add", "mul", "sub", "div", "sum", "dot"]))
        pool = n_inputs + i
        a = draw(st.integers(0, pool - 1))
        b = draw(st.integers(0, pool - 1))
        steps.append((kind, a, b, draw(st.sampled_from(_UNARY_SAFE))))
    xs = draw(st.lists(st.floats(-2, 2, allow_nan=False), min_size=3, max_size=3))
    return steps, xs


def _run(steps, *inputs):
    nodes = list(inputs)
    for kind, a, b, unary in steps:
        x, y = nodes[a], nodes[b]
        if kind == "unary":
            nodes.append(_apply_unary(unary, x))
        elif kind == "add":
            nodes.append(x + y)
        elif kind == "mul":
            nodes.append(x * y)
        elif kind == "sub":
            nodes.append(x - y)
        elif kind == "div":
            nodes.append(x / (y * y + 1.0))
        elif kind == "sum":
            nodes.append(vsum([x, y, x]))
        else:
            nodes.append(dot([x, y], [y, 0.5], x))
    return nodes[-1]


@settings(max_examples=60, deadline=None)
@given(expressions())
def test_random_expressions_pass_gradcheck(expr):
    steps, xs = expr
    out = _run(steps, *[Value(x) for x in xs])
    if not all(math.isfinite(v) for v in [out.data]) or abs(out.data) > 1e6:
        return
    assert gradcheck(lambda *v: _run(steps, *v), xs, atol=1e-4, rtol=1e-3)


# ------------------------------------------------------------------ parity with PyTorch float64
def _torch_unary(torch, name):
    return {
        "neg": lambda t: -t,
        "exp": torch.exp,
        "log": torch.log,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "sin": torch.sin,
        "cos": torch.cos,
        "sqrt": torch.sqrt,
        "abs": torch.abs,
        "pow_const": lambda t: t**3,
        "pow_frac": lambda t: t**0.5,
        "rpow": lambda t: 2**t,
        "radd": lambda t: 3 + t,
        "rsub": lambda t: 3 - t,
        "rmul": lambda t: 3 * t,
        "rdiv": lambda t: 3 / t,
    }[name]


def _close(a: float, b: float, rel: float = 1e-9) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-300


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops_match_torch_float64(torch, name):
    fn, _, points = UNARY[name]
    tfn = _torch_unary(torch, name)
    edge = {"log": [0.0, -1.0], "sqrt": [0.0, -1.0], "relu": [0.0], "abs": [0.0]}
    for x0 in points + edge.get(name, []) + [1000.0, -1000.0]:
        v = Value(x0)
        out = fn(v)
        out.backward()
        t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        tout = tfn(t)
        tout.backward()
        assert _close(out.data, tout.item()), (name, x0, out.data, tout.item())
        assert _close(v.grad, t.grad.item()), (name, x0, v.grad, t.grad.item())


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_match_torch_float64(torch, name):
    fn, _ = BINARY[name]
    points = BINARY_POINTS + [(0.0, 2.0), (0.0, 0.0), (-2.0, 3.0), (1.0, 0.0)]
    for a0, b0 in points:
        a, b = Value(a0), Value(b0)
        out = fn(a, b)
        out.backward()
        ta = torch.tensor(a0, dtype=torch.float64, requires_grad=True)
        tb = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
        tout = fn(ta, tb)
        tout.backward()
        assert _close(out.data, tout.item()), (name, a0, b0)
        assert _close(a.grad, ta.grad.item()), (name, a0, b0, a.grad, ta.grad.item())
        assert _close(b.grad, tb.grad.item()), (name, a0, b0, b.grad, tb.grad.item())


@settings(max_examples=40, deadline=None)
@given(expressions())
def test_random_expressions_match_torch(expr):
    torch = require_torch()
    steps, xs = expr
    vals = [Value(x) for x in xs]
    out = _run(steps, *vals)
    if not math.isfinite(out.data):
        return
    out.backward()

    class T:  # torch tensors behind the Value-style method names the program uses
        def __init__(self, t):
            self.t = t

        def _w(self, o):
            return o.t if isinstance(o, T) else o

        def __add__(self, o):
            return T(self.t + self._w(o))

        def __sub__(self, o):
            return T(self.t - self._w(o))

        def __mul__(self, o):
            return T(self.t * self._w(o))

        def __truediv__(self, o):
            return T(self.t / self._w(o))

        def __getattr__(self, name):
            return lambda: T(getattr(torch, name)(self.t))

    import minitorch_nn.engine.functional as F

    def tsum(items):
        total = items[0]
        for item in items[1:]:
            total = total + item
        return total

    def tdot(ws, xs_, b):
        return tsum([b] + [w * x for w, x in zip(ws, xs_)])

    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    globals_backup = (F.vsum, F.dot)
    try:
        # The program calls vsum/dot through this module's names: swap them for torch versions.
        g = globals()
        g["vsum"], g["dot"] = tsum, tdot
        tout = _run(steps, *[T(t) for t in ts]).t
    finally:
        g["vsum"], g["dot"] = globals_backup
    tout.backward()
    assert _close(out.data, tout.item(), 1e-9)
    for v, t in zip(vals, ts):
        tg = 0.0 if t.grad is None else t.grad.item()
        assert _close(v.grad, tg, 1e-8) or abs(v.grad - tg) < 1e-10


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
