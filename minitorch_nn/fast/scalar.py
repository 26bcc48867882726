"""Fast paths of the scalar engine, for the class ``Value`` given to each function.

- Node construction with the new node's slots filled in place: one Python call per node
  instead of the generic path's three, for a unary op, an op on two Values or on a Value and a
  float constant, and an op whose inputs are all Values (``vsum``, ``dot``).
- :func:`backward`: the backward loop specialised for Value, propagation and accumulation in
  one pass with a node's parents iterated by cached index tuples.
- :func:`dense`: a layer of fused neurons (``dot_relu`` ...) on one sample, the inputs' data
  gathered once for the layer.

Each evaluates the op rule's own forward and derivative, in the generic path's order, so the
numbers are the same bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..autograd.graph import Zeros, next_seq, toposort
from ..autograd.mode import _mode
from ..autograd.rules import FLOAT_MATH
from ..engine.ops import neuron_local, neuron_sum
from . import SWITCH

_new: Any = object.__new__
_NO_GRAPH: tuple[Any, ...] = ()


def unary_method(cls: type, op: Any, generic: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``x.<op>()``; ``generic`` when fast paths are off."""
    forward, derivative, switch = op.forward, op.derivative, SWITCH

    def method(self: Any) -> Any:
        if not switch.enabled:
            return generic(self)
        x = self.data
        data = forward(x)
        out = _new(cls)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out._op = op
        out._g = None
        out._seq = next_seq()
        out._mark = None
        if _mode.enabled:
            out._args = out._parents = (self,)
            out._local = derivative(FLOAT_MATH, (x,), data)
        else:
            out._args = out._parents = out._local = _NO_GRAPH
        return out

    return method


def binary_method(
    cls: type,
    op: Any,
    reflected: bool,
    generic: Callable[[Any, Any], Any],
    as_operand: Callable[[Any], Any],
) -> Callable[[Any, Any], Any]:
    """``self <op> other`` (``other <op> self`` when ``reflected``); ``generic`` when fast
    paths are off or ``other`` is a Value subclass."""
    switch = SWITCH

    def method(self: Any, other: Any) -> Any:
        if not switch.enabled:
            return generic(self, other)
        if type(other) is cls and not reflected:
            return _binary(cls, op, self, other)
        if type(other) is not float:
            other = as_operand(other)
            if other is NotImplemented:
                return NotImplemented
            if type(other) is not float:
                return generic(self, other)
        return _with_constant(cls, op, self, other, not reflected)

    return method


def _node(cls: type, op: Any, data: float, args: Any, parents: Any, local: Any) -> Any:
    out = _new(cls)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._args = args
    out._parents = parents
    out._local = local if type(local) is tuple or type(local) is Zeros else tuple(local)
    out._g = None
    out._seq = next_seq()
    out._mark = None
    return out


def _binary(cls: type, op: Any, a: Any, b: Any) -> Any:
    xa, xb = a.data, b.data
    data = op.forward(xa, xb)
    if not _mode.enabled:
        return _node(cls, op, data, _NO_GRAPH, _NO_GRAPH, _NO_GRAPH)
    args = (a, b)
    return _node(cls, op, data, args, args, op.derivative(FLOAT_MATH, (xa, xb), data))


def _with_constant(cls: type, op: Any, a: Any, c: float, value_first: bool) -> Any:
    """op(a, c) if ``value_first`` else op(c, a), for a Value ``a`` and a float ``c``."""
    xs = (a.data, c) if value_first else (c, a.data)
    data = op.forward(*xs)
    if not _mode.enabled:
        return _node(cls, op, data, _NO_GRAPH, _NO_GRAPH, _NO_GRAPH)
    local = op.derivative(FLOAT_MATH, xs, data)
    if value_first:
        return _node(cls, op, data, (a, c), (a,), (local[0],))
    return _node(cls, op, data, (c, a), (a,), (local[1],))


def apply_values(cls: type, rule: Any, args: tuple[Any, ...]) -> Any:
    """rule(*args) when every arg is exactly a ``cls``: the hot path of ``vsum`` and ``dot``."""
    xs = [a.data for a in args]
    data = rule.forward(*xs)
    out = _new(cls)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = rule
    out._g = None
    out._seq = next_seq()
    out._mark = None
    if _mode.enabled:
        out._args = out._parents = args
        local = rule.derivative(FLOAT_MATH, xs, data)
        out._local = local if type(local) is tuple or type(local) is Zeros else tuple(local)
    else:
        out._args = out._parents = out._local = _NO_GRAPH
    return out


# Index tuples for the backward loop: iterating a cached tuple of indices costs less per node
# than creating a zip (or range) object, which dominates for nodes with one or a few parents.
_INDICES = tuple(tuple(range(n)) for n in range(65))


def backward(root: Any, seed: float) -> None:
    """:func:`minitorch_nn.autograd.graph.backward` for Values, in one pass: every node's
    ``_g`` starts at -0.0 (the exact additive identity: -0.0 + x is x for every x), so a
    parent's share is added without a test for None."""
    order = toposort(root, -0.0, True)
    root._g = seed
    indices = _INDICES
    for node in reversed(order):
        g = node._g
        node._g = None
        node.grad += g
        parents = node._parents
        n = len(parents)
        if type(node._local) is Zeros:  # a dead neuron passes nothing on
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


def dense(
    cls: type,
    rule: Any,
    rows: Sequence[tuple[Sequence[Any], Any]],
    inputs: tuple[Any, ...],
    constant_inputs: bool,
) -> list[Any]:
    """``[rule(*w, *inputs, b) for w, b in rows]``: one fused neuron node per row.

    ``inputs`` are all Values, or all floats when ``constant_inputs`` (then only the weights
    and bias are parents). Each node is computed from the rule's parts (``rule.neuron``):
    z = ``neuron_sum``, out = act(z), local derivatives = ``neuron_local``, as the rule's own
    forward and derivative compute them.
    """
    parts = rule.neuron
    act, act_derivative = parts.act, parts.act_derivative
    xd = list(inputs) if constant_inputs else [v.data for v in inputs]
    inputs_too = not constant_inputs
    enabled = _mode.enabled
    out: list[Any] = []
    append = out.append
    for ws, b in rows:
        wd = [w.data for w in ws]
        z = neuron_sum(wd, xd, b.data)
        data = act(z)
        node = _new(cls)
        node.data = data
        node.grad = 0.0
        node.label = ""
        node._op = rule
        node._g = None
        node._seq = next_seq()
        node._mark = None
        if not enabled:
            node._args = node._parents = node._local = _NO_GRAPH
        else:
            node._args = args = (*ws, *inputs, b)
            node._parents = args if inputs_too else (*ws, b)
            d = act_derivative(FLOAT_MATH, data)
            node._local = neuron_local(d, z, wd, xd, inputs_too)
        append(node)
    return out
