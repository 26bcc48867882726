"""Everything ``fit`` does besides the step, as callbacks behind one interface.

A :class:`Callback` may implement any of these hooks, called by ``fit`` in this order::

    on_train_begin(model, history)
    for each epoch (numbered from 1):
        on_epoch_begin(epoch, model)
        for each minibatch: on_loss(epoch, value)     # the step's objective, before backward
        on_epoch_end(epoch, model, logs) -> stop?     # True from any callback stops training
    on_train_end(model, history)                      # also after Ctrl-C or early stopping
    close()                                           # always, also when fit raises

:class:`CallbackList` calls a list of them in order. ``fit`` puts its own first: the learning
rate schedule, the epoch's metrics (:class:`EpochMetrics` fills ``logs``), the NaN guard, the
:class:`History` (a callback that appends ``logs``), the progress bar; then the caller's.
"""

from __future__ import annotations

import copy
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .engines import EngineAdapter
from .metrics import evaluate_arrays
from .step import collector_paused

Verbose = bool | str


class Callback:
    """Base class with no-op hooks. ``on_epoch_end`` may return True to stop training."""

    def on_train_begin(self, model: Any, history: History) -> None:
        pass

    def on_epoch_begin(self, epoch: int, model: Any) -> None:
        pass

    def on_loss(self, epoch: int, value: float) -> None:
        pass

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        return None

    def on_train_end(self, model: Any, history: History) -> None:
        pass

    def close(self) -> None:
        """Release what the callback holds (a progress bar); ``fit`` calls it on every exit."""

    def describe(self) -> str | None:
        """A sentence for the report printed after Ctrl-C (e.g. where a checkpoint is)."""
        return None


def _json_safe(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


@dataclass
class History(Callback):
    """Per-epoch records: dicts with "epoch", "loss", "accuracy", "lr", "seconds" and, with
    validation data, "val_loss" and "val_accuracy". ``history["loss"]`` lists one key.

    Every loss and accuracy describes the model as it is at the end of its epoch, after the
    epoch's last optimizer step: "loss" is the mean data loss (without the l2 term) over the
    whole training set, "val_loss" the same over the validation set. So ``history.last`` is
    what ``evaluate`` returns for the trained model, the one that is plotted and saved: the
    final loss. (Keras logs the running mean over the epoch's batches instead, a mix of the
    models before each step.) After Ctrl-C, ``history.last`` describes the model as its last
    finished optimizer step left it; with minibatches that may be partway into its epoch."""

    epochs: list[dict[str, float]] = field(default_factory=list)
    stopped_early: bool = False
    interrupted: bool = False
    params: dict[str, Any] = field(default_factory=dict)

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        self.epochs.append(logs)
        return None

    def __getitem__(self, key: str) -> list[float]:
        if not self.epochs or key not in self.epochs[0]:
            known = sorted(self.epochs[0]) if self.epochs else []
            raise KeyError(f"History has no {key!r}; recorded keys: {known}")
        return [e[key] for e in self.epochs]

    def __len__(self) -> int:
        return len(self.epochs)

    @property
    def last(self) -> dict[str, float]:
        """The record of the final epoch (empty when no epoch finished)."""
        return self.epochs[-1] if self.epochs else {}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: NaN/inf become None."""
        return {
            "epochs": [{k: _json_safe(v) for k, v in e.items()} for e in self.epochs],
            "stopped_early": self.stopped_early,
            "interrupted": self.interrupted,
            "params": self.params,
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """The history as JSON text; also written to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text


class CallbackList:
    """Calls each hook on every callback that has it, in order (a callback need not subclass
    :class:`Callback`: hooks it lacks, or inherits as no-ops, are skipped); ``on_epoch_end``
    asks all of them and returns True when any wants to stop."""

    def __init__(self, callbacks: Sequence[Any]) -> None:
        self.callbacks = list(callbacks)
        self._loss = self._hooks("on_loss")
        self._epoch_begin = self._hooks("on_epoch_begin")
        self._epoch_end = self._hooks("on_epoch_end")

    def _hooks(self, name: str) -> list[Callable[..., Any]]:
        base = getattr(Callback, name)
        return [
            getattr(cb, name)
            for cb in self.callbacks
            if getattr(type(cb), name, None) not in (None, base)
            or name in getattr(cb, "__dict__", {})
        ]

    def on_train_begin(self, model: Any, history: History) -> None:
        for hook in self._hooks("on_train_begin"):
            hook(model, history)

    def on_epoch_begin(self, epoch: int, model: Any) -> None:
        for hook in self._epoch_begin:
            hook(epoch, model)

    def on_loss(self, epoch: int, value: float) -> None:
        for hook in self._loss:
            hook(epoch, value)

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool:
        stop = [bool(hook(epoch, model, logs)) for hook in self._epoch_end]
        return any(stop)

    def on_train_end(self, model: Any, history: History) -> None:
        for hook in self._hooks("on_train_end"):
            hook(model, history)

    def close(self) -> None:
        for hook in self._hooks("close"):
            hook()

    def report_interrupt(self, epoch: int, epochs: int) -> None:
        """After Ctrl-C: close the bars, then one line on stderr with what the callbacks say."""
        self.close()
        lines = [f"Training interrupted during epoch {epoch}/{epochs}."]
        lines += [text for hook in self._hooks("describe") if (text := hook()) is not None]
        print(" ".join(lines), file=sys.stderr)


class LambdaCallback(Callback):
    """Wraps plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, model, logs: ...)``."""

    def __init__(
        self,
        on_epoch_end: Callable[[int, Any, dict[str, float]], bool | None] | None = None,
        on_train_begin: Callable[[Any, History], None] | None = None,
        on_train_end: Callable[[Any, History], None] | None = None,
    ) -> None:
        self._epoch_end = on_epoch_end
        self._begin = on_train_begin
        self._end = on_train_end

    def on_train_begin(self, model: Any, history: History) -> None:
        if self._begin is not None:
            self._begin(model, history)

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        return self._epoch_end(epoch, model, logs) if self._epoch_end is not None else None

    def on_train_end(self, model: Any, history: History) -> None:
        if self._end is not None:
            self._end(model, history)


# --------------------------------------------------------------------------- fit's own
class LearningRateScheduler(Callback):
    """Sets ``optimizer.lr = schedule(epoch - 1)`` before each epoch."""

    def __init__(self, optimizer: Any, schedule: Callable[[int], float]) -> None:
        self.optimizer, self.schedule = optimizer, schedule

    def on_epoch_begin(self, epoch: int, model: Any) -> None:
        self.optimizer.lr = float(self.schedule(epoch - 1))


class EpochMetrics(Callback):
    """Fills an epoch's logs: loss and accuracy of the trained model on the training data and,
    when given, on the validation data, then the learning rate and the epoch's seconds."""

    def __init__(
        self,
        adapter: EngineAdapter,
        trained: Any,
        loss_fn: Callable[..., Any],
        optimizer: Any,
        train: tuple[np.ndarray, np.ndarray, np.ndarray],
        val: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    ) -> None:
        self.adapter, self.trained, self.loss_fn = adapter, trained, loss_fn
        self.optimizer, self.train, self.val = optimizer, train, val  # (X, targets, labels)
        self.start = 0.0

    def on_epoch_begin(self, epoch: int, model: Any) -> None:
        self.start = time.perf_counter()

    def logs(self, epoch: int) -> dict[str, float]:
        """A record of the model as it is now, for ``epoch``."""
        logs: dict[str, float] = {"epoch": epoch}
        self.on_epoch_end(epoch, None, logs)
        return logs

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        with collector_paused():  # the model as it is after the epoch's last step
            logs["loss"], logs["accuracy"] = evaluate_arrays(
                self.adapter, self.trained, self.loss_fn, *self.train
            )
            if self.val is not None:
                logs["val_loss"], logs["val_accuracy"] = evaluate_arrays(
                    self.adapter, self.trained, self.loss_fn, *self.val
                )
        logs["lr"] = float(self.optimizer.lr)
        logs["seconds"] = time.perf_counter() - self.start
        return None


class NanGuard(Callback):
    """FloatingPointError naming the epoch when a step's objective or an epoch's loss is NaN
    or inf (before the step's backward, so that step leaves the parameters alone)."""

    def __init__(self, optimizer: Any) -> None:
        self.optimizer = optimizer

    def _fail(self, value: float, when: str) -> None:
        raise FloatingPointError(
            f"loss became {value} {when} (lr={self.optimizer.lr:g}); lower the "
            "learning rate, or pass nan_guard=False to train on regardless"
        )

    def on_loss(self, epoch: int, value: float) -> None:
        if not math.isfinite(value):
            self._fail(value, f"at epoch {epoch}")

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        if not math.isfinite(logs["loss"]):
            self._fail(logs["loss"], f"after epoch {epoch}")
        return None


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (an IPython ZMQ shell is running this code)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


class ProgressBar(Callback):
    """A tqdm bar on stderr, one tick per epoch: shown for verbose=True on a terminal or in
    Jupyter, always with "always", never with False."""

    def __init__(self, verbose: Verbose, epochs: int) -> None:
        if verbose not in (True, False, "always"):
            raise ValueError(f"verbose must be True, False or 'always', got {verbose!r}")
        self.verbose, self.epochs = verbose, epochs
        self.bar: Any = None

    def on_train_begin(self, model: Any, history: History) -> None:
        show = self.verbose == "always" or (
            self.verbose is True and (sys.stderr.isatty() or _in_notebook())
        )
        if show:
            from tqdm.auto import tqdm  # a widget bar in Jupyter, a text bar in a terminal
        else:
            from tqdm import tqdm  # disabled: the plain class, so Jupyter prints no widget warning
        self.bar = tqdm(
            total=self.epochs, disable=not show, file=sys.stderr, unit="epoch", leave=True
        )

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        shown = {"loss": f"{logs['loss']:.4f}", "acc": f"{logs['accuracy']:.3f}"}
        if "val_accuracy" in logs:
            shown["val_acc"] = f"{logs['val_accuracy']:.3f}"
        self.bar.set_postfix(shown, refresh=False)
        self.bar.update(1)
        return None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class WriteBack(Callback):
    """Copies the trained copy's weights into the caller's model after each epoch (when ``fit``
    trains a model converted to another engine), so later callbacks see it up to date."""

    def __init__(self, copy_weights: Callable[[], None]) -> None:
        self.copy_weights = copy_weights

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        self.copy_weights()
        return None


# --------------------------------------------------------------------------- the caller's
class Monitor:
    """Tracks the best value of one logged metric. ``monitor=None`` means "val_loss" when
    validation data is logged, else "loss"; mode "auto" minimises losses, maximises the rest."""

    def __init__(self, monitor: str | None, mode: str, min_delta: float) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if min_delta < 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta}")
        self.monitor = monitor
        self.mode = mode
        self.min_delta = min_delta
        self.best: float | None = None
        self.best_epoch: int | None = None

    def reset(self) -> None:
        self.best, self.best_epoch = None, None

    def value(self, logs: dict[str, float]) -> float:
        if self.monitor is None:
            self.monitor = "val_loss" if "val_loss" in logs else "loss"
        if self.monitor not in logs:
            raise ValueError(f"cannot monitor {self.monitor!r}; logged metrics: {sorted(logs)}")
        return float(logs[self.monitor])

    def improved(self, epoch: int, logs: dict[str, float]) -> bool:
        """True (and remember it) when this epoch beats the best by more than min_delta."""
        current = self.value(logs)
        if not math.isfinite(current):
            return False
        minimize = self.mode == "min" or (self.mode == "auto" and "acc" not in str(self.monitor))
        better = (
            self.best is None
            or (minimize and current < self.best - self.min_delta)
            or (not minimize and current > self.best + self.min_delta)
        )
        if better:
            self.best, self.best_epoch = current, epoch
        return better


class MonitorCallback(Callback):
    """A callback that follows one logged number (``self.tracker``, a :class:`Monitor`):
    ``best`` and ``best_epoch`` so far, forgotten when training begins."""

    tracker: Monitor

    @property
    def best(self) -> float | None:
        return self.tracker.best

    @property
    def best_epoch(self) -> int | None:
        return self.tracker.best_epoch

    def on_train_begin(self, model: Any, history: History) -> None:
        self.tracker.reset()


class EarlyStopping(MonitorCallback):
    """Stops when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    epochs. With ``restore_best_weights`` the model gets the best epoch's parameters back."""

    def __init__(
        self,
        monitor: str | None = None,
        patience: int = 10,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        if patience < 0:
            raise ValueError(f"patience must be >= 0, got {patience}")
        self.tracker = Monitor(monitor, mode, min_delta)
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.wait = 0
        self.stopped_epoch: int | None = None
        self._best_state: dict[str, Any] | None = None

    def on_train_begin(self, model: Any, history: History) -> None:
        super().on_train_begin(model, history)
        self.wait, self.stopped_epoch, self._best_state = 0, None, None

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        if self.tracker.improved(epoch, logs):
            self.wait = 0
            if self.restore_best_weights:
                self._best_state = copy.deepcopy(model.state_dict())
            return False
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model: Any, history: History) -> None:
        if self.restore_best_weights and self._best_state is not None:
            model.load_state_dict(self._best_state)
