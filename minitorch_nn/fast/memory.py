"""Recycled arrays for the Tensor engine's large results: fresh memory without fresh pages.

A training step allocates the same big arrays every time (a layer's output, the gradient
flowing into it) and frees them all at the end. The C allocator hands large freed blocks
back to the operating system, so every step touches brand-new pages, and each first touch
of a page is a page fault: for a (10000, 16) float64 batch that was about half of the step.

:class:`ArrayCache` keeps the large arrays the engine made and hands one out again once
nothing else refers to it (its reference count is back to the cache's own), like PyTorch's
caching allocator. An array a Tensor, a view, a saved graph or the user still holds is never
reused. Only arrays of at least ``min_bytes`` are cached, at most ``per_shape`` per shape and
dtype and ``max_bytes`` in all; ``empty_cache()`` lets the memory go.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_getrefcount = sys.getrefcount
_empty = np.empty

Key = tuple[tuple[int, ...], np.dtype]


@dataclass
class ArrayCache:
    """Arrays by (shape, dtype), each handed out again once only the cache refers to it."""

    min_bytes: int = 1 << 17  # 128 KiB: smaller arrays are cheap to allocate
    max_bytes: int = 1 << 26  # 64 MiB held at most
    per_shape: int = 8
    _buckets: dict[Key, list[np.ndarray]] = field(default_factory=dict, repr=False)
    _held: int = field(default=0, repr=False)
    _free: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        # the count _counts() reports for a cached array nobody else holds, measured rather
        # than assumed (interpreters count borrowed references differently)
        self._free = _counts([np.empty(0)])[0]

    def empty(self, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """An uninitialised C-ordered array of ``shape`` and ``dtype`` that nothing refers to."""
        dtype = np.dtype(dtype)
        nbytes = dtype.itemsize
        for n in shape:
            nbytes *= n
        if nbytes < self.min_bytes:
            return _empty(shape, dtype)
        # one thread at a time: two threads must not both find the same array free
        with self._lock:
            return self._take(shape, dtype, nbytes)

    def _take(self, shape: tuple[int, ...], dtype: np.dtype, nbytes: int) -> np.ndarray:
        key = (shape, dtype)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = []
        else:
            free = self._free
            for i, count in enumerate(_counts(bucket)):
                if count == free:
                    return bucket[i]
        out = _empty(shape, dtype)
        if len(bucket) < self.per_shape:
            if self._held + nbytes > self.max_bytes:
                self._drop_free()
            if self._held + nbytes <= self.max_bytes:
                bucket.append(out)
                self._held += nbytes
        return out

    def _drop_free(self) -> None:
        """Forget the cached arrays nobody uses (e.g. those of a batch size no longer seen)."""
        free = self._free
        for bucket in self._buckets.values():
            kept = [a for a, count in zip(bucket, _counts(bucket)) if count != free]
            self._held -= sum(a.nbytes for a in bucket) - sum(a.nbytes for a in kept)
            bucket[:] = kept

    @property
    def held_bytes(self) -> int:
        """Bytes of the arrays the cache holds (in use or free)."""
        return self._held

    def empty_cache(self) -> None:
        """Forget every cached array (those still in use live on with their owners)."""
        with self._lock:
            self._buckets.clear()
            self._held = 0


def _counts(bucket: list[np.ndarray]) -> list[int]:
    """The reference count of each cached array (the same code measures the free count)."""
    return [_getrefcount(a) for a in bucket]


CACHE = ArrayCache()
"""The engine's cache (the ops take their large results from it)."""


def empty_cache() -> None:
    """Release the large arrays the Tensor engine keeps for reuse."""
    CACHE.empty_cache()
