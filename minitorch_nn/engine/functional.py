"""n-ary scalar ops and the user-facing ``grad``: one node for a whole sum or dot product."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import autodiff
from .ops import RULES
from .value import Value, _apply_known, _apply_mixed, _apply_values, _as_operand

_SUM, _DOT = RULES["sum"], RULES["dot"]
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


def dot(weights: Sequence[Any], inputs: Sequence[Any], bias: Any = 0.0) -> Value:
    """b + w_1 x_1 + ... + w_n x_n as a single node; d/dw_i = x_i, d/dx_i = w_i, d/db = 1."""
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot: {len(weights)} weights and {len(inputs)} inputs; expected equal lengths"
        )
    args = (*weights, *inputs, bias)
    types = list(map(type, args))
    if types.count(Value) == len(args):  # all Values (_all_values, inlined)
        return _apply_values(_DOT, args)
    n = len(weights)
    if types[:n].count(Value) == n and type(bias) is Value and types[n:-1].count(float) == n:
        # A first layer: Value weights and bias, float inputs (constants, not parents).
        xs = [w.data for w in weights]
        xs += inputs
        xs.append(bias.data)
        return _apply_known(_DOT, args, xs, (*weights, bias), _constant_inputs_mask(n))
    return _apply_mixed(_DOT, _constants_checked(args, "dot"))


_MASKS: dict[int, tuple[bool, ...]] = {}


def _constant_inputs_mask(n: int) -> tuple[bool, ...]:
    """Which of dot's 2n+1 args are parents when only the inputs are constants."""
    mask = _MASKS.get(n)
    if mask is None:
        mask = _MASKS[n] = (True,) * n + (False,) * n + (True,)
    return mask


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
    result = autodiff.grad(output, list(seq), seed, create_graph)
    if create_graph:
        result = [g if isinstance(g, Value) else Value(g) for g in result]
    return result
