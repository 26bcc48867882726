"""Op rules: the forward value and the local derivatives of every scalar operation.

This module is plain float math and needs no autograd to test. Each operation appears
exactly once, as an :class:`OpRule`: a ``forward`` on floats and a ``derivative`` written
against a small math namespace ``m``. The engine evaluates a derivative with
:data:`FLOAT_MATH` for an ordinary backward pass, and with a namespace of differentiable
operations when ``grad(..., create_graph=True)`` asks for gradients that are themselves
differentiable. One rule therefore serves first and higher derivatives.

Floating-point behaviour follows PyTorch float64 rather than Python's ``math`` errors:
``log(0) = -inf``, ``log(-1) = nan``, ``sqrt(-1) = nan``, ``1/0 = inf``, overflow gives ``inf``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import mul as _mul
from typing import Any

from .autodiff import Zeros

inf = math.inf
nan = math.nan


# ---------------------------------------------------------------- float math, torch semantics
def add(a: float, b: float) -> float:
    return a + b


def sub(a: float, b: float) -> float:
    return a - b


def mul(a: float, b: float) -> float:
    return a * b


def neg(a: float) -> float:
    return -a


def div(a: float, b: float) -> float:
    """a / b with IEEE results instead of ZeroDivisionError: 1/0 = inf, 0/0 = nan."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == int(y) and int(y) % 2 == 1


def pow(a: float, b: float) -> float:  # noqa: A001 - the op's name
    """a ** b as torch.pow: 0**-1 = inf, (-8)**(1/3) = nan, overflow = inf."""
    try:
        return math.pow(a, b)
    except OverflowError:
        return -inf if a < 0 and _is_odd_integer(b) else inf
    except ValueError:
        if a == 0:  # zero to a negative power
            return math.copysign(inf, a) if _is_odd_integer(b) else inf
        return nan  # negative base, non-integer exponent


def exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return inf


def log(a: float) -> float:
    if a > 0:
        return math.log(a)
    if a == 0:
        return -inf
    return nan  # negative or nan


def sqrt(a: float) -> float:
    return math.sqrt(a) if a >= 0 else nan


def tanh(a: float) -> float:
    return math.tanh(a)  # saturates to +-1 without overflow


def sigmoid(a: float) -> float:
    """1 / (1 + exp(-a)), evaluated on the side that cannot overflow."""
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    if a != a:
        return nan
    e = exp(a)
    return e / (1.0 + e)


def relu(a: float) -> float:
    return 0.0 if a <= 0 else a  # nan passes through, as in torch


def sin(a: float) -> float:
    return math.sin(a) if math.isfinite(a) else nan


def cos(a: float) -> float:
    return math.cos(a) if math.isfinite(a) else nan


def abs(a: float) -> float:  # noqa: A001 - the op's name
    return math.fabs(a)


def step(a: float) -> float:
    """Heaviside step with step(0) = 0: the derivative of relu (torch's choice at 0)."""
    return 1.0 if a > 0 else 0.0


def sign(a: float) -> float:
    """sign(0) = 0: the derivative of abs (torch's choice at 0)."""
    if a > 0:
        return 1.0
    if a < 0:
        return -1.0
    return a  # 0.0 or nan


def value_of(a: float) -> float:
    return a


class FloatMath:
    """The namespace ``m`` for derivatives evaluated on plain floats."""

    div = staticmethod(div)
    pow = staticmethod(pow)
    exp = staticmethod(exp)
    log = staticmethod(log)
    sqrt = staticmethod(sqrt)
    sin = staticmethod(sin)
    cos = staticmethod(cos)
    step = staticmethod(step)
    sign = staticmethod(sign)
    value_of = staticmethod(value_of)


FLOAT_MATH = FloatMath()


# ---------------------------------------------------------------- all-zero local derivatives
# Zeros (from the shared walk, which skips such nodes) marks a dead neuron's local derivatives.
_ZEROS: dict[int, Zeros] = {}


def zeros(n: int) -> Zeros:
    """The shared :class:`Zeros` of length ``n``."""
    z = _ZEROS.get(n)
    if z is None:
        z = _ZEROS[n] = Zeros((0.0,) * n)
    return z


def select(local: Sequence[Any], mask: Sequence[bool], n: int) -> tuple[Any, ...]:
    """The local derivatives at the ``n`` positions that ``mask`` marks (Zeros stay Zeros)."""
    if type(local) is Zeros:
        return zeros(n)
    return tuple(compress(local, mask))


# ---------------------------------------------------------------- the rule table
@dataclass(frozen=True)
class OpRule:
    """One operation: ``forward(*xs) -> float`` and ``derivative(m, xs, out) -> d out/d xs``.

    ``derivative`` returns one local derivative per input, in input order. ``symbol`` is how
    the op is printed and drawn.
    """

    name: str
    forward: Callable[..., float]
    derivative: Callable[[Any, Sequence[Any], Any], Sequence[Any]]
    symbol: str
    neuron: NeuronParts | None = None  # a fused neuron's parts (dot and dot_<act> rules)


def _pow_derivative(m: Any, xs: Sequence[Any], out: Any) -> tuple[Any, Any]:
    """d/da a^b = b * a^(b-1) (0 where b == 0); d/db a^b = a^b * log(a) (0 where a == 0, b >= 0)."""
    a, b = xs
    av, bv = m.value_of(a), m.value_of(b)
    da = 0.0 if bv == 0 else b * m.pow(a, b - 1.0)
    db = 0.0 if av == 0 and bv >= 0 else out * m.log(a)
    return da, db


def _sum_forward(*xs: float) -> float:
    total = 0.0
    for x in xs:
        total += x
    return total


# Python < 3.12 adds floats in sum() with plain double additions, left to right: exactly
# ``total += x``. From 3.12 on sum() compensates rounding, so the loop is written out there.
_PLAIN_SUM = sys.version_info < (3, 12)


def _dot_forward(*xs: float) -> float:
    """xs = (w_1..w_n, x_1..x_n, b): b + w_1*x_1 + ... + w_n*x_n, summed left to right."""
    return _dot_value(xs)


def _dot_value(xs: Sequence[float]) -> float:
    """:func:`_dot_forward` on the sequence ``xs`` itself (no argument unpacking)."""
    n = len(xs) // 2
    return neuron_sum(xs[:n], xs[n : 2 * n], xs[-1])


def neuron_sum(w: Sequence[float], x: Sequence[float], b: float) -> float:
    """z = b + w_1*x_1 + ... + w_n*x_n, summed left to right."""
    if _PLAIN_SUM:
        return sum(map(_mul, w, x), b)
    total = b
    for wi, xi in zip(w, x):
        total += wi * xi
    return total


def neuron_local(
    d: float, z: float, w: Sequence[float], x: Sequence[float], inputs_too: bool
) -> tuple[float, ...]:
    """The local derivatives of act(z), z = b + w.x, from d = act'(z), on floats:
    d/dw_i = d x_i, then (when ``inputs_too``) d/dx_i = d w_i, then d/db = d.

    A dead neuron (d = 0 at a finite ``z``; z is finite only when every input is) gives the
    shared :func:`zeros`, which backward skips.
    """
    if d == 1.0:  # 1 * v is v (also for inf and nan): no products
        return _dot_local(w, x, inputs_too)
    if d == 0.0 and math.isfinite(z):
        return zeros(len(x) + len(w) + 1 if inputs_too else len(x) + 1)
    return tuple(map(_mul, repeat(d), _dot_local(w, x, inputs_too)))


def _dot_local(w: Sequence[Any], x: Sequence[Any], inputs_too: bool) -> tuple[Any, ...]:
    """The local derivatives of b + w.x: d/dw_i = x_i, then (when ``inputs_too``)
    d/dx_i = w_i, then d/db = 1."""
    return (*x, *w, 1.0) if inputs_too else (*x, 1.0)


def _dot_derivative(m: Any, xs: Sequence[Any], out: Any) -> tuple[Any, ...]:
    """xs = (w_1..w_n, x_1..x_n, b): d/dw_i = x_i, d/dx_i = w_i, d/db = 1."""
    n = len(xs) // 2
    return _dot_local(xs[:n], xs[n : 2 * n], True)


@dataclass(frozen=True)
class NeuronParts:
    """A fused neuron rule in parts, for an engine that builds a layer at a time:
    out = act(z) with z = :func:`neuron_sum`, act'(z) = ``act_derivative(m, out)``, and the
    local derivatives from :func:`neuron_local`."""

    act: Callable[[float], float]
    act_derivative: Callable[[Any, Any], Any]


def _dot_act(
    name: str,
    act: Callable[[float], float],
    act_derivative: Callable[[Any, Any], Any],
    symbol: str,
) -> OpRule:
    """The fused neuron ``act(b + w.x)`` as one op: z = dot(w, x, b) as in ``dot``, out = act(z).

    d/dw_i = act'(z) x_i, d/dx_i = act'(z) w_i, d/db = act'(z), where
    ``act_derivative(m, out)`` gives act'(z) from the output.
    """

    def forward(*xs: float) -> float:
        return act(_dot_value(xs))

    def derivative(m: Any, xs: Sequence[Any], out: Any) -> tuple[Any, ...]:
        d = act_derivative(m, out)
        if type(d) is float and m is FLOAT_MATH:
            n = len(xs) // 2
            finite = sum(xs) if d == 0.0 else 0.0  # finite exactly when every input is
            return neuron_local(d, finite, xs[:n], xs[n : 2 * n], True)
        return tuple(map(_mul, repeat(d), _dot_derivative(m, xs, out)))

    return OpRule(name, forward, derivative, symbol, NeuronParts(act, act_derivative))


def _sumsq_forward(*xs: float) -> float:
    """x_1^2 + ... + x_n^2, summed left to right from 0.0."""
    if _PLAIN_SUM:
        return sum(map(_mul, xs, xs), 0.0)
    total = 0.0
    for x in xs:
        total += x * x
    return total


def _sumsq_derivative(m: Any, xs: Sequence[Any], out: Any) -> tuple[Any, ...]:
    """d/dx_i (x_1^2 + ... + x_n^2) = 2 x_i."""
    return tuple(map(_mul, repeat(2.0), xs))


DOT_ACTIVATIONS: dict[str | None, str] = {
    None: "dot",
    "relu": "dot_relu",
    "tanh": "dot_tanh",
    "sigmoid": "dot_sigmoid",
}
"""The rule of a neuron ``act(b + w.x)`` for each activation name (None: plain ``dot``)."""

RULES: dict[str, OpRule] = {
    rule.name: rule
    for rule in (
        OpRule("add", add, lambda m, xs, out: (1.0, 1.0), "+"),
        OpRule("sub", sub, lambda m, xs, out: (1.0, -1.0), "-"),
        OpRule("mul", mul, lambda m, xs, out: (xs[1], xs[0]), "*"),
        # d/da a/b = 1/b ; d/db a/b = -(a/b)/b
        OpRule("div", div, lambda m, xs, out: (m.div(1.0, xs[1]), -m.div(out, xs[1])), "/"),
        OpRule("neg", neg, lambda m, xs, out: (-1.0,), "neg"),
        OpRule("pow", pow, _pow_derivative, "**"),
        # d/dx exp(x) = exp(x)
        OpRule("exp", exp, lambda m, xs, out: (out,), "exp"),
        # d/dx log(x) = 1/x
        OpRule("log", log, lambda m, xs, out: (m.div(1.0, xs[0]),), "log"),
        # d/dx tanh(x) = 1 - tanh(x)^2
        OpRule("tanh", tanh, lambda m, xs, out: (1.0 - out * out,), "tanh"),
        # d/dx sigmoid(x) = sigmoid(x) * (1 - sigmoid(x))
        OpRule("sigmoid", sigmoid, lambda m, xs, out: (out * (1.0 - out),), "sigmoid"),
        # d/dx relu(x) = 1 if x > 0 else 0
        OpRule("relu", relu, lambda m, xs, out: (m.step(xs[0]),), "relu"),
        # d/dx sin(x) = cos(x) ; d/dx cos(x) = -sin(x)
        OpRule("sin", sin, lambda m, xs, out: (m.cos(xs[0]),), "sin"),
        OpRule("cos", cos, lambda m, xs, out: (-m.sin(xs[0]),), "cos"),
        # d/dx sqrt(x) = 1 / (2 sqrt(x))
        OpRule("sqrt", sqrt, lambda m, xs, out: (m.div(0.5, out),), "sqrt"),
        # d/dx |x| = sign(x), 0 at 0
        OpRule("abs", abs, lambda m, xs, out: (m.sign(xs[0]),), "abs"),
        # d/dx_i (x_1 + ... + x_n) = 1
        OpRule("sum", _sum_forward, lambda m, xs, out: (1.0,) * len(xs), "sum"),
        # act = identity: act'(z) = 1
        OpRule("dot", _dot_forward, _dot_derivative, "dot", NeuronParts(float, lambda m, out: 1.0)),
        # relu(dot): act'(z) = 1 if z > 0 else 0, and z > 0 exactly when out > 0
        _dot_act("dot_relu", relu, lambda m, out: m.step(out), "dot_relu"),
        # tanh(dot): act'(z) = 1 - tanh(z)^2
        _dot_act("dot_tanh", tanh, lambda m, out: 1.0 - out * out, "dot_tanh"),
        # sigmoid(dot): act'(z) = s (1 - s)
        _dot_act("dot_sigmoid", sigmoid, lambda m, out: out * (1.0 - out), "dot_sigmoid"),
        OpRule("sumsq", _sumsq_forward, _sumsq_derivative, "sumsq"),
    )
}
