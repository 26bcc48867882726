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

from minitorch_nn import Value, dot, grad, gradcheck, vsum
from minitorch_nn.engine import numerical_grad

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
