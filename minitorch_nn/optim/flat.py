"""Flat parameter buffers, a fast path that lives in :mod:`minitorch_nn.fast.flat`.

:func:`find_flat` gives None (the optimizer's per-parameter path, the same numbers) when fast
paths are off or the fast folder is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

try:  # flat buffers are a fast path: without them optimizers update parameter by parameter
    from ..fast import SWITCH as _SWITCH
    from ..fast.flat import FlatParams
    from ..fast.flat import find_flat as _find_flat
except ImportError:  # pragma: no cover - the fast folder deleted
    FlatParams = Any  # type: ignore[assignment,misc]
    _find_flat = None  # type: ignore[assignment]


def find_flat(params: Sequence[Any]) -> FlatParams | None:
    """The flat buffers ``params`` live in (see :mod:`minitorch_nn.fast.flat`), or None."""
    if _find_flat is None or not _SWITCH.enabled:
        return None
    return _find_flat(params)


__all__ = ["FlatParams", "find_flat"]
