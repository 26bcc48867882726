"""The chain rule, step by step: how ``backward()`` assembles every gradient.

For an output f, the gradient of a node u is ``d f/d u = sum over the consumers c of u of
(d c/d u) * (d f/d c)``: along each edge c -> u, the local derivative times the gradient
coming in from above. Unrolled all the way, ``d f/d u`` is the sum, over every path from f
down to u, of the product of the local derivatives on that path.

:func:`explain` returns both views as text (``print(explain(f))`` shows them): every edge
from the output back to the inputs (linear in the size of the graph), and per input the
products along every path and their sum (capped by ``max_paths``, because the number of paths
can grow exponentially). It computes the gradients itself from the recorded local
derivatives, so it works before or after ``backward()``, for interior nodes as inputs, and
never changes ``.grad``. Node names are those :func:`minitorch_nn.plot.draw_graph` draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TextIO

from ..autograd.graph import toposort
from ..engine import Value
from .graph import is_infix, node_names

__all__ = ["explain"]

_MAX_ARGS_SHOWN = 6
_MAX_FACTORS_SHOWN = 8


def _expression(node: Value, names: dict[int, str]) -> str:
    """``n5 = n3 / n4``, ``n2 = exp(x1)``, ``n4 = n3 + 1.0``; a leaf is just its name."""

    def show(arg: Any) -> str:
        return names[id(arg)] if isinstance(arg, Value) else repr(arg)

    name = names[id(node)]
    if node._op is None:
        return name
    args = node._args
    if not args:
        return f"{name} = {node._op.symbol}(...)  (made under no_grad: no inputs recorded)"
    if is_infix(node) and len(args) == 2:
        return f"{name} = {show(args[0])} {node._op.symbol} {show(args[1])}"
    if node.op == "neg":
        return f"{name} = -{show(args[0])}"
    shown = [show(a) for a in args[:_MAX_ARGS_SHOWN]]
    if len(args) > _MAX_ARGS_SHOWN:
        shown.append(f"... {len(args) - _MAX_ARGS_SHOWN} more")
    return f"{name} = {node._op.symbol}({', '.join(shown)})"


def _adjoints(order: list[Value]) -> tuple[dict[int, float], dict[int, list[tuple[Value, float]]]]:
    """d f/d node for every node (f = order[-1]) and each node's contributions in arrival
    order, as (consumer, local * incoming). Same order of operations as ``backward()``."""
    output = order[-1]
    adjoint: dict[int, float] = {id(output): 1.0}
    parts: dict[int, list[tuple[Value, float]]] = {}
    for node in reversed(order):
        g = adjoint.get(id(node))
        if g is None:
            continue
        for parent, local in zip(node._parents, node._local):
            term = local * g
            key = id(parent)
            adjoint[key] = term if key not in adjoint else adjoint[key] + term
            parts.setdefault(key, []).append((node, term))
    return adjoint, parts


def _reaching(order: list[Value], targets: set[int]) -> set[int]:
    """Ids of nodes from which some target can be reached by following inputs."""
    reach: set[int] = set()
    for node in order:  # inputs first
        if id(node) in targets or any(id(p) in reach for p in node._parents):
            reach.add(id(node))
    return reach


def _count_paths(order: list[Value], reach: set[int]) -> dict[int, int]:
    """Number of paths from the output to each node, over nodes in ``reach``."""
    count: dict[int, int] = {id(order[-1]): 1}
    for node in reversed(order):
        c = count.get(id(node), 0)
        if c == 0 or id(node) not in reach:
            continue
        for parent in node._parents:
            if id(parent) in reach:
                count[id(parent)] = count.get(id(parent), 0) + c
    return count


def _paths(
    output: Value, target: Value, reach: set[int], limit: int
) -> list[tuple[list[Value], list[float]]]:
    """Up to ``limit`` paths output -> target: (nodes, local derivatives), depth first with
    an explicit stack. ``reach``: nodes that can reach target, so every branch succeeds."""
    found: list[tuple[list[Value], list[float]]] = []
    if id(output) not in reach:
        return found
    stack: list[list[Any]] = [[output, 0]]  # frames: [node, next parent index]
    nodes: list[Value] = [output]
    factors: list[float] = []
    while stack:
        frame = stack[-1]
        node, i = frame
        if node is target:
            found.append((list(nodes), list(factors)))
            if len(found) >= limit:
                break
            i = len(node._parents)  # a path ends at the target
        parents = node._parents
        while i < len(parents) and id(parents[i]) not in reach:
            i += 1
        if i >= len(parents):
            stack.pop()
            nodes.pop()
            if factors:
                factors.pop()
            continue
        frame[1] = i + 1
        stack.append([parents[i], 0])
        nodes.append(parents[i])
        factors.append(node._local[i])
    return found


def _elide(items: Sequence[str], joiner: str) -> str:
    if len(items) <= _MAX_FACTORS_SHOWN:
        return joiner.join(items)
    head, tail = items[:3], items[-3:]
    return f"{joiner.join(head)}{joiner}...({len(items) - 6} more)...{joiner}{joiner.join(tail)}"


def explain(
    value: Value,
    inputs: Sequence[Value] | Value | None = None,
    file: TextIO | None = None,
    max_paths: int = 50,
    max_inputs: int = 20,
) -> str:
    """Each chain-rule step behind d value/d input, as text: ``print(explain(f))``.

    Part 1 goes from ``value`` back to the inputs, node by node: for every edge c -> u it
    prints the local derivative d c/d u, the incoming gradient d f/d c and their product,
    and for a node reached along several edges the accumulated sum. Part 2 lists, per
    input, the product of the local derivatives along every path from ``value`` to it
    (at most ``max_paths`` per input, for at most ``max_inputs`` inputs) and their sum.

    ``inputs`` defaults to the leaves ``value`` depends on; interior nodes are allowed
    (as in ``grad(value, inputs)``). ``.grad`` is never changed. Nothing is printed: the
    text is returned, and also written to ``file`` when one is given (``file=sys.stdout``
    prints it). Numbers appear with their full float repr. A node shows its label, else a
    name ``n1, n2, ...`` in topological order (inputs first), the same names that
    ``draw_graph`` puts in the boxes of the same graph.
    """
    if not isinstance(value, Value):
        raise TypeError(f"explain: expected a Value, got {type(value).__name__}")
    if max_paths < 1 or max_inputs < 1:
        raise ValueError(
            f"explain: max_paths and max_inputs must be >= 1, got {max_paths} and {max_inputs}"
        )
    order = toposort(value)
    names = node_names(order)
    in_graph = {id(node) for node in order}
    if inputs is None:
        targets = [node for node in order if not node._parents]
        check_grad = True
    else:
        targets = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        for i, node in enumerate(targets):
            if not isinstance(node, Value):
                raise TypeError(f"explain: inputs[{i}] must be a Value, got {type(node).__name__}")
        check_grad = False
    outside = [t for t in targets if id(t) not in in_graph]
    targets = [t for t in targets if id(t) in in_graph]
    adjoint, parts = _adjoints(order)
    reach = _reaching(order, {id(t) for t in targets})
    f = names[id(value)]
    lines: list[str] = []
    say = lines.append

    say(f"Chain rule for {_expression(value, names)}  (data={value.data!r})")
    say(f"inputs: {', '.join(names[id(t)] for t in targets) or '(none in the graph)'}")
    for node in outside:
        label = node.label or repr(node)
        say(f"  {label} is not in the graph of {f}: d {f}/d {label} = 0.0")
    say("")
    say(f"1. Edge by edge, from {f} back to the inputs.")
    say(f"   On each edge c -> u:  local d c/d u  *  incoming d {f}/d c  =  contribution")
    say(f"   to d {f}/d u; a node reached along several edges sums its contributions.")
    say("")
    for node in reversed(order):
        key = id(node)
        if key not in reach:
            continue
        g = adjoint[key]
        kind = node.op or "leaf"
        say(f"{_expression(node, names)}   [{kind}]   data={node.data!r}")
        contributions = parts.get(key, [])
        if node is value:
            say(f"  d {f}/d {f} = 1.0 (the seed)")
        elif len(contributions) == 1:
            say(f"  d {f}/d {names[key]} = {g!r}")
        else:
            terms = " + ".join(f"{t!r} (via {names[id(c)]})" for c, t in contributions)
            say(f"  d {f}/d {names[key]} = {terms} = {g!r}")
        for parent, local in zip(node._parents, node._local):
            if id(parent) not in reach:
                continue
            say(
                f"    -> {names[id(parent)]}: local d {names[key]}/d {names[id(parent)]} = "
                f"{local!r}  *  incoming {g!r}  =  {local * g!r}"
            )
    say("")
    say(f"2. Paths: d {f}/d u is the sum over every path from {f} to u of the product of")
    say("   the local derivatives along it.")
    for n_target, target in enumerate(targets):
        if n_target >= max_inputs:
            say("")
            say(
                f"... paths for {len(targets) - max_inputs} more inputs not listed "
                f"(max_inputs={max_inputs})"
            )
            break
        tname = names[id(target)]
        own_reach = _reaching(order, {id(target)})
        total_paths = _count_paths(order, own_reach).get(id(target), 0)
        say("")
        if total_paths == 0:
            say(f"d {f}/d {tname}: no path from {f} to {tname}, so 0.0")
            continue
        found = _paths(value, target, own_reach, max_paths)
        plural = "path" if total_paths == 1 else "paths"
        say(f"d {f}/d {tname}: {total_paths} {plural}")
        if len(found) < total_paths:
            say(
                f"  (showing the first {len(found)} of {total_paths} paths, max_paths={max_paths};"
                " the sum below covers only those shown)"
            )
        path_sum = 0.0
        for n_path, (nodes, factors) in enumerate(found, start=1):
            product = 1.0
            for factor in factors:
                product = product * factor
            path_sum += product
            route = _elide([names[id(n)] for n in nodes], " -> ")
            shown = _elide([repr(x) for x in factors], " * ") if factors else "1.0"
            say(f"  path {n_path}: {route}")
            say(f"          {shown} = {product!r}")
        what = "sum of the paths shown" if len(found) < total_paths else "sum of the paths"
        say(f"  {what} = {path_sum!r}")
        say(f"  d {f}/d {tname} (chain rule, as backward() sums it) = {adjoint[id(target)]!r}")
        # backward() may add the same terms in another order: compare up to rounding
        if check_grad and not math.isclose(target.grad, adjoint[id(target)], rel_tol=1e-9):
            say(
                f"  note: {tname}.grad is {target.grad!r}, not {adjoint[id(target)]!r}: "
                f"backward() was not called on {f}, was called more than once, or "
                "other outputs added to it"
            )
    text = "\n".join(lines) + "\n"
    if file is not None:
        file.write(text)
    return text
