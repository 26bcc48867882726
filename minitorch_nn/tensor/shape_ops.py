"""The Tensor's own ops beyond the elementwise table: reductions, softmax, shapes, indexing.

:class:`ShapeOps` is the part of ``Tensor`` that builds these nodes: each method checks its
arguments, names what was wrong, and records one node of the rule in :mod:`.ops` (its forward
and VJP live there). ``Tensor`` supplies ``_apply`` (the node constructor) and ``data``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .ops import RULES
from .shapes import count, normalize_axis


class ShapeOps:
    """Reductions, softmax, reshaping, permuting, broadcasting and indexing of a Tensor."""

    __slots__ = ()
    data: np.ndarray
    _apply: Any  # Tensor's node constructor: _apply(rule, args, ctx) -> Tensor

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    # ------------------------------------------------------------ reductions
    def sum(self, axis: Any = None, keepdims: bool = False) -> Any:
        """Sum over ``axis`` (all axes by default); d/dx_i = 1."""
        ax = normalize_axis(axis, self.data.ndim, "sum")
        return self._apply(RULES["sum"], (self,), (ax, bool(keepdims)))

    def mean(self, axis: Any = None, keepdims: bool = False) -> Any:
        """Mean over ``axis``; d/dx_i = 1/n with n the number of elements averaged."""
        ax = normalize_axis(axis, self.data.ndim, "mean")
        return self._apply(RULES["mean"], (self,), (ax, bool(keepdims), count(self.shape, ax)))

    def max(self, axis: Any = None, keepdims: bool = False) -> Any:
        """Max over ``axis``; the gradient goes to the maximum (shared equally by ties)."""
        ax = normalize_axis(axis, self.data.ndim, "max")
        if self.data.size == 0:
            raise ValueError(f"max: tensor of shape {self.shape} is empty")
        return self._apply(RULES["max"], (self,), (ax, bool(keepdims)))

    def min(self, axis: Any = None, keepdims: bool = False) -> Any:
        """Min over ``axis`` (torch's ``amin``); the gradient goes to the minimum (shared
        equally by ties)."""
        ax = normalize_axis(axis, self.data.ndim, "min")
        if self.data.size == 0:
            raise ValueError(f"min: tensor of shape {self.shape} is empty")
        return self._apply(RULES["min"], (self,), (ax, bool(keepdims)))

    def log_softmax(self, axis: int = -1) -> Any:
        """x - log(sum(exp(x))) along ``axis``, computed after subtracting the max."""
        if self.data.ndim == 0:  # as torch: a 0-d tensor is one element along axis 0 or -1
            normalize_axis(axis, 0, "log_softmax")
            return self.reshape(1).log_softmax(0).reshape(())
        (ax,) = normalize_axis(axis, self.data.ndim, "log_softmax") or (0,)
        return self._apply(RULES["log_softmax"], (self,), ax)

    def softmax(self, axis: int = -1) -> Any:
        """exp(x) / sum(exp(x)) along ``axis``, computed after subtracting the max."""
        if self.data.ndim == 0:  # as torch: a 0-d tensor is one element along axis 0 or -1
            normalize_axis(axis, 0, "softmax")
            return self.reshape(1).softmax(0).reshape(())
        (ax,) = normalize_axis(axis, self.data.ndim, "softmax") or (0,)
        return self._apply(RULES["softmax"], (self,), ax)

    # ------------------------------------------------------------ shapes
    def reshape(self, *shape: Any) -> Any:
        """The same numbers in a new shape (``-1`` infers one dimension)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            new_shape = self.data.reshape(shape).shape
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {self.shape} "
                f"({self.data.size} elements) into shape {shape}"
            ) from None
        return self._apply(RULES["reshape"], (self,), new_shape)

    def permute(self, *dims: Any) -> Any:
        """The axes in the order ``dims`` (a permutation, as torch's ``permute``); the
        gradient goes back through the inverse permutation."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        ndim = self.data.ndim
        perm = tuple(int(a) % ndim if -ndim <= a < ndim else ndim for a in dims) if ndim else dims
        if sorted(perm) != list(range(ndim)):
            raise ValueError(
                f"permute: dims {dims} are not a permutation of the {ndim} axes "
                f"of a tensor of shape {self.shape}"
            )
        return self._apply(RULES["transpose"], (self,), perm)

    def transpose(self, *axes: Any) -> Any:
        """``transpose(dim0, dim1)`` swaps two axes, as torch; ``transpose()`` reverses them
        all (numpy's ``.T``); a single tuple or three or more axes are a permutation, as
        numpy's ``transpose(axes)`` (see :meth:`permute`)."""
        ndim = self.data.ndim
        if not axes:
            return self._apply(RULES["transpose"], (self,), tuple(range(ndim - 1, -1, -1)))
        if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
            for a in axes:
                if not -max(ndim, 1) <= a < max(ndim, 1):
                    raise ValueError(
                        f"transpose: dim {a} is out of range for a tensor of shape {self.shape}"
                    )
            if ndim == 0:
                return self._apply(RULES["transpose"], (self,), ())
            perm = list(range(ndim))
            i, j = int(axes[0]) % ndim, int(axes[1]) % ndim
            perm[i], perm[j] = perm[j], perm[i]
            return self._apply(RULES["transpose"], (self,), tuple(perm))
        return self.permute(*axes)

    @property
    def T(self) -> Any:  # noqa: N802 - numpy's name
        return self.transpose()

    @property
    def mT(self) -> Any:  # noqa: N802 - torch's name
        """The last two axes swapped."""
        ndim = self.data.ndim
        if ndim < 2:
            raise ValueError(f"mT: needs at least 2 dimensions, got shape {self.shape}")
        perm = (*range(ndim - 2), ndim - 1, ndim - 2)
        return self._apply(RULES["transpose"], (self,), perm)

    def broadcast_to(self, shape: Sequence[int]) -> Any:
        """The tensor repeated along broadcast dimensions; the gradient sums the copies."""
        shape = tuple(shape)
        try:
            np.broadcast_shapes(self.shape, shape)
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast {self.shape} to {shape}") from None
        return self._apply(RULES["broadcast_to"], (self,), shape)

    def __getitem__(self, index: Any) -> Any:
        """Indexing with ints, slices, None, Ellipsis, int arrays and boolean masks; the
        gradient is scattered back, adding up at repeated indices."""
        index, advanced = _index(index)
        return self._apply(RULES["getitem"], (self,), (index, advanced))


def _index(index: Any) -> tuple[Any, bool]:
    """``index`` with Tensors and lists made arrays, and whether it has integer arrays."""
    items = index if isinstance(index, tuple) else (index,)
    fixed = []
    advanced = False
    for item in items:
        if isinstance(item, ShapeOps):
            item = item.data
        if isinstance(item, (list, np.ndarray)):
            item = np.asarray(item)
            if item.dtype.kind == "f":
                raise IndexError(f"index arrays must be integers or booleans, got {item.dtype}")
            advanced = advanced or item.dtype.kind in "iu"
        fixed.append(item)
    return (tuple(fixed) if isinstance(index, tuple) else fixed[0]), advanced
