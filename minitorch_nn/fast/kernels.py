"""Fast paths of the Tensor engine: the same numbers as numpy's plain calls, in less time.

- :func:`matmul`: float matrices by ``ndarray.dot`` (the BLAS product np.matmul also calls,
  without its dispatch), large results into recycled arrays (:mod:`.memory`);
- :func:`multiply`, :func:`nonzero`: large results into recycled arrays;
- :func:`linear`, :func:`linear_relu`, :func:`relu_array`: the affine layer with its bias added
  in long rows, relu against kept zeros (numpy's vectorised array-array loop);
- :func:`filled`, :func:`ones`: small constant arrays (ones, zeros) kept per shape and dtype.

Each gives the generic code's numbers (:mod:`minitorch_nn.tensor.ops`) bit for bit. Products
taken in blocks (of rows of a tall batch, or of a long inner dimension) would be faster still,
but BLAS then partitions the work differently and the last bits can change, so they are not
fast paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .memory import CACHE

Array = np.ndarray
_cached = CACHE.empty  # large results go into recycled arrays (see .memory)
_CACHED_SIZE = CACHE.min_bytes // 8  # elements: smaller results skip the cache's bookkeeping


def matmul(a: Any, b: Any) -> Any:
    """a @ b for numpy operands, as np.matmul computes it.

    ndarray.dot is the same BLAS product as np.matmul without np.dot's Python-level
    dispatcher or matmul's ufunc machinery; it also takes the outer products of the VJPs (one
    inner dimension) faster than a broadcast product, with the same numbers (each element is
    one rounded product)."""
    if a.ndim == 2 and b.ndim == 2 and a.dtype == b.dtype and a.dtype.kind == "f":
        shape = (a.shape[0], b.shape[1])
        size = shape[0] * shape[1]
        out = _cached(shape, a.dtype) if size >= _CACHED_SIZE else None
        return a.dot(b, out)
    return np.matmul(a, b)


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
    return np.multiply(a, b)


_FILLED: dict[tuple[tuple[int, ...], np.dtype, float], Array] = {}
_FILLED_KEPT = 16  # arrays
_ZEROS_KEPT_SIZE = 32_768  # elements (256 KiB of float64) at most per kept array


def filled(shape: tuple[int, ...], dtype: np.dtype, value: float) -> Array:
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


def ones(shape: tuple[int, ...], dtype: np.dtype) -> Array:
    """Read-only ones of ``shape`` and ``dtype`` (kept when small, see :func:`filled`)."""
    kept = _FILLED.get((shape, dtype, 1.0))
    return filled(shape, dtype, 1.0) if kept is None else kept


def zeros_like(like: Array) -> Array:
    """Read-only zeros shaped like ``like``, for ``np.maximum(x, zeros)``.

    That gives the same numbers as ``np.maximum(x, 0.0)`` but runs numpy's vectorised
    array-array loop (its loop with a scalar operand is not vectorised): faster on large arrays,
    and on small ones it skips the scalar's handling.
    """
    return filled(like.shape, like.dtype, 0.0)


_BIAS_ROW = 256  # elements per row when adding a bias to a tall batch
_BIAS_WIDE_SIZE = 65_536  # elements: below this the plain broadcast is as fast


def add_bias(out: Array, bias: Any) -> None:
    """``out += bias`` for a batch ``out`` (n, k) and a bias (k,), in rows of ~256 numbers.

    numpy's broadcast loop restarts for every short row of k numbers; viewing r rows as one
    row of r*k numbers against the bias repeated r times gives the same sums in fewer,
    longer loops.
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


def relu_array(x: Array, out: Array | None = None) -> Array:
    """max(x, 0) elementwise (into ``out`` if given), as ``np.maximum(x, 0.0)`` computes it.

    A large contiguous array is taken as rows of ``_ZEROS_KEPT_SIZE`` numbers against one
    kept row of zeros (plus the leftover tail), so that no zeros of its size are allocated.
    """
    size = x.size
    if size <= _ZEROS_KEPT_SIZE or not (
        x.flags.c_contiguous and (out is None or out.flags.c_contiguous)
    ):
        return np.maximum(x, zeros_like(x), out=out)
    if out is None:
        out = np.empty(x.shape, x.dtype)
    flat, flat_out = x.reshape(-1), out.reshape(-1)
    width = _ZEROS_KEPT_SIZE
    zeros = zeros_like(flat[:width])
    body = size - size % width
    np.maximum(flat[:body].reshape(-1, width), zeros, out=flat_out[:body].reshape(-1, width))
    np.maximum(flat[body:], zeros[: size - body], out=flat_out[body:])
    return out


def relu_into(x: Array) -> Array:
    """max(x, 0) elementwise, written into ``x``."""
    return relu_array(x, x)


def nonzero(y: Any) -> Any:
    """``y != 0`` (the relu gradient's mask), into a recycled array when ``y`` is large;
    against kept zeros when small (numpy's array-array loop, cheaper than against a scalar 0)."""
    if type(y) is Array:
        if y.size >= _CACHED_SIZE:
            return np.not_equal(y, 0.0, out=_cached(y.shape, np.bool_))
        if y.size <= _ZEROS_KEPT_SIZE:
            return np.not_equal(y, zeros_like(y))
    return y != 0


def linear(xs: Sequence[Any]) -> Array:
    """x @ W + b, into a recycled array for a float batch (n, nin) @ (nin, nout)."""
    x, w, b = xs
    if type(x) is Array and x.ndim == 2 and w.ndim == 2 and x.dtype == w.dtype:
        n, k = x.shape[0], w.shape[1]
        if n * k < _CACHED_SIZE:  # a small batch: what add_bias would do, without its checks
            out = x.dot(w)
            out += b
            return out
        with np.errstate(all="ignore"):  # inf * 0 gives nan silently, as in torch
            out = x.dot(w, _cached((n, k), x.dtype))
    else:
        with np.errstate(all="ignore"):
            out = np.matmul(x, w)
    add_bias(out, b)
    return out


def linear_relu(xs: Sequence[Any]) -> Array:
    """relu(x @ W + b), the max against kept zeros, in place."""
    x, w, b = xs
    if type(x) is Array and x.ndim == 2 and w.ndim == 2 and x.shape[0] * w.shape[1] < _CACHED_SIZE:
        # a small batch (a fresh array): relu_array's max, unchecked
        if x.dtype == w.dtype:  # linear's small-batch product, inline
            out = x.dot(w)
            out += b
        else:
            out = linear(xs)
        return np.maximum(out, zeros_like(out), out=out)
    out = linear(xs)
    return relu_array(out, out)
