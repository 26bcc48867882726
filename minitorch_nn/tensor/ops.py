"""Tensor op rules: the forward on numpy arrays and the vector-Jacobian product (VJP) per input.

Each operation appears exactly once, as a :class:`TensorOp`:

- ``forward(xs, ctx)``: the result from the input arrays ``xs`` (constants stay as given) and
  ``ctx``, the op's non-tensor arguments (an axis, a shape, an index), or a list in which the
  forward keeps arrays its VJP would otherwise compute again (``hinge``'s per-sample terms,
  as torch's ``ctx.save_for_backward``);
- ``vjp(m, i, g, xs, out, ctx)``: the gradient towards input ``i`` given ``g``, the gradient
  of the output, written against a math namespace ``m``. It has the output's broadcast shape;
  the engine sums it back to input ``i``'s shape with :func:`unbroadcast`.

An ordinary backward pass evaluates ``vjp`` with :data:`NUMPY_MATH` on plain arrays. With
``create_graph=True`` the engine evaluates the same rule with a namespace of Tensor ops, on
the input Tensors, so the gradient is itself differentiable. One rule serves both.

Edge values follow PyTorch float64: ``log(0) = -inf``, ``1/0 = inf``, ``sqrt(-1) = nan``,
with no numpy RuntimeWarning: ops that can leave the finite numbers from finite inputs run
under ``np.errstate(all="ignore")`` (the backward walk runs under it as a whole).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .memory import CACHE

Array = np.ndarray
_cached = CACHE.empty  # large results go into recycled arrays (see .memory)
_CACHED_SIZE = CACHE.min_bytes // 8  # elements: smaller results skip the cache's bookkeeping
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


class NumpyMath:
    """The namespace ``m`` for VJPs evaluated on plain numpy arrays (first derivatives)."""

    value_of = staticmethod(lambda a: a)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    sign = staticmethod(np.sign)
    where = staticmethod(np.where)
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

    @staticmethod
    def matmul(a: Any, b: Any) -> Any:
        """a @ b; float matrices by ndarray.dot, large results into a recycled array.

        ndarray.dot is the same BLAS product as np.matmul (the same numbers) without np.dot's
        Python-level dispatcher or matmul's ufunc machinery (about 1 µs less per call at
        (100, 16) @ (16, 16)). It also takes the outer products of the VJPs (one inner
        dimension, e.g. the gradient into the last hidden layer) about 2x faster than a
        broadcast product, with the same numbers (each element is one rounded product)."""
        if a.ndim == 2 and b.ndim == 2 and a.dtype == b.dtype and a.dtype.kind == "f":
            shape = (a.shape[0], b.shape[1])
            size = shape[0] * shape[1]
            if a.shape[1] >= 2 * _SPLIT_K and _SPLIT_OUT[0] <= size <= _SPLIT_OUT[1]:
                return _split_k_dot(a, b)
            out = _cached(shape, a.dtype) if size >= _CACHED_SIZE else None
            if out is not None and a.shape[0] >= 2 * _SPLIT_K and b.size <= _SMALL_WEIGHT:
                return _row_blocks_dot(a, b, out)
            return a.dot(b, out)
        return np.matmul(a, b)

    @staticmethod
    def multiply(a: Any, b: Any) -> Any:
        """a * b; for two large arrays of one shape (b float or bool) into a recycled array."""
        if (
            type(a) is Array
            and a.size >= _CACHED_SIZE
            and type(b) is Array
            and a.shape == b.shape
            and (b.dtype == a.dtype or b.dtype.kind == "b")
        ):
            return np.multiply(a, b, out=_cached(a.shape, a.dtype))
        # the ufunc, not the * operator: for a float array times a bool mask the operator
        # takes about 2 µs longer (numpy 2.4, a (100, 16) batch), for the same numbers
        return np.multiply(a, b)

    @staticmethod
    def pow(a: Any, b: Any) -> Any:
        return np.power(a, b)

    @staticmethod
    def sum(a: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
        if axis == (0,) and not keepdims and a.ndim == 2 and a.dtype.kind == "f":
            # the column sums of a batch (bias gradients) as a BLAS product: several times
            # faster than numpy's strided reduction for tall arrays
            return _filled((a.shape[0],), a.dtype, 1.0).dot(a)
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


# A small product over a long inner dimension (a weight gradient x^T @ G over a tall batch)
# is summed from blocks of _SPLIT_K rows. Measured with this machine's OpenBLAS at k = 10000:
# about 2x faster for outputs of 8x16 to 16x16, within 2% either way up to 64x64, slower for
# outputs under 64 numbers (a single column), which keep the one product.
_SPLIT_K = 2048
_SPLIT_OUT = (64, 4096)  # output sizes (numbers) that are split
_SMALL_WEIGHT = 4096  # numbers: a tall batch times a weight this small goes by row blocks


def _split_k_dot(a: Array, b: Array) -> Array:
    """a @ b as the sum over blocks of the inner dimension of a[:, block] @ b[block]: the same
    product up to the order of the additions (BLAS fixes no order either)."""
    k, step = a.shape[1], _SPLIT_K
    out = a[:, :step].dot(b[:step])
    part = np.empty_like(out)
    for start in range(step, k, step):
        a[:, start : start + step].dot(b[start : start + step], part)
        out += part
    return out


def _row_blocks_dot(a: Array, b: Array, out: Array) -> Array:
    """a @ b into ``out`` for a tall ``a`` and a small ``b`` (a batch times a weight), ``b``
    made contiguous (a transposed weight is a view) and ``a`` taken _SPLIT_K rows at a time
    when both of its inner and outer sizes are at least 8: the same numbers (each row's
    product is its own), and with this machine's OpenBLAS about 1.4x faster for a (10000, 16)
    batch; single-column products keep the one call."""
    if not b.flags.c_contiguous:
        b = np.ascontiguousarray(b)
    if a.shape[1] < 8 or b.shape[1] < 8:
        return a.dot(b, out)
    for start, stop in _row_blocks(a.shape[0], _SPLIT_K):
        a[start:stop].dot(b, out[start:stop])
    return out


def _row_blocks(n: int, step: int) -> list[tuple[int, int]]:
    """(start, stop) of blocks of ``step`` rows covering ``n`` rows. A last block of one row
    joins the block before it: numpy takes a one-row product as a matrix-vector product,
    whose sums can round differently from the matrix product's."""
    bounds = [*range(0, n, step), n]
    if len(bounds) > 2 and n - bounds[-2] == 1:
        del bounds[-2]
    return list(zip(bounds, bounds[1:]))


NUMPY_MATH = NumpyMath()


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
def _ignoring(fn: Callable[..., Any]) -> Callable[[Sequence[Any], Any], Any]:
    """A forward evaluated with numpy's floating-point warnings off (torch gives inf/nan)."""

    def forward(xs: Sequence[Any], ctx: Any) -> Any:
        with _errstate(all="ignore"):
            return fn(*xs)

    return forward


def _sigmoid(x: Array) -> Array:
    """1 / (1 + e^-x) from e^-|x|, which cannot overflow."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


_FILLED: dict[tuple[tuple[int, ...], np.dtype, float], Array] = {}
_FILLED_KEPT = 16  # arrays
_ZEROS_KEPT_SIZE = 32_768  # elements (256 KiB of float64) at most per kept array


def _filled(shape: tuple[int, ...], dtype: np.dtype, value: float) -> Array:
    """A read-only array of ``shape`` and ``dtype`` filled with ``value`` (0 or 1 here).

    Small arrays (at most 256 KiB) are kept per shape, dtype and value, a handful at most;
    larger ones are made fresh so that no big buffer outlives the graph.
    """
    key = (shape, dtype, value)
    filled = _FILLED.get(key)
    if filled is None:
        filled = np.full(shape, value, dtype)
        if filled.size <= _ZEROS_KEPT_SIZE:
            if len(_FILLED) >= _FILLED_KEPT:
                _FILLED.clear()
            filled.flags.writeable = False
            _FILLED[key] = filled
    return filled


def _zeros(like: Array) -> Array:
    """Read-only zeros shaped like ``like``, for ``np.maximum(x, zeros)``.

    That gives the same numbers as ``np.maximum(x, 0.0)`` but runs numpy's vectorised
    array-array loop (its loop with a scalar operand is not vectorised): about 1.5x faster on
    large arrays, and on small ones it skips the scalar's handling (microseconds per call).
    """
    return _filled(like.shape, like.dtype, 0.0)


_BIAS_ROW = 256  # elements per row when adding a bias to a tall batch
_BIAS_WIDE_SIZE = 65_536  # elements: below this the plain broadcast is as fast


def _add_bias(out: Array, bias: Any) -> None:
    """``out += bias`` for a batch ``out`` (n, k) and a bias (k,), in rows of ~256 numbers.

    numpy's broadcast loop restarts for every short row of k numbers; viewing r rows as one
    row of r*k numbers against the bias repeated r times gives the same sums in fewer,
    longer loops (about 1.3x faster for k = 16 and n = 10000).
    """
    if out.size < _BIAS_WIDE_SIZE or out.ndim != 2:
        out += bias
        return
    n, k = out.shape
    rows = _BIAS_ROW // k
    if rows < 2 or type(bias) is not Array or bias.shape != (k,) or not out.flags.c_contiguous:
        out += bias
        return
    body = n - n % rows
    repeated = np.empty((rows, k), bias.dtype)
    repeated[...] = bias
    flat = out.reshape(-1)
    wide = flat[: body * k].reshape(-1, rows * k)
    wide += repeated.reshape(-1)
    if body < n:
        out[body:] += bias


def _relu_array(x: Array, out: Array | None = None) -> Array:
    """max(x, 0) elementwise (into ``out`` if given), as ``np.maximum(x, 0.0)`` computes it.

    A large contiguous array is taken as rows of ``_ZEROS_KEPT_SIZE`` numbers against one
    kept row of zeros (plus the leftover tail), so that no zeros of its size are allocated.
    """
    size = x.size
    if size <= _ZEROS_KEPT_SIZE or not (
        x.flags.c_contiguous and (out is None or out.flags.c_contiguous)
    ):
        return np.maximum(x, _zeros(x), out=out)
    if out is None:
        out = np.empty(x.shape, x.dtype)
    flat, flat_out = x.reshape(-1), out.reshape(-1)
    width = _ZEROS_KEPT_SIZE
    zeros = _zeros(flat[:width])
    body = size - size % width
    np.maximum(flat[:body].reshape(-1, width), zeros, out=flat_out[:body].reshape(-1, width))
    np.maximum(flat[body:], zeros[: size - body], out=flat_out[body:])
    return out


def _nonzero(y: Any) -> Any:
    """``y != 0`` (the relu gradient's mask), into a recycled array when ``y`` is large;
    against kept zeros when small (numpy's array-array loop: ~0.7 µs less than a scalar 0)."""
    if type(y) is Array:
        if y.size >= _CACHED_SIZE:
            return np.not_equal(y, 0.0, out=_cached(y.shape, np.bool_))
        if y.size <= _ZEROS_KEPT_SIZE:
            return np.not_equal(y, _zeros(y))
    return y != 0


def _relu(xs: Sequence[Any], ctx: Any) -> Array:
    x = xs[0]
    return _relu_array(x) if type(x) is Array else np.maximum(x, 0.0)


def _linear(xs: Sequence[Any], ctx: Any) -> Array:
    """x @ W + b, into a recycled array for a float batch (n, nin) @ (nin, nout)."""
    x, w, b = xs
    if type(x) is Array and x.ndim == 2 and w.ndim == 2 and x.dtype == w.dtype:
        n, k = x.shape[0], w.shape[1]
        if n * k < _CACHED_SIZE:  # a small batch: what _add_bias would do, without its checks
            out = x.dot(w)
            out += b
            return out
        out = x.dot(w, _cached((n, k), x.dtype))
    else:
        out = np.matmul(x, w)
    _add_bias(out, b)
    return out


def _linear_relu(xs: Sequence[Any], ctx: Any) -> Array:
    """relu(x @ W + b); a tall batch a block of rows at a time (product, bias, max against
    zeros while the block is still in cache: about 1.2x faster at (10000, 16), and the same
    numbers, since each row's product does not depend on the other rows)."""
    x, w, b = xs
    if type(x) is Array and x.ndim == 2 and w.ndim == 2 and x.shape[0] * w.shape[1] < _CACHED_SIZE:
        out = _linear(xs, ctx)  # a small batch (a fresh array): _relu_array's max, unchecked
        return np.maximum(out, _zeros(out), out=out)
    if (
        type(x) is Array
        and x.ndim == 2
        and w.ndim == 2
        and x.shape[0] * w.shape[1] >= 2 * _ZEROS_KEPT_SIZE
        and w.shape[1] <= _ZEROS_KEPT_SIZE // 64  # blocks of at least 64 rows
        and type(b) is Array
        and x.dtype == w.dtype == b.dtype
        and b.shape == w.shape[1:]
        and x.flags.c_contiguous
    ):
        n, k = x.shape[0], w.shape[1]
        out = _cached((n, k), x.dtype)
        rows = max(1, _ZEROS_KEPT_SIZE // k)
        zeros = _filled((rows + 1, k), x.dtype, 0.0)  # + 1: a one-row tail joins a block
        for start, stop in _row_blocks(n, rows):
            block = out[start:stop]
            x[start:stop].dot(w, block)
            block += b
            np.maximum(block, zeros[: stop - start], out=block)
        return out
    out = _linear(xs, ctx)
    return _relu_array(out, out)


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


def _mean(xs: Sequence[Any], ctx: Any) -> Any:
    axis, keepdims, count = ctx
    total = _add_reduce(xs[0], axis=axis, keepdims=keepdims)
    if count == 0:  # the mean of nothing is nan, as in torch
        return np.full_like(total, np.nan)
    return total / count


# ---------------------------------------------------------------- VJPs that need a few lines
def _pow_vjp(m: Any, i: int, g: Any, xs: Sequence[Any], out: Any, ctx: Any) -> Any:
    """d/da a^b = b a^(b-1) (0 where b == 0); d/db a^b = a^b log(a) (0 where a == 0, b >= 0)."""
    a, b = xs
    bv = m.value_of(b)
    if i == 0:
        if isinstance(bv, (int, float)):
            return g * 0.0 if bv == 0 else g * (b * m.pow(a, bv - 1.0))
        return m.where(bv == 0, 0.0, g * (b * m.pow(a, b - 1.0)))
    av = m.value_of(a)
    return m.where((av == 0) & (bv >= 0), 0.0, g * (out * m.log(a)))


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
    share = at_max / np.sum(at_max, axis=axis, keepdims=True)
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
    return _relu_array(margins, margins)


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
    active = _nonzero(terms)
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
    TensorOp("add", lambda xs, c: xs[0] + xs[1], lambda m, i, g, xs, out, c: g, "+"),
    TensorOp(
        "sub", lambda xs, c: xs[0] - xs[1], lambda m, i, g, xs, out, c: g if i == 0 else -g, "-"
    ),
    TensorOp("mul", lambda xs, c: xs[0] * xs[1], lambda m, i, g, xs, out, c: g * xs[1 - i], "*"),
    # d/da a/b = 1/b ; d/db a/b = -a/b^2
    TensorOp(
        "div",
        _ignoring(np.divide),
        lambda m, i, g, xs, out, c: g / xs[1] if i == 0 else -g * xs[0] / (xs[1] * xs[1]),
        "/",
    ),
    TensorOp("neg", lambda xs, c: -xs[0], lambda m, i, g, xs, out, c: -g, "neg"),
    TensorOp("pow", _ignoring(np.power), _pow_vjp, "**"),
    TensorOp("matmul", lambda xs, c: np.matmul(xs[0], xs[1]), _matmul_vjp, "@"),
    TensorOp("linear", _linear, _linear_vjp, "linear"),
    # relu(x @ W + b) in one node: the relu mask is applied to g once, then linear's VJPs
    TensorOp(
        "linear_relu",
        _linear_relu,
        _linear_vjp,
        "linear+relu",
        prepare=lambda m, g, xs, out, c: m.multiply(g, _nonzero(m.value_of(out))),
    ),
    # d/dx e^x = e^x
    TensorOp("exp", _ignoring(np.exp), lambda m, i, g, xs, out, c: g * out, "exp"),
    # d/dx log x = 1/x
    TensorOp("log", _ignoring(np.log), lambda m, i, g, xs, out, c: g / xs[0], "log"),
    # d/dx tanh x = 1 - tanh(x)^2
    TensorOp(
        "tanh",
        lambda xs, c: np.tanh(xs[0]),
        lambda m, i, g, xs, out, c: g * (1.0 - out * out),
        "tanh",
    ),  # noqa: E501
    # d/dx sigmoid x = s (1 - s)
    TensorOp(
        "sigmoid",
        _ignoring(_sigmoid),
        lambda m, i, g, xs, out, c: g * (out * (1.0 - out)),
        "sigmoid",
    ),
    # d/dx relu x = 0 where x <= 0, else 1 (0 at 0 and 1 at nan, as torch); relu(x) is 0
    # exactly where x <= 0, so the mask is out != 0
    TensorOp(
        "relu",
        _relu,
        lambda m, i, g, xs, out, c: m.multiply(g, _nonzero(m.value_of(out))),
        "relu",
    ),
    # d/dx sin x = cos x ; d/dx cos x = -sin x
    TensorOp("sin", _ignoring(np.sin), lambda m, i, g, xs, out, c: g * m.cos(xs[0]), "sin"),
    TensorOp("cos", _ignoring(np.cos), lambda m, i, g, xs, out, c: -g * m.sin(xs[0]), "cos"),
    # d/dx sqrt x = 1 / (2 sqrt x)
    TensorOp("sqrt", _ignoring(np.sqrt), lambda m, i, g, xs, out, c: g / (2.0 * out), "sqrt"),
    # d/dx |x| = sign x (0 at 0)
    TensorOp(
        "abs",
        lambda xs, c: np.abs(xs[0]),
        lambda m, i, g, xs, out, c: g * m.sign(m.value_of(xs[0])),
        "abs",
    ),
    TensorOp(
        "sum",
        lambda xs, c: _add_reduce(xs[0], axis=c[0], keepdims=c[1]),
        _reduce_vjp,
        "sum",
    ),
    TensorOp("mean", _mean, _reduce_vjp, "mean"),
    TensorOp(
        "max",
        lambda xs, c: np.max(xs[0], axis=c[0], keepdims=c[1]),
        _max_vjp,
        "max",
    ),
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


def matmul_shape_error(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> str | None:
    """The message for ``a @ b`` when the shapes cannot multiply, else None."""
    if not a_shape or not b_shape:
        return f"matmul: {a_shape} @ {b_shape}: both operands need at least one dimension"
    k_a = a_shape[-1]
    k_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if k_a != k_b:
        return f"matmul: {a_shape} @ {b_shape}: inner dimensions {k_a} and {k_b} differ"
    return None


def normalize_axis(axis: Any, ndim: int, what: str) -> tuple[int, ...] | None:
    """``axis`` (None, an int or a sequence of ints) as a sorted tuple of non-negative ints."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    result = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{what}: axis must be ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{what}: axis {a} is out of range for a {ndim}-d tensor")
        result.append(int(a) % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"{what}: repeated axis in {axis!r}")
    return tuple(sorted(result))


def count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    """The number of elements a reduction over ``axis`` combines."""
    if axis is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in axis)
