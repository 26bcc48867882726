"""Fast paths: faster ways to compute exactly what the rules compute, kept apart from them.

Nothing here defines a number. Each fast path replaces a generic step of an engine (building a
Value node, the scalar backward loop, a layer of fused neurons, a blocked matrix product, a
recycled result array, one array op over a flat parameter buffer) by one that gives the same
result bit for bit; the tests run the engines with fast paths on and off and compare. Deleting
this folder changes speed, not numbers: the engines import it optionally.

The one switch: the environment variable ``MINITORCH_NN_FAST=0`` (read once, at import) starts
with fast paths off; :func:`disabled` turns them off for a block (the tests use it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Switch:
    """Whether the engines take their fast paths (``enabled``).

    An engine may read ``enabled`` per call, or bind its kernels once through :meth:`watch`:
    every watcher is called with the new value whenever ``enabled`` is set.
    """

    __slots__ = ("enabled", "_watchers")
    enabled: bool
    _watchers: list[Callable[[bool], None]]

    def __init__(self, enabled: bool) -> None:
        object.__setattr__(self, "_watchers", [])
        self.enabled = enabled

    def __setattr__(self, name: str, value: bool) -> None:
        object.__setattr__(self, name, value)
        if name == "enabled":
            for watcher in self._watchers:
                watcher(value)

    def watch(self, watcher: Callable[[bool], None]) -> None:
        """Call ``watcher(enabled)`` now and every time ``enabled`` is set."""
        self._watchers.append(watcher)
        watcher(self.enabled)


SWITCH = Switch(os.environ.get("MINITORCH_NN_FAST", "1") != "0")


def enabled() -> bool:
    """True when the engines take their fast paths."""
    return SWITCH.enabled


@contextmanager
def disabled() -> Iterator[None]:
    """Inside ``with disabled():`` every engine runs its generic code only."""
    previous = SWITCH.enabled
    SWITCH.enabled = False
    try:
        yield
    finally:
        SWITCH.enabled = previous


__all__ = ["SWITCH", "Switch", "disabled", "enabled"]
