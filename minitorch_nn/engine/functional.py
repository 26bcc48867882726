"""n-ary scalar ops and the user-facing ``grad``: one node for a whole sum or dot product."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..autograd import graph
from .ops import DOT_ACTIVATIONS, RULES
from .value import _SWITCH, Value, _apply, _as_operand, _fast

_apply_mixed = _apply  # the generic constructor: Values and float constants


def _apply_values(rule: Any, args: tuple[Value, ...]) -> Value:
    """rule(*args) when every arg is a Value: the hot path of vsum and dot."""
    if _fast is not None and _SWITCH.enabled:
        return _fast.apply_values(Value, rule, args)
    return _apply(rule, args)


def _dense(
    rule: Any,
    rows: Sequence[tuple[Sequence[Value], Value]],
    inputs: tuple[Any, ...],
    constant_inputs: bool,
) -> list[Value]:
    """``[rule(*w, *inputs, b) for w, b in rows]``: one fused neuron node per row on the same
    inputs (all Values, or all floats when ``constant_inputs``)."""
    if _fast is not None and _SWITCH.enabled:
        return _fast.dense(Value, rule, rows, inputs, constant_inputs)
    return [_apply(rule, (*ws, *inputs, b)) for ws, b in rows]


_SUM, _DOT, _SUMSQ = RULES["sum"], RULES["dot"], RULES["sumsq"]
_NEURON_RULES = {name: RULES[rule] for name, rule in DOT_ACTIVATIONS.items()}
_PLAIN = frozenset((Value, float))  # operand types that need no conversion


def _operands(xs: Iterable[Any], what: str) -> list[Any]:
    out = []
    for x in xs:
        v = _as_operand(x)
        if v is NotImplemented:
            raise TypeError(f"{what}: expected Values or numbers, got {type(x).__name__}")
        out.append(v)
    return out


def _constants_checked(args: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    """``args`` with every non-Value as a float constant (TypeError for non-numbers)."""
    if set(map(type, args)) <= _PLAIN:
        return args
    return tuple(_operands(args, what))


def vsum(values: Iterable[Any]) -> Value:
    """x_1 + ... + x_n as a single node; d/dx_i = 1. An empty sum is Value(0.0)."""
    args = tuple(values)
    if not args:
        return Value(0.0)
    if list(map(type, args)).count(Value) == len(args):  # all Values (_all_values, inlined)
        return _apply_values(_SUM, args)
    return _apply_mixed(_SUM, _constants_checked(args, "vsum"))


def sumsq(values: Iterable[Any]) -> Value:
    """x_1^2 + ... + x_n^2 as a single node; d/dx_i = 2 x_i. An empty sum is Value(0.0)."""
    args = tuple(values)
    if not args:
        return Value(0.0)
    if list(map(type, args)).count(Value) == len(args):
        return _apply_values(_SUMSQ, args)
    return _apply_mixed(_SUMSQ, _constants_checked(args, "sumsq"))


def _neuron_rule(activation: str | None) -> Any:
    rule = _NEURON_RULES.get(activation)
    if rule is None:
        known = ", ".join(repr(k) for k in _NEURON_RULES)
        raise ValueError(f"unknown activation {activation!r}; expected one of {known}")
    return rule


def dense(
    rows: Sequence[tuple[Sequence[Value], Value]],
    inputs: Sequence[Any],
    activation: str | None = None,
) -> list[Value]:
    """``[dot(w, inputs, b, activation) for w, b in rows]``: a layer of neurons on one sample,
    one node per neuron, the inputs' data gathered once for the layer."""
    rule = _neuron_rule(activation)
    inputs = tuple(inputs)
    n = len(inputs)
    for w, b in rows:
        if len(w) != n or type(b) is not Value or list(map(type, w)).count(Value) != n:
            return [dot(w, inputs, b, activation) for w, b in rows]  # checks and converts
    return dense_trusted(rule, rows, inputs)


def dense_trusted(
    rule: Any, rows: Sequence[tuple[Sequence[Value], Value]], inputs: tuple[Any, ...]
) -> list[Value]:
    """:func:`dense` for rows known to hold Values only, ``len(inputs)`` weights each (a
    layer's own parameters): only the inputs are looked at."""
    n = len(inputs)
    types = list(map(type, inputs))
    if types.count(Value) == n:
        return _dense(rule, rows, inputs, False)
    if types.count(float) == n:
        return _dense(rule, rows, inputs, True)
    return [_dot_rule(rule, w, inputs, b) for w, b in rows]


def neuron_rule(activation: str | None) -> Any:
    """The op rule of a neuron ``act(b + w.x)`` (``dot``, ``dot_relu``, ``dot_tanh``,
    ``dot_sigmoid``); ValueError for an unknown activation."""
    return _neuron_rule(activation)


def dot(
    weights: Sequence[Any],
    inputs: Sequence[Any],
    bias: Any = 0.0,
    activation: str | None = None,
) -> Value:
    """act(b + w_1 x_1 + ... + w_n x_n) as a single node (act = identity when ``activation``
    is None, else "relu", "tanh" or "sigmoid"); with z = b + w.x: d/dw_i = act'(z) x_i,
    d/dx_i = act'(z) w_i, d/db = act'(z)."""
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot: {len(weights)} weights and {len(inputs)} inputs; expected equal lengths"
        )
    return _dot_rule(
        _DOT if activation is None else _neuron_rule(activation), weights, inputs, bias
    )


def _dot_rule(rule: Any, weights: Sequence[Any], inputs: Sequence[Any], bias: Any) -> Value:
    n = len(weights)
    if list(map(type, weights)).count(Value) == n and type(bias) is Value:
        types = list(map(type, inputs))
        if types.count(Value) == n or types.count(float) == n:  # a neuron: the layer path
            return _dense(rule, ((weights, bias),), tuple(inputs), types.count(float) == n)[0]
    return _apply_mixed(rule, _constants_checked((*weights, *inputs, bias), "dot"))


def grad(output: Value, inputs: Sequence[Value] | Value, create_graph: bool = False) -> list[Any]:
    """d(output)/d(input) for every input, leaf or interior; no ``.grad`` changes.

    With ``create_graph=True`` the gradients are Values with a graph of their own, so they
    can be differentiated again: ``grad(grad(f, [x], create_graph=True)[0], [x])``.
    An input that ``output`` does not depend on gets 0.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    seq = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    for i, x in enumerate(seq):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
    seed: Any = Value(1.0) if create_graph else 1.0
    result = graph.grad(output, list(seq), seed, create_graph)
    if create_graph:
        result = [g if isinstance(g, Value) else Value(g) for g in result]
    return result
