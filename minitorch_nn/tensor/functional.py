"""Functions over Tensors: the ops that take several tensors, ``grad`` and ``gradcheck``.

``log_softmax``, ``softmax``, ``clip``, ``maximum``, ``minimum``, ``where``, ``concatenate``,
``stack``, ``linear`` (``x @ W + b`` as one node), the elementwise functions as functions,
``grad(output, inputs, create_graph=...)`` on the shared graph walk, and ``gradcheck`` /
``numerical_grad`` (central differences over every element).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..autograd import graph as autodiff
from ..autograd.mode import set_grad_enabled
from . import shapes as _shapes
from .ops import RULES
from .tensor import Tensor, _lift, _operand, _seed, apply

_LINEAR, _LINEAR_RELU, _MATMUL_RULE = RULES["linear"], RULES["linear_relu"], RULES["matmul"]
_ACTIVATIONS = {"relu": Tensor.relu, "tanh": Tensor.tanh, "sigmoid": Tensor.sigmoid}


# ---------------------------------------------------------------- elementwise, as functions
def exp(x: Any) -> Tensor:
    """e^x elementwise."""
    return _lift(x).exp()


def log(x: Any) -> Tensor:
    """Natural log elementwise (log(0) = -inf)."""
    return _lift(x).log()


def tanh(x: Any) -> Tensor:
    """tanh elementwise."""
    return _lift(x).tanh()


def sigmoid(x: Any) -> Tensor:
    """1 / (1 + e^-x) elementwise."""
    return _lift(x).sigmoid()


def relu(x: Any) -> Tensor:
    """max(0, x) elementwise."""
    return _lift(x).relu()


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along ``axis``; d/dx = g - softmax(x) * sum(g)."""
    return _lift(x).log_softmax(axis)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis``; d/dx = s * (g - sum(g * s))."""
    return _lift(x).softmax(axis)


def clip(x: Any, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """x limited to [min, max]; the gradient passes where min <= x <= max."""
    return _lift(x).clip(min, max)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max; at ties each input gets half the gradient (as torch)."""
    return _lift(a).maximum(b) if isinstance(a, Tensor) else _lift(b).maximum(a)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min; at ties each input gets half the gradient (as torch)."""
    return _lift(a).minimum(b) if isinstance(a, Tensor) else _lift(b).minimum(a)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` is true, else ``b`` (the condition is not differentiated)."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    args = (_operand(a), _operand(b))
    if args[0] is NotImplemented or args[1] is NotImplemented:
        raise TypeError(
            f"where: expected Tensors, numbers or arrays, got {type(a).__name__} "
            f"and {type(b).__name__}"
        )
    return apply(RULES["where"], args, cond)


def _tensors(tensors: Sequence[Any], what: str) -> tuple[Any, ...]:
    if type(tensors) is list and tensors and list(map(type, tensors)).count(Tensor) == len(tensors):
        return tuple(tensors)  # the usual case: a list of parameters
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{what}: expected a list or tuple of tensors, got {type(tensors).__name__}"
        )
    if not tensors:
        raise ValueError(f"{what}: expected at least one tensor, got none")
    return tuple(t if isinstance(t, Tensor) else _lift(t) for t in tensors)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """The tensors joined along an existing ``axis``; each gets back its slice of the gradient."""
    args = _tensors(tensors, "concatenate")
    ndim = args[0].ndim
    if ndim == 0:
        raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated")
    (ax,) = _shapes.normalize_axis(axis, ndim, "concatenate") or (0,)
    bounds = [0]
    for t in args:
        if t.ndim != ndim or t.shape[:ax] + t.shape[ax + 1 :] != (
            args[0].shape[:ax] + args[0].shape[ax + 1 :]
        ):
            shapes = ", ".join(str(s.shape) for s in args)
            raise ValueError(f"concatenate: shapes {shapes} must agree except along axis {ax}")
        bounds.append(bounds[-1] + t.shape[ax])
    return apply(RULES["concatenate"], args, (ax, tuple(bounds)))


cat = concatenate


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """The tensors (all of one shape) joined along a new ``axis``."""
    args = _tensors(tensors, "stack")
    shapes = {t.shape for t in args}
    if len(shapes) != 1:
        raise ValueError(
            f"stack: all tensors need the same shape, got {', '.join(str(t.shape) for t in args)}"
        )
    (ax,) = _shapes.normalize_axis(axis, args[0].ndim + 1, "stack") or (0,)
    return apply(RULES["stack"], args, ax)


def sum_of_squares(tensors: Sequence[Any]) -> Tensor:
    """sum over k of sum(x_k ** 2) as one graph node (an L2 penalty); d/dx_k = 2 x_k."""
    args = _tensors(tensors, "sum_of_squares")
    return apply(RULES["sum_of_squares"], args)


def linear(
    x: Any, weight: Tensor, bias: Tensor | None = None, activation: str | None = None
) -> Tensor:
    """``act(x @ weight + bias)`` for a batch x (n, nin), weight (nin, nout), bias (nout,).

    One graph node: dx = G W^T, dW = x^T G, db = sum of G over the batch, with G the output
    gradient times act'. ``activation`` is None, "relu" (fused into the node), "tanh" or
    "sigmoid".
    """
    data = x.data if type(x) is Tensor else x
    if (
        type(data) is np.ndarray
        and data.dtype.kind == "f"
        and bias is not None
        and (activation is None or activation == "relu")
        and data.ndim == 2
        and weight.data.ndim == 2
        and data.shape[1] == weight.data.shape[0]
        and bias.data.shape == weight.data.shape[1:]
    ):  # a batch (n, nin) through x @ W + b, with relu fused: the usual layer, in one node
        return apply(_LINEAR if activation is None else _LINEAR_RELU, (x, weight, bias))
    if activation is not None and activation not in _ACTIVATIONS:
        raise ValueError(
            f"linear: unknown activation {activation!r}; expected None, 'relu', 'tanh' or 'sigmoid'"
        )
    if type(x) is not Tensor:
        x = _operand(x)
        if x is NotImplemented:
            raise TypeError(f"linear: x must be a Tensor or an array, got {type(x).__name__}")
    xs, ws = np.shape(x.data if isinstance(x, Tensor) else x), weight.data.shape
    if (
        len(xs) == 2
        and len(ws) == 2
        and xs[1] == ws[0]
        and bias is not None
        and bias.data.shape == (ws[1],)
    ):
        if activation == "relu":
            return apply(_LINEAR_RELU, (x, weight, bias))  # (n, nout)
        out = apply(_LINEAR, (x, weight, bias))  # (n, nout)
    else:
        message = _shapes.matmul_shape_error(xs, ws)
        if message is not None:
            raise ValueError(message)
        out = apply(_MATMUL_RULE, (x, weight))
        if bias is not None:
            out = out + bias
    return out if activation is None else _ACTIVATIONS[activation](out)


# ---------------------------------------------------------------- gradients
def grad(
    output: Tensor,
    inputs: Sequence[Tensor] | Tensor,
    gradient: Any = None,
    create_graph: bool = False,
) -> list[Any]:
    """d(output)/d(input) for each input (leaf or interior), ``.grad`` untouched.

    Returns arrays, or with ``create_graph=True`` Tensors that carry their own graph and can
    be differentiated again. ``gradient`` (the seed) may be left out for a one-element output.
    An input that ``output`` does not depend on gets zeros.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"grad: output must be a Tensor, got {type(output).__name__}")
    seq: list[Any] = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for i, x in enumerate(seq):
        if not isinstance(x, Tensor):
            raise TypeError(f"grad: inputs[{i}] must be a Tensor, got {type(x).__name__}")
    seed: Any = _seed(output, gradient, "grad")
    if not output.requires_grad:
        return [x._zero_like() for x in seq]
    with np.errstate(all="ignore"):
        if not create_graph:
            return [np.asarray(g) for g in autodiff.grad(output, seq, seed, False)]
        with set_grad_enabled(True):
            result = autodiff.grad(output, seq, _lift(seed), True)
    return [g if isinstance(g, Tensor) else _lift(g) for g in result]


def numerical_grad(
    fn: Callable[..., Tensor], arrays: Sequence[np.ndarray], eps: float = 1e-6
) -> list[np.ndarray]:
    """Central differences of sum(fn(*arrays)) w.r.t. every element of every array."""
    base = [np.array(a, dtype=np.float64) for a in arrays]
    result = []
    for k, a in enumerate(base):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            values = []
            for step in (eps, -eps):
                moved = [b.copy() for b in base]
                moved[k][idx] += step
                values.append(float(fn(*[Tensor(b) for b in moved]).data.sum()))
            g[idx] = (values[0] - values[1]) / (2 * eps)
        result.append(g)
    return result


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> bool:
    """True when the engine's gradient of sum(fn(*inputs)) matches central differences.

    Raises AssertionError naming the input and element where they differ most.
    """
    arrays = [np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64) for x in inputs]
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    analytic = grad(out.sum() if out.size != 1 else out, leaves)
    numeric = numerical_grad(fn, arrays, eps)
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        bad = ~np.isclose(a, n, rtol=rtol, atol=atol, equal_nan=True)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise AssertionError(
                f"gradcheck: input {k} (shape {arrays[k].shape}) element {idx}: analytic "
                f"gradient {a[idx]!r} vs numerical {n[idx]!r} (atol={atol}, rtol={rtol})"
            )
    return True
