"""The scalar ``Value``: a float that records how it was computed.

A Value keeps its inputs (``_args``), the ones among them that are Values (``_parents``),
the op rule that made it (``_op``) and the local derivatives towards each parent
(``_local``, plain floats). It keeps no closure, so a graph holds no reference cycles and is
freed as soon as the user drops its output. The derivative rules live in :mod:`.ops`.

Speed. Building a node is the hot path of every training step, so the operators call the
rule's own ``forward`` and ``derivative`` through small specialised constructors (two
Values, a Value and a constant, n Values) instead of one generic loop over the inputs, and
``backward`` runs a propagation loop specialised for Value over the graph that the shared
walk (:func:`.autodiff.toposort`) collects and orders: propagation and accumulation into
``.grad`` happen in one pass, iterating parents by cached index tuples (no zip per node).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from itertools import compress
from typing import Any, Union  # noqa: UP035

from . import autodiff
from . import ops as _ops
from .mode import _mode
from .ops import RULES, OpRule
from .ops import Zeros as _Zeros
from .ops import neuron_local as _neuron_local
from .ops import neuron_sum as _neuron_sum
from .ops import select as _select

Number = int | float
Operand = Union["Value", int, float]  # noqa: UP007 - forward reference

_ADD, _SUB, _MUL, _DIV, _NEG, _POW = (RULES[k] for k in ("add", "sub", "mul", "div", "neg", "pow"))
_EXP, _LOG, _TANH, _SIGMOID, _RELU = (RULES[k] for k in ("exp", "log", "tanh", "sigmoid", "relu"))
_SIN, _COS, _SQRT, _ABS = (RULES[k] for k in ("sin", "cos", "sqrt", "abs"))
_FLOAT_MATH = _ops.FLOAT_MATH

_next_seq = autodiff.next_seq  # creation numbers: a node is always numbered after its inputs
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
    if type(x) is Value or type(x) is float:
        return x
    if isinstance(x, Value):
        return x
    try:
        return _check_number(x, "operand")
    except TypeError:
        return NotImplemented


def _unary_method(rule: OpRule, doc: str) -> Callable[[Value], Value]:
    """The method ``x.<rule>()``: a constructor specialised for one unary rule.

    It calls the rule's own ``forward`` and ``derivative`` (bound here once) and fills the
    new node's slots directly: one Python call per node instead of three.
    """
    forward, derivative = rule.forward, rule.derivative

    def method(self: Value) -> Value:
        x = self.data
        data = forward(x)
        out = _new(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out._op = rule
        out._g = None
        out._seq = _next_seq()
        out._mark = None
        if _mode.enabled:
            out._args = out._parents = (self,)
            out._local = derivative(_FLOAT_MATH, (x,), data)
        else:
            out._args = out._parents = out._local = _NO_GRAPH
        return out

    method.__name__ = method.__qualname__ = rule.name
    method.__doc__ = doc
    return method


def _binary_method(rule: OpRule, reflected: bool) -> Callable[[Value, Any], Value]:
    """The operator ``self <op> other`` (or ``other <op> self`` when ``reflected``).

    Another Value makes a two-parent node, a float a node with one parent and a constant;
    anything that is not a number returns NotImplemented, so Python raises its TypeError.
    """

    def method(self: Value, other: Any) -> Any:
        if type(other) is Value and not reflected:
            return _binary(rule, self, other)
        if type(other) is not float:
            other = _as_operand(other)
            if other is NotImplemented:
                return NotImplemented
            if type(other) is not float:  # a Value subclass
                return _apply_mixed(rule, (other, self) if reflected else (self, other))
        return _with_constant(rule, self, other, not reflected)

    symbol = rule.symbol
    name = {"div": "truediv"}.get(rule.name, rule.name)
    method.__name__ = method.__qualname__ = f"__{'r' if reflected else ''}{name}__"
    method.__doc__ = f"{'other ' + symbol + ' self' if reflected else 'self ' + symbol + ' other'}"
    return method


class Value(autodiff.Node):
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
    _op: OpRule | None
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

    # ------------------------------------------------------------ building nodes
    @staticmethod
    def apply(rule: OpRule, args: Sequence[Any]) -> Value:
        """A new node ``rule(*args)``; ``args`` are Values or floats (constants)."""
        args = tuple(args)
        return _apply_values(rule, args) if _all_values(args) else _apply_mixed(rule, args)

    # ------------------------------------------------------------ arithmetic
    # One specialised method per rule and side (see _binary_method).
    __add__ = _binary_method(_ADD, reflected=False)
    __radd__ = _binary_method(_ADD, reflected=True)
    __sub__ = _binary_method(_SUB, reflected=False)
    __rsub__ = _binary_method(_SUB, reflected=True)
    __mul__ = _binary_method(_MUL, reflected=False)
    __rmul__ = _binary_method(_MUL, reflected=True)
    __truediv__ = _binary_method(_DIV, reflected=False)
    __rtruediv__ = _binary_method(_DIV, reflected=True)
    __pow__ = _binary_method(_POW, reflected=False)
    __rpow__ = _binary_method(_POW, reflected=True)

    def __pos__(self) -> Value:
        return self

    # ------------------------------------------------------------ functions
    # One specialised constructor per rule (see _unary_method): each is the method itself.
    exp = _unary_method(_EXP, "e^x; d/dx = e^x.")
    log = _unary_method(_LOG, "Natural log; d/dx = 1/x. log(0) = -inf, log(x < 0) = nan.")
    tanh = _unary_method(_TANH, "tanh(x); d/dx = 1 - tanh(x)^2.")
    sigmoid = _unary_method(_SIGMOID, "1 / (1 + e^-x); d/dx = s(x) (1 - s(x)).")
    relu = _unary_method(_RELU, "max(0, x); d/dx = 1 if x > 0 else 0.")
    sin = _unary_method(_SIN, "sin(x); d/dx = cos(x).")
    cos = _unary_method(_COS, "cos(x); d/dx = -sin(x).")
    sqrt = _unary_method(_SQRT, "sqrt(x); d/dx = 1 / (2 sqrt(x)). sqrt(x < 0) = nan.")
    abs = _unary_method(_ABS, "|x|; d/dx = sign(x), 0 at 0.")
    __neg__ = _unary_method(_NEG, "-x; d/dx = -1.")
    __abs__ = abs

    # ------------------------------------------------------------ gradients
    def backward(self, gradient: float = 1.0) -> None:
        """Add d(self)/d(node) * gradient into ``.grad`` of every node self depends on.

        Gradients accumulate: a node used twice gets the sum over its paths, and calling
        ``backward()`` twice doubles every ``.grad`` (use ``zero_grad`` in between).
        """
        _backward(self, _check_number(gradient, "gradient"))

    def _backprop(self, create_graph: bool) -> None:
        g = self._g
        if create_graph and self._op is not None:
            _backprop_graph(self, g)
            return
        if type(self._local) is _Zeros:  # a dead neuron passes nothing on
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


# ---------------------------------------------------------------- fast node construction
# Each constructor evaluates the rule's own forward and derivative (ops.RULES); they differ
# only in how they gather the inputs' data and pick out the Value parents.
def _node(
    rule: OpRule, data: float, args: tuple[Any, ...], parents: tuple[Value, ...], local: Any
) -> Value:
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = rule
    out._args = args
    out._parents = parents
    out._local = local if type(local) is tuple or type(local) is _Zeros else tuple(local)
    out._g = None
    out._seq = _next_seq()
    out._mark = None
    return out


def _binary(rule: OpRule, a: Value, b: Value) -> Value:
    """rule(a, b) for two Values."""
    xa, xb = a.data, b.data
    data = rule.forward(xa, xb)
    if not _mode.enabled:
        return _node(rule, data, _NO_GRAPH, _NO_GRAPH, _NO_GRAPH)
    args = (a, b)
    return _node(rule, data, args, args, rule.derivative(_FLOAT_MATH, (xa, xb), data))


def _with_constant(rule: OpRule, a: Value, c: float, value_first: bool) -> Value:
    """rule(a, c) if ``value_first`` else rule(c, a), for a Value ``a`` and a float ``c``."""
    xs = (a.data, c) if value_first else (c, a.data)
    data = rule.forward(*xs)
    if not _mode.enabled:
        return _node(rule, data, _NO_GRAPH, _NO_GRAPH, _NO_GRAPH)
    local = rule.derivative(_FLOAT_MATH, xs, data)
    if value_first:
        return _node(rule, data, (a, c), (a,), (local[0],))
    return _node(rule, data, (c, a), (a,), (local[1],))


def _all_values(args: tuple[Any, ...]) -> bool:
    """True when every arg is exactly a Value (one C-level pass; no per-item bytecode)."""
    return list(map(type, args)).count(Value) == len(args)


def _apply_values(rule: OpRule, args: tuple[Value, ...]) -> Value:
    """rule(*args) when every arg is a Value: the hot path of dot and vsum."""
    xs = [a.data for a in args]
    data = rule.forward(*xs)
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = rule
    out._g = None
    out._seq = _next_seq()
    out._mark = None
    if _mode.enabled:
        out._args = out._parents = args
        out._local = rule.derivative(_FLOAT_MATH, xs, data)
    else:
        out._args = out._parents = out._local = _NO_GRAPH
    return out


def _apply_mixed(rule: OpRule, args: tuple[Any, ...]) -> Value:
    """rule(*args) for Values and float constants: only the Values become parents."""
    xs = [a.data if type(a) is Value else a for a in args]
    data = rule.forward(*xs)
    if not _mode.enabled:
        return _node(rule, data, _NO_GRAPH, _NO_GRAPH, _NO_GRAPH)
    local = rule.derivative(_FLOAT_MATH, xs, data)
    mask = [type(a) is Value for a in args]
    parents = tuple(compress(args, mask))
    return _node(rule, data, args, parents, _select(local, mask, len(parents)))


# ---------------------------------------------------------------- backward, specialised
# Index tuples for the backward loop: iterating a cached tuple of indices costs less per node
# than creating a zip (or range) object, which dominates for nodes with one or a few parents.
_INDICES = tuple(tuple(range(n)) for n in range(65))


def _backward(root: Value, seed: float) -> None:
    """Add d(root)/d(node) * seed into ``.grad`` of every node ``root`` depends on.

    One pass in reverse creation order: when a node is reached, every node that consumed it
    has already pushed its share, so its gradient is complete; it is added to ``.grad`` and
    pushed on to its parents.
    """
    order = autodiff.toposort(root, -0.0, True)  # -0.0: the exact additive identity
    root._g = seed
    indices = _INDICES
    for node in reversed(order):
        g = node._g
        node._g = None
        node.grad += g
        parents = node._parents
        n = len(parents)
        if type(node._local) is _Zeros:  # a dead neuron passes nothing on
            continue
        if n == 1:
            parents[0]._g += node._local[0] * g
        elif n > 8:  # a neuron: zip's pairs cost less than two subscripts per parent
            for parent, local in zip(parents, node._local):
                parent._g += local * g
        elif n:
            local = node._local
            for i in indices[n]:
                parents[i]._g += local[i] * g


# ---------------------------------------------------------------- fused neurons, layer at a time
def _dense(
    rule: OpRule,
    rows: Sequence[tuple[Sequence[Value], Value]],
    inputs: tuple[Any, ...],
    constant_inputs: bool,
) -> list[Value]:
    """``[rule(*w, *inputs, b) for w, b in rows]``: one neuron node per row on the same inputs.

    ``inputs`` are all Values, or all floats when ``constant_inputs`` (then only the weights
    and bias are parents). The inputs' data are gathered once for the whole layer; each node
    is computed from the rule's parts (:class:`.ops.NeuronParts`): z = ``neuron_sum``, out =
    act(z), local derivatives = ``neuron_local``.
    """
    parts = rule.neuron
    assert parts is not None, f"{rule.name} is not a neuron rule"
    act, act_derivative = parts.act, parts.act_derivative
    xd = list(inputs) if constant_inputs else [v.data for v in inputs]
    inputs_too = not constant_inputs
    enabled = _mode.enabled
    out: list[Value] = []
    append = out.append
    for ws, b in rows:
        wd = [w.data for w in ws]
        z = _neuron_sum(wd, xd, b.data)
        data = act(z)
        node = _new(Value)
        node.data = data
        node.grad = 0.0
        node.label = ""
        node._op = rule
        node._g = None
        node._seq = _next_seq()
        node._mark = None
        if not enabled:
            node._args = node._parents = node._local = _NO_GRAPH
        else:
            node._args = args = (*ws, *inputs, b)
            node._parents = args if inputs_too else (*ws, b)
            d = act_derivative(_FLOAT_MATH, data)
            node._local = _neuron_local(d, z, wd, xd, inputs_too)
        append(node)
    return out
