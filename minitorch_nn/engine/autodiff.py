"""The graph walk shared by both engines: topological sort, backward, grad.

A node of either engine offers a small protocol:

- ``_parents``: the nodes it was computed from (a tuple);
- ``_g``: scratch space for the gradient flowing into it during one walk (``None`` = zero);
- ``_backprop(create_graph)``: add ``self._g`` times its local derivatives into each
  parent's ``_g`` (the chain rule for one node);
- ``_accumulate()``: add ``self._g`` into the user-visible ``.grad``;
- ``_zero_like()``: the gradient of a node that the output does not depend on;
- ``_seq``: its creation number (``next_seq()``), ``_mark``: scratch for the walk.

Every walk is iterative (an explicit stack), so a chain of a million nodes is fine, and each
node and edge is visited once: linear time even when paths share nodes. An engine may run its
own propagation loop over ``toposort``'s order (the scalar engine inlines it for speed), but
the graph is collected and ordered here, once, for both engines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import count
from operator import attrgetter
from typing import Any

_SEQ = attrgetter("_seq")


class Node:
    """Base class of every engine's graph node (``Value``, ``Tensor``).

    ``nn.Module`` finds parameters by looking for Nodes; a Node whose ``requires_grad`` is
    False (a constant tensor) is not a parameter.
    """

    __slots__ = ()
    requires_grad: bool = True
    _local: Any = None  # an engine that keeps local derivatives as values stores them here


class Zeros(tuple):
    """Local derivatives (``_local``) that are all exactly zero at finite inputs, such as a
    dead relu neuron's: every product ``0 * g`` is a zero, so the chain rule passes nothing
    through the node, as torch's relu backward passes 0 wherever the output is 0."""

    __slots__ = ()


next_seq = count().__next__
"""Creation numbers shared by every engine: a node is always numbered after its inputs, so
sorting by ``_seq`` is a topological order."""


def toposort(root: Any, zero: Any = None, gradient_paths: bool = False) -> list[Any]:
    """All nodes ``root`` depends on, inputs first and ``root`` last; each one's ``_g`` = zero.

    An iterative depth-first collection that marks visited nodes with a token new to this
    walk (``_mark``: an attribute test per edge, cheaper than a set of ids), then one C-level
    sort by creation number (``_seq``): creation order is a topological order, so no
    post-order bookkeeping is needed. Resetting ``_g`` here saves every caller a pass.

    With ``gradient_paths`` the walk does not go through a node whose local derivatives are
    :class:`Zeros`: what lies only behind it gets no gradient from ``root`` (a gradient pass
    needs no more; a drawing of the graph wants every node).
    """
    token = object()
    root._mark = token
    root._g = zero
    order = [root]
    stack = [root]
    add, push, pop = order.append, stack.append, stack.pop
    while stack:
        node = pop()
        if gradient_paths and type(node._local) is Zeros:
            continue
        for parent in node._parents:
            if parent._mark is not token:
                parent._mark = token
                parent._g = zero
                add(parent)
                if parent._parents:  # a leaf has nothing more to visit
                    push(parent)
    order.sort(key=_SEQ)
    return order


def _propagate(root: Any, seed: Any, create_graph: bool) -> list[Any]:
    """Fill ``_g`` of every node behind ``root`` with d(root)/d(node), given d(root) = seed."""
    order = toposort(root, gradient_paths=True)
    root._g = seed
    for node in reversed(order):
        if node._g is not None:
            node._backprop(create_graph)
    return order


def backward(root: Any, seed: Any, create_graph: bool = False) -> None:
    """Add d(root)/d(node) * seed into ``.grad`` of every node ``root`` depends on."""
    for node in _propagate(root, seed, create_graph):
        if node._g is not None:
            node._accumulate()
        node._g = None


def grad(
    output: Any, inputs: Sequence[Any] | Any, seed: Any, create_graph: bool = False
) -> list[Any]:
    """d(output)/d(input) for each of ``inputs`` (leaves or interior nodes); ``.grad`` untouched.

    An input that ``output`` does not depend on gets a zero gradient.
    """
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    inputs = list(inputs)
    for node in inputs:
        node._g = None  # an input outside the graph would otherwise keep stale scratch
    order = _propagate(output, seed, create_graph)
    result = [node._zero_like() if node._g is None else node._g for node in inputs]
    for node in _chain(order, inputs):
        node._g = None
    return result


def _chain(*groups: Iterable[Any]) -> Iterable[Any]:
    for group in groups:
        yield from group
