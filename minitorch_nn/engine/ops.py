"""The scalar engine's own n-ary ops: sum, dot, the fused neurons and the sum of squares.

The elementwise ops (``+``, ``exp``, ``relu`` ...) are defined once for both engines in
:mod:`minitorch_nn.autograd.rules`; the ops here exist only on scalars, where one node for a
whole sum or neuron saves a node per term. Each is an :class:`OpRule`: a ``forward`` on floats
and a ``derivative(m, xs, out)`` written against a math namespace, as the elementwise rules.
"""

from __future__ import annotations

import math
import sys
from collections import ChainMap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import mul as _mul
from typing import Any

from ..autograd.graph import Zeros
from ..autograd.rules import FLOAT_MATH, OPS, relu, sigmoid

tanh = math.tanh


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
            z = _dot_value(xs) if d == 0.0 else 0.0  # z decides whether the neuron is dead
            return neuron_local(d, z, xs[:n], xs[n : 2 * n], True)
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

NARY: dict[str, OpRule] = {
    rule.name: rule
    for rule in (
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
"""The scalar engine's n-ary rules, by name."""

RULES: ChainMap[str, Any] = ChainMap(OPS, NARY)
"""Every rule a Value can be made by: the elementwise ops of both engines and the n-ary ones."""
