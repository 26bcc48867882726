"""The scalar ``Value``: a float that records how it was computed.

A Value keeps its inputs (``_args``), the ones among them that are Values (``_parents``),
the op rule that made it (``_op``) and the local derivatives towards each parent
(``_local``, plain floats). It keeps no closure, so a graph holds no reference cycles and is
freed as soon as the user drops its output. The derivative rules live in :mod:`.ops`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Union  # noqa: UP035

from . import autodiff
from . import ops as _ops
from .mode import _mode
from .ops import RULES, OpRule

Number = int | float
Operand = Union["Value", int, float]  # noqa: UP007 - forward reference

_ADD, _SUB, _MUL, _DIV, _NEG, _POW = (RULES[k] for k in ("add", "sub", "mul", "div", "neg", "pow"))
_SUM, _DOT = RULES["sum"], RULES["dot"]
_FLOAT_MATH = _ops.FLOAT_MATH


def _check_number(x: Any, what: str = "Value data") -> float:
    """``x`` as a float, or TypeError naming its type: ints, floats and numpy scalars only."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or type(x).__name__ == "bool_" or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{what} must be an int, float or numpy scalar, got {type(x).__name__}: {x!r}"
        )
    return float(x)


def _as_operand(x: Any) -> Any:
    """A Value stays a Value; a plain number becomes a float; anything else: NotImplemented."""
    if type(x) is Value or type(x) is float:
        return x
    if isinstance(x, Value):
        return x
    try:
        return _check_number(x, "operand")
    except TypeError:
        return NotImplemented


class Value(autodiff.Node):
    """A scalar with a gradient. ``Value(2.0) * 3`` records a ``mul`` node; ``backward()``
    fills ``.grad`` of every node it depends on."""

    __slots__ = ("data", "grad", "label", "_op", "_args", "_parents", "_local", "_g")

    data: float
    grad: float
    label: str
    _op: OpRule | None
    _args: tuple[Any, ...]
    _parents: tuple[Value, ...]
    _local: tuple[float, ...]
    _g: Any

    def __init__(self, data: Any, label: str = "") -> None:
        self.data = _check_number(data)
        self.grad = 0.0
        self.label = label
        self._op = None
        self._args = ()
        self._parents = ()
        self._local = ()
        self._g = None

    # ------------------------------------------------------------ building nodes
    @staticmethod
    def apply(rule: OpRule, args: Sequence[Any]) -> Value:
        """A new node ``rule(*args)``; ``args`` are Values or floats (constants)."""
        xs = [a.data if type(a) is Value else a for a in args]
        out_data = rule.forward(*xs)
        out = Value.__new__(Value)
        out.data = out_data
        out.grad = 0.0
        out.label = ""
        out._op = rule
        out._g = None
        if not _mode.enabled:
            out._args = out._parents = out._local = ()
            return out
        local = rule.derivative(_FLOAT_MATH, xs, out_data)
        args = tuple(args)
        parents = []
        locs = []
        for a, d in zip(args, local):
            if type(a) is Value:
                parents.append(a)
                locs.append(d)
        out._args = args
        out._parents = args if len(parents) == len(args) else tuple(parents)
        out._local = tuple(locs)
        return out

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_ADD, (self, other))

    def __radd__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_ADD, (other, self))

    def __sub__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_SUB, (self, other))

    def __rsub__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_SUB, (other, self))

    def __mul__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_MUL, (self, other))

    def __rmul__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_MUL, (other, self))

    def __truediv__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_DIV, (self, other))

    def __rtruediv__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_DIV, (other, self))

    def __pow__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_POW, (self, other))

    def __rpow__(self, other: Operand) -> Value:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return Value.apply(_POW, (other, self))

    def __neg__(self) -> Value:
        return Value.apply(_NEG, (self,))

    def __pos__(self) -> Value:
        return self

    # ------------------------------------------------------------ functions
    def exp(self) -> Value:
        """e^x; d/dx = e^x."""
        return Value.apply(RULES["exp"], (self,))

    def log(self) -> Value:
        """Natural log; d/dx = 1/x. log(0) = -inf, log(x < 0) = nan."""
        return Value.apply(RULES["log"], (self,))

    def tanh(self) -> Value:
        """tanh(x); d/dx = 1 - tanh(x)^2."""
        return Value.apply(RULES["tanh"], (self,))

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x); d/dx = s(x) (1 - s(x))."""
        return Value.apply(RULES["sigmoid"], (self,))

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 if x > 0 else 0."""
        return Value.apply(RULES["relu"], (self,))

    def sin(self) -> Value:
        """sin(x); d/dx = cos(x)."""
        return Value.apply(RULES["sin"], (self,))

    def cos(self) -> Value:
        """cos(x); d/dx = -sin(x)."""
        return Value.apply(RULES["cos"], (self,))

    def sqrt(self) -> Value:
        """sqrt(x); d/dx = 1 / (2 sqrt(x)). sqrt(x < 0) = nan."""
        return Value.apply(RULES["sqrt"], (self,))

    def abs(self) -> Value:
        """|x|; d/dx = sign(x), 0 at 0."""
        return Value.apply(RULES["abs"], (self,))

    __abs__ = abs

    # ------------------------------------------------------------ gradients
    def backward(self, gradient: float = 1.0) -> None:
        """Add d(self)/d(node) * gradient into ``.grad`` of every node self depends on.

        Gradients accumulate: a node used twice gets the sum over its paths, and calling
        ``backward()`` twice doubles every ``.grad`` (use ``zero_grad`` in between).
        """
        autodiff.backward(self, _check_number(gradient, "gradient"))

    def _backprop(self, create_graph: bool) -> None:
        g = self._g
        if create_graph and self._op is not None:
            _backprop_graph(self, g)
            return
        for parent, local in zip(self._parents, self._local):
            pg = parent._g
            parent._g = local * g if pg is None else pg + local * g

    def _accumulate(self) -> None:
        self.grad += self._g

    def _zero_like(self) -> float:
        return 0.0

    # ------------------------------------------------------------ printing
    @property
    def op(self) -> str:
        """The name of the op that made this Value ('' for a leaf)."""
        return "" if self._op is None else self._op.name

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data


class ValueMath:
    """The namespace ``m`` for derivatives built from differentiable Values (create_graph)."""

    @staticmethod
    def div(a: Any, b: Any) -> Any:
        return _lift(a) / b

    @staticmethod
    def pow(a: Any, b: Any) -> Any:
        return _lift(a) ** b

    exp = staticmethod(lambda a: _lift(a).exp())
    log = staticmethod(lambda a: _lift(a).log())
    sqrt = staticmethod(lambda a: _lift(a).sqrt())
    sin = staticmethod(lambda a: _lift(a).sin())
    cos = staticmethod(lambda a: _lift(a).cos())
    # step and sign are piecewise constant: their derivative is zero, so a constant serves.
    step = staticmethod(lambda a: _ops.step(_data(a)))
    sign = staticmethod(lambda a: _ops.sign(_data(a)))
    value_of = staticmethod(lambda a: _data(a))


_VALUE_MATH = ValueMath()


def _lift(a: Any) -> Value:
    return a if isinstance(a, Value) else Value(a)


def _data(a: Any) -> float:
    return a.data if isinstance(a, Value) else float(a)


def _backprop_graph(node: Value, g: Any) -> None:
    """The chain rule with differentiable local derivatives (for create_graph=True)."""
    assert node._op is not None
    args = [a if isinstance(a, Value) else Value(a) for a in node._args]
    local = node._op.derivative(_VALUE_MATH, args, node)
    for arg, d in zip(node._args, local):
        if isinstance(arg, Value):
            contribution = d * g
            arg._g = contribution if arg._g is None else arg._g + contribution
