"""Parameters that live in one contiguous buffer: one array op updates them all.

When every parameter's ``.data`` is a view of consecutive slices of one 1-D array, an
optimizer can treat the parameters as that single array: ``zero_grad`` becomes one
``grad.fill(0)`` of a matching gradient buffer (each ``.grad`` a view of it), and plain SGD
becomes one ``data -= lr * grad`` instead of a Python loop with one small numpy call per
parameter. The numbers are the same: the rule is elementwise, so applying it to the whole
buffer computes, element by element, exactly what the per-parameter loop computes.

This is the idea behind torch's multi-tensor ("foreach") optimizer kernels and flat-buffer
optimizers, and behind ``RNN.flatten_parameters``, which packs an RNN's weights into one
block of memory so that a single kernel can walk them. Here it only saves Python overhead,
which is what dominates a small model's training step.

:func:`find_flat` recognises such parameters (the tensor engine's models are built that way,
see ``minitorch_nn.tensor.nn.flatten_parameters``); this module uses numpy only.
The optimizers reach it through ``minitorch_nn.optim.flat``, which honours the fast switch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter, is_
from typing import Any

import numpy as np

__all__ = ["FlatParams", "find_flat"]

_get_data, _get_grad = attrgetter("data"), attrgetter("grad")


@dataclass(frozen=True)
class FlatParams:
    """One 1-D ``data`` buffer tiled by ``views`` (each parameter's ``.data``, in parameter
    order) and a gradient buffer ``grad`` of the same size and dtype tiled the same way by
    ``grad_views``."""

    data: np.ndarray
    views: tuple[np.ndarray, ...]
    grad: np.ndarray
    grad_views: tuple[np.ndarray, ...]

    def holds_data(self, params: Sequence[Any]) -> bool:
        """True when every parameter's ``.data`` is still its view (identity, not value)."""
        views = self.views
        return len(params) == len(views) and all(map(is_, map(_get_data, params), views))

    def holds_grads(self, params: Sequence[Any]) -> bool:
        """True when every parameter's ``.grad`` is its view of the gradient buffer."""
        views = self.grad_views
        return len(params) == len(views) and all(map(is_, map(_get_grad, params), views))


def _address(a: np.ndarray) -> int:
    address: int = a.__array_interface__["data"][0]
    return address


def find_flat(params: Sequence[Any]) -> FlatParams | None:
    """A :class:`FlatParams` for ``params``, or None unless their ``.data`` arrays are
    C-contiguous, writeable views of one 1-D C-contiguous writeable array (all of its dtype)
    that tile it consecutively, in the order of ``params``, from its start to its end."""
    if not params:
        return None
    arrays = [getattr(p, "data", None) for p in params]
    views = tuple(a for a in arrays if isinstance(a, np.ndarray))
    if len(views) != len(arrays):  # a float (a Value's data) or something else
        return None
    base = views[0].base
    if (
        not isinstance(base, np.ndarray)
        or base.ndim != 1
        or not base.flags.c_contiguous
        or not base.flags.writeable
    ):
        return None
    start, itemsize = _address(base), base.itemsize
    offset = 0  # in elements
    for view in views:
        if (
            view.base is not base
            or view.dtype != base.dtype
            or not view.flags.c_contiguous
            or not view.flags.writeable
            or _address(view) - start != offset * itemsize
        ):
            return None
        offset += view.size
    if offset != base.size:
        return None
    grad = np.zeros_like(base)
    grad_views = []
    offset = 0
    for view in views:
        grad_views.append(grad[offset : offset + view.size].reshape(view.shape))
        offset += view.size
    return FlatParams(base, views, grad, tuple(grad_views))
