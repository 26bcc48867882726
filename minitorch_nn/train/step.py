"""Two guards around a training step: the garbage collector paused, Ctrl-C held until it ends."""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
from collections.abc import Iterator
from types import FrameType, TracebackType
from typing import Any


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one training step, restoring it on exit.

    Neither engine's graph holds reference cycles (reference counting frees it the moment the
    step drops it), so the collector has nothing to find there; left on, it rescans the whole
    process heap again and again as the step's nodes pile up, a cost that grows with the graph.
    ``fit`` pauses it for every step; a hand-written loop can do the same:
    ``with collector_paused(): ...forward, loss, backward, step...``.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class InterruptGuard:
    """Ctrl-C that never tears an optimizer step.

    Inside ``with InterruptGuard() as guard:`` a SIGINT outside a step acts at once, as usual;
    one that arrives during ``guard.step(optimizer, epoch)`` is held until the step is done:
    so when ``KeyboardInterrupt`` reaches ``fit`` every parameter is as the last finished step
    left it. ``last_epoch`` is the epoch of that step (0 before the first). Only the main
    thread receives signals, so elsewhere (and when SIGINT is ignored or left to the OS) the
    guard installs nothing.
    """

    def __init__(self) -> None:
        self._previous: Any = None
        self._installed = False
        self._in_step = False
        self._pending: tuple[int, FrameType | None] | None = None
        self.last_epoch = 0

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if callable(previous):
                self._previous = previous
                signal.signal(signal.SIGINT, self._handle)
                self._installed = True
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._in_step:
            self._pending = (signum, frame)
        else:
            self._previous(signum, frame)  # Python's default raises KeyboardInterrupt

    def step(self, optimizer: Any, epoch: int) -> None:
        """``optimizer.step()`` with SIGINT held until it returns, then handled."""
        self._in_step = True
        try:
            optimizer.step()
            self.last_epoch = epoch
        finally:
            self._in_step = False
        if self._pending is not None:
            signum, frame = self._pending
            self._pending = None
            self._previous(signum, frame)
