"""The scalar ``Value``: a float that records how it was computed.

A Value keeps its inputs (``_args``), the ones among them that are Values (``_parents``),
the op rule that made it (``_op``) and the local derivatives towards each parent
(``_local``, plain floats). It keeps no closure, so a graph holds no reference cycles and is
freed as soon as the user drops its output.

Its methods and operators are generated from the op table (:mod:`minitorch_nn.autograd.rules`):
``x.exp()`` is ``Value.apply(OPS["exp"], (x,))``, which evaluates the rule's forward and its
local derivatives on floats. ``backward`` is the shared loop (:mod:`minitorch_nn.autograd.graph`).
Faster versions of both live in :mod:`minitorch_nn.fast.scalar` and give the same numbers.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from itertools import compress
from typing import TYPE_CHECKING, Any, Union  # noqa: UP035

from ..autograd import graph, rules
from ..autograd.mode import _mode
from ..autograd.rules import FLOAT_MATH, Op
from .ops import OpRule, select

try:  # fast paths are optional: without them the generic code below computes the same
    from ..fast import SWITCH as _SWITCH
    from ..fast import scalar as _fast
except ImportError:  # pragma: no cover - the fast folder deleted
    _fast = None  # type: ignore[assignment]
    _SWITCH = None  # type: ignore[assignment]

Number = int | float
Operand = Union["Value", int, float]  # noqa: UP007 - forward reference

_next_seq = graph.next_seq  # creation numbers: a node is always numbered after its inputs
_new = object.__new__
_NO_GRAPH: tuple[Any, ...] = ()


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
    if type(x) is Value or type(x) is float or isinstance(x, Value):
        return x
    try:
        return _check_number(x, "operand")
    except TypeError:
        return NotImplemented


class Value(graph.Node):
    """A scalar with a gradient. ``Value(2.0) * 3`` records a ``mul`` node; ``backward()``
    fills ``.grad`` of every node it depends on."""

    # Value keeps object identity for == and hash: the backward walk keeps nodes in sets.
    __slots__ = (
        "data",
        "grad",
        "label",
        "_op",
        "_args",
        "_parents",
        "_local",
        "_g",
        "_seq",
        "_mark",
    )

    data: float
    grad: float
    label: str
    _op: Op | OpRule | None
    _args: tuple[Any, ...]
    _parents: tuple[Value, ...]
    _local: Sequence[float]  # a tuple, as the rule returns it
    _g: Any
    _seq: int  # creation number: a node is always numbered after its inputs
    _mark: object  # the token of the last backward walk that reached this node

    def __init__(self, data: Any, label: str = "") -> None:
        self.data = _check_number(data)
        self.grad = 0.0
        self.label = label
        self._op = None
        self._args = ()
        self._parents = ()
        self._local = ()
        self._g = None
        self._seq = _next_seq()
        self._mark = None

    if TYPE_CHECKING:  # generated from the op table at import (_install); types only

        def __add__(self, other: Operand) -> Value: ...

        __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __add__
        __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __add__

        def exp(self) -> Value: ...

        log = tanh = sigmoid = relu = sin = cos = sqrt = abs = __neg__ = __abs__ = exp

    @staticmethod
    def apply(rule: Op | OpRule, args: Sequence[Any]) -> Value:
        """A new node ``rule(*args)``; ``args`` are Values or floats (constants)."""
        args = tuple(args)
        if _fast is not None and _SWITCH.enabled and _all_values(args):
            return _fast.apply_values(Value, rule, args)
        return _apply(rule, args)

    def __pos__(self) -> Value:
        return self

    # ------------------------------------------------------------ gradients
    def backward(self, gradient: float = 1.0) -> None:
        """Add d(self)/d(node) * gradient into ``.grad`` of every node self depends on.

        Gradients accumulate: a node used twice gets the sum over its paths, and calling
        ``backward()`` twice doubles every ``.grad`` (use ``zero_grad`` in between).
        """
        seed = _check_number(gradient, "gradient")
        if _fast is not None and _SWITCH.enabled:
            _fast.backward(self, seed)
        else:
            graph.backward(self, seed)

    def _backprop(self, g: Any, create_graph: bool) -> None:
        """parent._g += g * d(self)/d(parent), with Value local derivatives if create_graph."""
        if create_graph and self._op is not None:
            _backprop_graph(self, g)
            return
        if type(self._local) is graph.Zeros:  # a dead neuron passes nothing on
            return
        for parent, local in zip(self._parents, self._local):
            pg = parent._g
            parent._g = local * g if pg is None else pg + local * g

    def _accumulate(self, g: Any) -> None:
        self.grad += g

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


# ---------------------------------------------------------------- building nodes
def _node(
    rule: Any, data: float, args: tuple[Any, ...], parents: tuple[Value, ...], local: Any
) -> Value:
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = rule
    out._args = args
    out._parents = parents
    out._local = local
    out._g = None
    out._seq = _next_seq()
    out._mark = None
    return out


def _apply(rule: Any, args: tuple[Any, ...]) -> Value:
    """rule(*args) for Values and float constants: the forward on the floats, then the local
    derivatives towards the Values, which become the parents."""
    xs = [a.data if isinstance(a, Value) else a for a in args]
    data = rule.forward(*xs)
    if not _mode.enabled:
        return _node(rule, data, _NO_GRAPH, _NO_GRAPH, _NO_GRAPH)
    local = rule.derivative(FLOAT_MATH, xs, data)
    mask = [isinstance(a, Value) for a in args]
    parents = tuple(compress(args, mask))
    return _node(rule, data, args, parents, select(local, mask, len(parents)))


def _all_values(args: tuple[Any, ...]) -> bool:
    """True when every arg is exactly a Value (one C-level pass; no per-item bytecode)."""
    return list(map(type, args)).count(Value) == len(args)


def _unary_method(op: Op) -> Callable[[Value], Value]:
    def generic(self: Value) -> Value:
        return _apply(op, (self,))

    method: Callable[[Value], Value] = generic

    if _fast is not None:
        method = _fast.unary_method(Value, op, generic)
    method.__name__ = method.__qualname__ = op.method or f"__{op.operator}__"
    method.__doc__ = _doc(op)
    return method


def _binary_method(op: Op, reflected: bool) -> Callable[[Value, Any], Any]:
    def generic(self: Value, other: Any) -> Any:
        other = _as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return _apply(op, (other, self) if reflected else (self, other))

    method: Callable[[Value, Any], Any] = generic

    if _fast is not None:
        method = _fast.binary_method(Value, op, reflected, generic, _as_operand)
    method.__name__ = method.__qualname__ = f"__{'r' if reflected else ''}{op.operator}__"
    method.__doc__ = f"other {op.symbol} self" if reflected else f"self {op.symbol} other"
    return method


def _doc(op: Op) -> str:
    return op.doc or f"{op.name}(x)"


class ValueMath:
    """The namespace ``m`` for derivatives built from differentiable Values (create_graph):
    every op of the table (added by :func:`_install`) and the helpers below."""

    where = staticmethod(rules.where)
    # step, nonzero and sign are piecewise constant: their derivative is zero, so a constant
    step = staticmethod(lambda a: rules.step(_data(a)))
    nonzero = staticmethod(lambda a: rules.nonzero(_data(a)))
    sign = staticmethod(lambda a: rules.sign(_data(a)))
    value_of = staticmethod(lambda a: _data(a))


_VALUE_MATH = ValueMath()


def _lift(a: Any) -> Value:
    return a if isinstance(a, Value) else Value(a)


def _data(a: Any) -> float:
    return a.data if isinstance(a, Value) else float(a)


def _install(op: Op) -> list[tuple[Any, str]]:
    """Give Value the methods of ``op`` and ValueMath its differentiable version."""
    methods: dict[str, Any] = {}
    if op.arity == 1:
        method = _unary_method(op)
        if op.method:
            methods[op.method] = method
        if op.operator:
            methods[f"__{op.operator}__"] = method
    else:
        methods[f"__{op.operator}__"] = _binary_method(op, reflected=False)
        methods[f"__r{op.operator}__"] = _binary_method(op, reflected=True)
    for name, method in methods.items():
        setattr(Value, name, method)

    def differentiable(*xs: Any) -> Value:
        return _apply(op, tuple(_lift(x) for x in xs))

    setattr(ValueMath, op.name, staticmethod(differentiable))
    return [(Value, name) for name in methods] + [(ValueMath, op.name)]


rules.add_engine(_install)


def _backprop_graph(node: Value, g: Any) -> None:
    """The chain rule with differentiable local derivatives (for create_graph=True)."""
    assert node._op is not None
    args = [a if isinstance(a, Value) else Value(a) for a in node._args]
    local = node._op.derivative(_VALUE_MATH, args, node)
    for arg, d in zip(node._args, local):
        if isinstance(arg, Value):
            contribution = d * g
            arg._g = contribution if arg._g is None else arg._g + contribution
