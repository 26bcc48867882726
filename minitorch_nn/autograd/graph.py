"""The graph walk and the one backward loop, shared by both engines.

A node of either engine (``Value``, ``Tensor``) offers a small protocol:

- ``_parents``: the nodes it was computed from (a tuple);
- ``_g``: scratch space for the gradient flowing into it during one walk (``None`` = zero);
- ``_backprop(g, create_graph)``: add ``g`` times its local derivatives into each parent's
  ``_g`` (the chain rule for one node);
- ``_accumulate(g)``: add ``g`` into the user-visible ``.grad``; the loop calls it for leaves,
  and for interior nodes whose ``_retain`` is true (every Value; a Tensor after
  ``retain_grad()``);
- ``_zero_like()``: the gradient of a node that the output does not depend on;
- ``_seq``: its creation number (``next_seq()``), ``_mark``: scratch for the walk.

Every walk is iterative (an explicit stack), so a chain of a million nodes is fine, and each
node and edge is visited once: linear time even when paths share nodes. :func:`backward` and
:func:`grad` are the one backward loop; a node type may bring a faster loop only as a fast path
(``minitorch_nn.fast``) that gives the same numbers bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    _retain: bool = True  # an interior node keeps ``.grad`` too (a Tensor only if asked)


class Zeros(tuple):
    """Local derivatives (``_local``) that are all exactly zero at finite inputs, such as a
    dead relu neuron's: the chain rule passes nothing through the node, as torch's relu
    backward passes 0 wherever the output is 0. The walk does not go behind such a node."""

    __slots__ = ()


next_seq = count().__next__
"""Creation numbers shared by every engine: a node is always numbered after its inputs, so
sorting by ``_seq`` is a topological order."""


def toposort(root: Any, zero: Any = None, gradient_paths: bool = False) -> list[Any]:
    """All nodes ``root`` depends on, inputs first and ``root`` last; each one's ``_g`` = zero.

    An iterative depth-first collection that marks visited nodes with a token new to this
    walk (``_mark``: an attribute test per edge, cheaper than a set of ids), then one sort by
    creation number (``_seq``): creation order is a topological order.

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


def _walk(root: Any, seed: Any, create_graph: bool, accumulate: bool) -> list[Any]:
    """The backward loop: d(root)/d(node) * seed for every node behind ``root``.

    In reverse creation order a node's gradient is complete when it is reached (every node
    that consumed it came later and has pushed its share), so it is passed on to the parents
    right away and, when ``accumulate``, dropped and added into ``.grad`` of a leaf or of a
    node that keeps one (``_retain``); a big graph's arrays can then be reused while the walk
    goes on. Otherwise the gradients stay in ``_g``.
    """
    order = toposort(root, gradient_paths=True)
    root._g = seed
    for node in reversed(order):
        g = node._g
        if g is None:
            continue
        if node._parents:
            node._backprop(g, create_graph)
            if accumulate:
                node._g = None
                if node._retain:
                    node._accumulate(g)
        elif accumulate:
            node._g = None
            node._accumulate(g)
    return order


def backward(root: Any, seed: Any, create_graph: bool = False) -> None:
    """Add d(root)/d(node) * seed into ``.grad`` of every node ``root`` depends on."""
    _walk(root, seed, create_graph, True)


def grad(
    output: Any, inputs: Sequence[Any] | Any, seed: Any, create_graph: bool = False
) -> list[Any]:
    """d(output)/d(input) * seed for each of ``inputs`` (leaves or interior); ``.grad`` untouched.

    An input that ``output`` does not depend on gets a zero gradient.
    """
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    inputs = list(inputs)
    for node in inputs:
        node._g = None  # an input outside the graph would otherwise keep stale scratch
    order = _walk(output, seed, create_graph, False)
    result = [node._zero_like() if node._g is None else node._g for node in inputs]
    for node in order:
        node._g = None
    for node in inputs:
        node._g = None
    return result
