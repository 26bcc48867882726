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
from collections.abc import Iterator
from contextlib import contextmanager


class Switch:
    """Whether the engines take their fast paths (``enabled``)."""

    __slots__ = ("enabled",)

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled


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
