"""``ModelCheckpoint``: a training callback that saves files, so it lives with the files (io
sits above train; train never imports io)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..train.callbacks import Monitor, MonitorCallback
from .checkpoint import save_model


class ModelCheckpoint(MonitorCallback):
    """Saves the model to ``path`` (atomically, see :mod:`.checkpoint`) whenever ``monitor``
    improves; with ``save_best_only=False`` after every epoch. ``best_path`` is None until the
    first save."""

    def __init__(
        self,
        path: str | Path,
        monitor: str | None = None,
        mode: str = "auto",
        save_best_only: bool = True,
    ) -> None:
        self.path = Path(path)
        self.tracker = Monitor(monitor, mode, 0.0)
        self.save_best_only = save_best_only
        self.best_path: Path | None = None

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        if self.tracker.improved(epoch, logs) or not self.save_best_only:
            save_model(model, self.path)
            self.best_path = self.path
        return False

    def describe(self) -> str:
        """Where the best checkpoint is (printed after Ctrl-C)."""
        if self.best_path is None:
            return f"no checkpoint was written to {self.path}"
        return (
            f"best checkpoint ({self.tracker.monitor}={self.best:.4g} at epoch "
            f"{self.best_epoch}) is at {self.best_path}"
        )


__all__ = ["ModelCheckpoint"]
