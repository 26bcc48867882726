"""Tensor op rules: the forward on numpy arrays and the vector-Jacobian product (VJP) per input.

Each operation appears exactly once, as a :class:`TensorOp`:

- ``forward(xs, ctx)``: the result from the input arrays ``xs`` (constants stay as given) and
  ``ctx``, the op's non-tensor arguments (an axis, a shape, an index), or a list in which the
  forward keeps arrays its VJP would otherwise compute again (``hinge``'s per-sample terms,
  as torch's ``ctx.save_for_backward``);
- ``vjp(m, i, g, xs, out, ctx)``: the gradient towards input ``i`` given ``g``, the gradient
  of the output, written against a math namespace ``m``. It has the output's broadcast shape;
  the engine sums it back to input ``i``'s shape with :func:`unbroadcast`.

The elementwise ops (``+``, ``exp``, ``relu`` ...) are not here: they are defined once for both
engines in :mod:`minitorch_nn.autograd.rules`, and :mod:`.tensor` adds a TensorOp for each.

An ordinary backward pass evaluates ``vjp`` with :data:`NUMPY_MATH` on plain arrays. With
``create_graph=True`` the engine evaluates the same rule with a namespace of Tensor ops, on
the input Tensors, so the gradient is itself differentiable. One rule serves both.

Edge values follow PyTorch float64: ``log(0) = -inf``, ``1/0 = inf``, ``sqrt(-1) = nan``,
with no numpy RuntimeWarning: ops that can leave the finite numbers from finite inputs run
under ``np.errstate(all="ignore")`` (the backward walk runs under it as a whole).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd.rules import ArrayMath, Op

try:  # fast paths are optional: without them the generic code below computes the same
    from ..fast import SWITCH as _SWITCH
    from ..fast import kernels as _fast
except ImportError:  # pragma: no cover - the fast folder deleted
    _fast = None  # type: ignore[assignment]
    _SWITCH = None  # type: ignore[assignment]

Array = np.ndarray
_errstate = np.errstate
_add_reduce: Any = np.add.reduce  # np.sum without its Python-level dispatch


# ---------------------------------------------------------------- the rule type
@dataclass(frozen=True, slots=True)
class TensorOp:
    """One tensor operation: ``forward(xs, ctx)`` and ``vjp(m, i, g, xs, out, ctx)``."""

    name: str
    forward: Callable[[Sequence[Any], Any], Any]
    vjp: Callable[[Any, int, Any, Sequence[Any], Any, Any], Any]
    symbol: str
    # for an op that ends in an elementwise function (a fused activation): maps the output
    # gradient once, before the per-input VJPs, ``prepare(m, g, xs, out, ctx) -> g``
    prepare: Callable[[Any, Any, Sequence[Any], Any, Any], Any] | None = None
    # an elementwise op of the table: its local derivatives ``local(m, xs, out)``, which the
    # engine multiplies into the output gradient (``vjp`` is then unused)
    local: Callable[[Any, Sequence[Any], Any], Sequence[Any]] | None = None


# ---------------------------------------------------------------- the numpy namespace
def _scatter(g: Any, ctx: Any) -> Array:
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeated indices add up)."""
    index, advanced, shape = ctx
    dtype = g.dtype if isinstance(g, (np.ndarray, np.generic)) else np.float64
    out = np.zeros(shape, dtype=dtype)
    if advanced:
        np.add.at(out, index, g)
    else:
        out[index] += g
    return out


class NumpyMath(ArrayMath):
    """The namespace ``m`` for VJPs evaluated on plain numpy arrays (first derivatives): the
    table's ops and helpers (:class:`ArrayMath`) and the shape functions the VJPs use."""

    transpose = staticmethod(np.transpose)
    scatter = staticmethod(_scatter)

    @staticmethod
    def broadcast_to(a: Any, shape: tuple[int, ...]) -> Array:
        """A fresh array of ``shape`` filled from ``a`` (cheaper than np.broadcast_to's view
        for the small arrays of a training step, and writable)."""
        if a.shape == shape:
            return a
        out = np.empty(shape, dtype=a.dtype)
        out[...] = a
        return out

    # matmul(a, b), multiply(a, b) and nonzero(a) (``a != 0``) are numpy's, or the fast
    # kernels' with the same numbers: bound by _use_kernels when the switch is set
    matmul: Any
    multiply: Any

    @staticmethod
    def sum(a: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
        if axis == (0,) and not keepdims and a.ndim == 2 and a.dtype.kind == "f":
            # the column sums of a batch (bias gradients) as a product with ones: a BLAS
            # product, several times faster than numpy's strided reduction for tall arrays
            return ones((a.shape[0],), a.dtype).dot(a)
        return _add_reduce(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def reshape(a: Any, shape: tuple[int, ...]) -> Any:
        return a.reshape(shape) if type(a) is Array else np.reshape(a, shape)

    @staticmethod
    def getitem(a: Any, index: Any) -> Any:
        return a[index]

    @staticmethod
    def mT(a: Any) -> Any:  # noqa: N802 - the usual name for a matrix transpose
        return a.T if a.ndim == 2 else np.swapaxes(a, -1, -2)


NUMPY_MATH = NumpyMath()


def _not_zero(a: Any) -> Any:
    return a != 0


def _use_kernels(enabled: bool) -> None:
    """Bind the products, masks and ``ones`` of the numpy namespace, and the forwards of the
    affine layer, to the fast kernels (``enabled``) or to plain numpy: chosen once when the
    switch is set, not on every call."""
    global ones, _relu_into, _affine, _affine_relu
    fast = _fast if enabled else None
    NumpyMath.matmul = staticmethod(np.matmul if fast is None else fast.matmul)
    NumpyMath.multiply = staticmethod(np.multiply if fast is None else fast.multiply)
    NumpyMath.nonzero = staticmethod(_not_zero if fast is None else fast.nonzero)
    _relu_into = _relu_into_plain if fast is None else fast.relu_into
    _affine = _affine_plain if fast is None else fast.linear
    _affine_relu = _affine_relu_plain if fast is None else fast.linear_relu
    ones = _ones if fast is None else fast.ones


def unbroadcast(m: Any, g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` summed over the dimensions broadcasting added or stretched, reshaped to ``shape``.

    d/dx of ``f(broadcast(x))`` is the sum of the output gradient over every copy of x.
    """
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        k + lead for k, n in enumerate(shape) if n == 1 and gshape[k + lead] != 1
    )
    if axes:
        g = m.sum(g, axes, False)
    return m.reshape(g, shape)


def expand(m: Any, g: Any, shape: tuple[int, ...], axis: Any, keepdims: bool) -> Any:
    """The gradient of a reduction over ``axis``, broadcast back to the input ``shape``."""
    if axis is not None and not keepdims:
        g = m.reshape(g, tuple(1 if k in axis else n for k, n in enumerate(shape)))
    return m.broadcast_to(g, shape)


def _shape(x: Any) -> tuple[int, ...]:
    return x.shape if hasattr(x, "shape") else ()


# ---------------------------------------------------------------- forwards
def _ones(shape: tuple[int, ...], dtype: np.dtype) -> Array:
    return np.ones(shape, dtype)


ones = _ones
"""``ones(shape, dtype)``: ones of ``shape`` and ``dtype``, to be treated as read-only (the
fast kernel hands out a kept array); bound by :func:`_use_kernels`."""


def _relu_into_plain(x: Array) -> Array:
    return np.maximum(x, 0.0, out=x)


def _affine_plain(xs: Sequence[Any]) -> Array:
    x, w, b = xs
    with _errstate(all="ignore"):  # inf * 0 gives nan silently, as in torch
        out = np.matmul(x, w)
        out += b
    return out


def _affine_relu_plain(xs: Sequence[Any]) -> Array:
    return _relu_into(_affine(xs))


# max(x, 0) into x, x @ W + b and relu(x @ W + b): the plain numpy versions above, or the fast
# kernels (the same numbers), bound by _use_kernels
_relu_into = _relu_into_plain
_affine = _affine_plain
_affine_relu = _affine_relu_plain


def _linear(xs: Sequence[Any], ctx: Any) -> Array:
    """x @ W + b."""
    return _affine(xs)


def _linear_relu(xs: Sequence[Any], ctx: Any) -> Array:
    """relu(x @ W + b)."""
    return _affine_relu(xs)


def _log_softmax(xs: Sequence[Any], axis: int) -> Array:
    x = xs[0]
    with _errstate(all="ignore"):
        shifted = x - np.max(x, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _softmax(xs: Sequence[Any], axis: int) -> Array:
    x = xs[0]
    with _errstate(all="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


def _quiet_sum(x: Any, axis: Any, keepdims: bool) -> Any:
    """np.add.reduce with numpy's floating-point warnings off (inf + -inf = nan silently)."""
    with _errstate(all="ignore"):
        return _add_reduce(x, axis=axis, keepdims=keepdims)


def _mean(xs: Sequence[Any], ctx: Any) -> Any:
    axis, keepdims, count = ctx
    total = _quiet_sum(xs[0], axis, keepdims)
    if count == 0:  # the mean of nothing is nan, as in torch
        return np.full_like(total, np.nan)
    return total / count


# ---------------------------------------------------------------- VJPs that need a few lines
def _matmul_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, ctx: Any) -> Any:
    """C = A @ B: dA = G @ B^T, dB = A^T @ G (1-D operands promoted to matrices, batch dims
    summed back)."""
    a, b = xs
    if a.ndim == 2 and b.ndim == 2:
        return m.matmul(g, m.mT(b)) if i == 0 else m.matmul(m.mT(a), g)
    a2 = a if a.ndim > 1 else m.reshape(a, (1, a.shape[0]))
    b2 = b if b.ndim > 1 else m.reshape(b, (b.shape[0], 1))
    gshape = g.shape
    if a.ndim == 1:
        gshape = (*gshape[:-1], 1, gshape[-1]) if b.ndim > 1 else (1, 1)
    if b.ndim == 1:
        gshape = (*gshape, 1)
    g2 = m.reshape(g, gshape)
    if i == 0:
        return m.reshape(unbroadcast(m, m.matmul(g2, m.mT(b2)), a2.shape), a.shape)
    return m.reshape(unbroadcast(m, m.matmul(m.mT(a2), g2), b2.shape), b.shape)


def _linear_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, ctx: Any) -> Any:
    """y = x @ W + b: dx = G @ W^T, dW = x^T @ G, db = sum of G over the batch."""
    if i == 0:
        return m.matmul(g, m.mT(xs[1]))
    if i == 1:
        return m.matmul(m.mT(xs[0]), g)
    return m.sum(g, (0,), False) if g.ndim == 2 else g


def _max_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, ctx: Any) -> Any:
    """d max / dx_j = 1 at the maximum; ties share the gradient equally (torch.amax)."""
    axis, keepdims = ctx
    x = m.value_of(xs[0])
    shape = x.shape
    at_max = x == expand(NUMPY_MATH, m.value_of(out), shape, axis, keepdims)
    # in x's dtype: a float32 input keeps a float32 gradient (the count is an integer)
    share = (at_max / np.sum(at_max, axis=axis, keepdims=True)).astype(x.dtype, copy=False)
    return expand(m, g, shape, axis, keepdims) * share


def _maximum_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, ctx: Any) -> Any:
    """d max(a, b)/da = 1 where a > b, 1/2 where a == b (torch's choice), 0 elsewhere."""
    a, b = m.value_of(xs[i]), m.value_of(xs[1 - i])
    wins = (a > b) if ctx == "max" else (a < b)
    return m.where(wins, g, m.where(a == b, g * 0.5, 0.0))


def _clip_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, ctx: Any) -> Any:
    """d clip(x, lo, hi)/dx = 1 where lo <= x <= hi, else 0."""
    lo, hi = ctx
    x = m.value_of(xs[0])
    inside = np.ones(x.shape, dtype=bool)
    if lo is not None:
        inside &= x >= lo
    if hi is not None:
        inside &= x <= hi
    return m.where(inside, g, 0.0)


def _concat_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, ctx: Any) -> Any:
    """Each input gets its own slice of the output gradient along ``axis``."""
    axis, bounds = ctx
    return m.getitem(g, (slice(None),) * axis + (slice(bounds[i], bounds[i + 1]),))


def _transpose_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, axes: Any) -> Any:
    """The gradient goes back through the inverse permutation."""
    return m.transpose(g, tuple(np.argsort(axes)))


def _where_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, cond: Any) -> Any:
    return m.where(cond, g, 0.0) if i == 0 else m.where(cond, 0.0, g)


def _hinge_terms(s: Any, t: Any) -> Array:
    """max(1 - t s, 0) per sample: scores ``s`` ((n,) or (n, 1)) and targets ``t`` (n,)."""
    margins = 1.0 - t * s.reshape(-1)
    return _relu_into(margins)


def _hinge(xs: Sequence[Any], saved: list[Any] | None) -> Any:
    """mean(relu(1 - t * s)), evaluated as ``sum(max(1 - t s, 0)) * (1/n)`` (the order of the
    unfused ops). Given a list ``saved``, the per-sample terms are kept there for the VJP
    (as torch's ctx.save_for_backward), which then need not compute them again."""
    terms = _hinge_terms(xs[0], xs[1])
    if saved is not None:
        saved.append(terms)
    return _add_reduce(terms, axis=None) * (1.0 / terms.shape[0])


def _hinge_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, saved: Any) -> Any:
    """d/ds = -t g/n and d/dt = -s g/n where the margin 1 - t s is positive (or nan), else 0."""
    s, t = xs
    sv = m.value_of(s)
    terms = saved[0] if saved else _hinge_terms(sv, m.value_of(t))
    n = terms.shape[0]
    # relu passes the gradient where its output max(1 - t s, 0) is not 0 (nan passes)
    active = NUMPY_MATH.nonzero(terms)
    # x * -(g/n) is -(g/n * x) bit for bit: the sign flips on the scalar, not the array
    if i == 0:
        return m.reshape(m.multiply(t, active) * -(g * (1.0 / n)), sv.shape)
    return m.multiply(m.reshape(s, (n,)), active) * -(g * (1.0 / n))


def _reduce_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, ctx: Any) -> Any:
    """sum: every input gets the output's gradient; mean: divided by the count."""
    axis, keepdims = ctx[0], ctx[1]
    if len(ctx) == 3:
        g = g / ctx[2]  # divide before expanding: fewer numbers
    return expand(m, g, _shape(xs[0]), axis, keepdims)


# ---------------------------------------------------------------- the rule table
_RULES = (
    TensorOp("matmul", lambda xs, c: np.matmul(xs[0], xs[1]), _matmul_vjp, "@"),
    TensorOp("linear", _linear, _linear_vjp, "linear"),
    # relu(x @ W + b) in one node: the relu mask is applied to g once, then linear's VJPs
    TensorOp(
        "linear_relu",
        _linear_relu,
        _linear_vjp,
        "linear+relu",
        prepare=lambda m, g, xs, out, c: m.multiply(g, NUMPY_MATH.nonzero(m.value_of(out))),
    ),
    # inf + -inf is nan without a warning, as in torch
    TensorOp("sum", lambda xs, c: _quiet_sum(xs[0], c[0], c[1]), _reduce_vjp, "sum"),
    TensorOp("mean", _mean, _reduce_vjp, "mean"),
    TensorOp("max", lambda xs, c: np.max(xs[0], axis=c[0], keepdims=c[1]), _max_vjp, "max"),
    # min: the gradient goes to the minimum, shared by ties (the same VJP as max's)
    TensorOp("min", lambda xs, c: np.min(xs[0], axis=c[0], keepdims=c[1]), _max_vjp, "min"),
    TensorOp(
        "reshape",
        lambda xs, shape: np.reshape(xs[0], shape),
        lambda m, i, g, xs, out, c: m.reshape(g, xs[0].shape),
        "reshape",
    ),
    TensorOp("transpose", lambda xs, axes: np.transpose(xs[0], axes), _transpose_vjp, "T"),
    TensorOp(
        "broadcast_to",
        lambda xs, shape: np.broadcast_to(xs[0], shape),
        lambda m, i, g, xs, out, c: unbroadcast(m, g, xs[0].shape),
        "broadcast",
    ),
    # x[index]: the gradient is scattered back, adding at repeated indices (np.add.at)
    TensorOp(
        "getitem",
        lambda xs, c: xs[0][c[0]],
        lambda m, i, g, xs, out, c: m.scatter(g, (c[0], c[1], xs[0].shape)),
        "[]",
    ),
    # the adjoint of getitem: its gradient is the gathered gradient
    TensorOp(
        "scatter",
        lambda xs, c: _scatter(xs[0], c),
        lambda m, i, g, xs, out, c: m.getitem(g, c[0]),
        "scatter",
    ),
    # log_softmax: d = g - softmax(x) * sum(g) ; softmax: d = s * (g - sum(g * s))
    TensorOp(
        "log_softmax",
        _log_softmax,
        lambda m, i, g, xs, out, axis: g - m.exp(out) * m.sum(g, (axis,), True),
        "log_softmax",
    ),
    TensorOp(
        "softmax",
        _softmax,
        lambda m, i, g, xs, out, axis: out * (g - m.sum(g * out, (axis,), True)),
        "softmax",
    ),
    TensorOp("clip", lambda xs, c: np.clip(xs[0], c[0], c[1]), _clip_vjp, "clip"),
    TensorOp("maximum", lambda xs, c: np.maximum(xs[0], xs[1]), _maximum_vjp, "maximum"),
    TensorOp("minimum", lambda xs, c: np.minimum(xs[0], xs[1]), _maximum_vjp, "minimum"),
    TensorOp("where", lambda xs, cond: np.where(cond, xs[0], xs[1]), _where_vjp, "where"),
    # sum_k sum(x_k^2) over several tensors (an L2 penalty) as one node; d/dx_k = 2 x_k
    TensorOp(
        "sum_of_squares",
        lambda xs, c: np.asarray(sum(map(np.vdot, xs, xs)), dtype=xs[0].dtype),
        lambda m, i, g, xs, out, c: g * xs[i],
        "sumsq",
        prepare=lambda m, g, xs, out, c: 2.0 * g,
    ),
    # micrograd's max-margin loss in one node: mean(relu(1 - t * s)) for scores s (n,) or
    # (n, 1) and targets t (n,)
    TensorOp("hinge", _hinge, _hinge_vjp, "hinge"),
    TensorOp(
        "concatenate",
        lambda xs, c: np.concatenate(xs, axis=c[0]),
        _concat_vjp,
        "concatenate",
    ),
    TensorOp(
        "stack",
        lambda xs, axis: np.stack(xs, axis=axis),
        lambda m, i, g, xs, out, axis: m.getitem(g, (slice(None),) * axis + (i,)),
        "stack",
    ),
)

RULES: dict[str, TensorOp] = {rule.name: rule for rule in _RULES}
"""The Tensor's own ops by name; :mod:`.tensor` adds one for every op of the table."""


def elementwise(op: Op) -> TensorOp:
    """The TensorOp of an elementwise op of the table: its array forward (with numpy's
    floating-point warnings off when the op is ``quiet``) and its local derivatives, which the
    engine multiplies into the output gradient."""
    fn = op.array_forward

    if op.quiet:

        def forward(xs: Sequence[Any], ctx: Any) -> Any:
            with _errstate(all="ignore"):
                return fn(*xs)

    else:

        def forward(xs: Sequence[Any], ctx: Any) -> Any:
            return fn(*xs)

    return TensorOp(op.name, forward, _from_local, op.symbol, local=op.derivative)


def _from_local(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, ctx: Any) -> Any:
    raise AssertionError("an elementwise op's gradient comes from its local derivatives")


if _SWITCH is None:  # pragma: no cover - the fast folder deleted
    _use_kernels(False)
else:
    _SWITCH.watch(_use_kernels)
