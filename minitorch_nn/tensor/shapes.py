"""Shape arithmetic the Tensor's ops share: matmul's shape check, axis normalisation and the
size of a reduction. Plain tuples in, plain tuples out."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


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
    """``axis`` (None, an int or a sequence of ints) as a sorted tuple of non-negative ints.

    A 0-d tensor accepts axis 0 and -1, as torch does (it reduces over no axis: ``()``).
    """
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if ndim == 0:
        for a in axes:
            if not isinstance(a, (int, np.integer)) or isinstance(a, bool) or a not in (0, -1):
                raise ValueError(f"{what}: axis {a!r} is out of range for a 0-d tensor")
        return ()
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
