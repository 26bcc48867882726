"""One tab's training session: its data, model and optimizer, trained by ``fit`` with callbacks.

Training goes through :func:`minitorch_nn.train.fit`: a call runs epochs until a time budget
is spent (``Session.train``), or one epoch for Step. After every epoch a callback records the
train and test loss (the data loss alone, on the whole set, as TensorFlow Playground shows
it). The objective is::

    loss(model(X_b), y_b) + l1 * sum |p|   (regularization "l1", a callable loss for fit)
    loss(model(X_b), y_b) + l2 * sum p^2   (regularization "l2", fit's own l2 argument)

with loss "mse" (TensorFlow Playground's squared error; targets -1 and +1 for the two
classes), "bce" (cross-entropy on the logit, targets 0 and 1) or "hinge" (targets -1, +1) for
classification, and "mse" for regression. The session answers the page through
:mod:`.frames` (pictures), :mod:`.neuron_graph` (one neuron's graph) and :mod:`.export`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np

from ..engine import no_grad
from ..losses import LOSSES
from ..optim import OPTIMIZERS
from ..tensor import Tensor
from ..train import Callback, decision_function, fit
from .datasets import features, make_dataset, split
from .engines import engine
from .export import checkpoint_bytes, command, script
from .frames import data_pictures, finite, model_pictures
from .neuron_graph import neuron_graph
from .settings import ACTIVATIONS, N_POINTS, STRUCTURAL, Config

MAX_CURVE = 2000  # loss-curve points kept; beyond that every other one is dropped


class _Recorder(Callback):
    """After every epoch: count it, record the train and test loss, and stop when stopping
    now lands nearer the end of the time budget than another epoch as long as the last one
    would (``budget`` None: never stop; fit's ``epochs`` bounds the run)."""

    def __init__(self, session: Session, budget: float | None) -> None:
        self.session = session
        self.last = time.perf_counter()
        self.deadline = None if budget is None else self.last + budget
        self.epochs = 0

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool:
        self.epochs += 1
        self.session._record()
        now = time.perf_counter()
        epoch_time, self.last = now - self.last, now
        return self.deadline is not None and now + epoch_time / 2 > self.deadline


class Session:
    """One tab's training. Not thread-safe by itself: callers hold ``lock``."""

    def __init__(self, config: Config) -> None:
        self.lock = threading.Lock()
        self.last_used = 0.0
        self.config = config
        self._rebuild()

    # ---- building
    def _rebuild(self) -> None:
        """New data and a new model from the config; epoch 0."""
        c = self.config
        self.points, self.labels = make_dataset(c.dataset, N_POINTS, c.noise, c.seed)
        targets = self.labels.astype(np.float64)
        if c.problem == "classification" and c.loss != "bce":
            targets = 2.0 * targets - 1.0  # classes 0, 1 -> targets -1, +1
        self.inputs = features(self.points, c.features)
        self.X_train, self.y_train, self.X_test, self.y_test = split(self.inputs, targets, c.ratio)
        self.n_train = len(self.X_train)
        sizes = [*c.hidden, 1]
        self.engine = engine(c.engine)
        self.model = self.engine.mlp(
            len(c.features), sizes, activation=ACTIVATIONS[c.activation], seed=c.seed
        )
        self.data_loss: Callable[..., Any] = LOSSES[c.loss]
        self._make_optimizer()
        self.epoch = 0
        self.curve: list[tuple[int, float | None, float | None]] = []
        self.error: str | None = None
        self._record(count=False)

    def _make_optimizer(self) -> None:
        self.optimizer = OPTIMIZERS[self.config.optimizer](
            self.model.parameters(), lr=self.config.lr
        )

    def update(self, config: Config) -> bool:
        """Apply new settings; True when they rebuilt the model (data, network or engine)."""
        old, self.config = self.config, config
        if any(getattr(old, name) != getattr(config, name) for name in STRUCTURAL):
            self._rebuild()
            return True
        if old.optimizer != config.optimizer:
            self._make_optimizer()  # weights kept; the optimizer's state starts afresh
        self.optimizer.lr = config.lr
        self.error = None
        return False

    def reset(self) -> None:
        """The same settings, fresh weights and epoch 0."""
        self._rebuild()

    # ---- training
    def _objective(self, outputs: Any, targets: Any) -> Any:
        loss = self.data_loss(outputs, targets)
        if self.config.reg == "l1" and self.config.reg_rate > 0:
            loss = loss + self.config.reg_rate * self.engine.l1_penalty(self.model.parameters())
        return loss

    def _record(self, count: bool = True) -> None:
        """Count an epoch; append its (epoch, train loss, test loss) to the curve. One
        forward pass over all the points; each loss from its slice of the scores."""
        if count:
            self.epoch += 1
        scores = decision_function(self.model, self.inputs).reshape(-1, 1)  # (n, 1)
        n = self.n_train
        with no_grad():
            self.train_loss = float(self.data_loss(Tensor(scores[:n]), self.y_train).item())
            self.test_loss = float(self.data_loss(Tensor(scores[n:]), self.y_test).item())
        self.curve.append((self.epoch, finite(self.train_loss), finite(self.test_loss)))
        if len(self.curve) > MAX_CURVE:  # keep every other point and the latest
            latest, self.curve = self.curve[-1], self.curve[::2]
            if self.curve[-1] is not latest:
                self.curve.append(latest)

    def train(self, budget: float | None = None, epochs: int = 1) -> int:
        """Train for ``budget`` seconds (at least one epoch), or ``epochs`` epochs when
        ``budget`` is None; return the number of epochs run. A loss that becomes NaN stops
        training and sets ``error``."""
        if self.error is not None:
            return 0
        c = self.config
        recorder = _Recorder(self, budget)
        try:
            with np.errstate(all="ignore"):  # an overflow shows as a NaN loss: fit stops there
                fit(
                    self.model,
                    self.X_train,
                    self.y_train,
                    loss=self._objective,
                    optimizer=self.optimizer,
                    epochs=1_000_000 if budget is not None else epochs,
                    batch_size=c.batch,
                    l2=c.reg_rate if c.reg == "l2" else 0.0,
                    callbacks=[recorder],
                    verbose=False,
                    seed=c.seed * 1_000_003 + self.epoch,  # a new minibatch order every call
                )
        except FloatingPointError:
            self.error = (
                f"training stopped after epoch {self.epoch}: the loss is no longer a finite "
                f"number; lower the learning rate ({c.lr:g}) and press Reset"
            )
        return recorder.epochs

    # ---- what the page shows
    def frame(self, since: int = -1) -> dict[str, Any]:
        """The epoch, losses, new curve points (epoch > since), heatmaps and weights."""
        return {
            "epoch": self.epoch,
            "train_loss": finite(self.train_loss),
            "test_loss": finite(self.test_loss),
            "curve": [row for row in self.curve if row[0] > since]
            if since <= self.epoch
            else list(self.curve),
            **model_pictures(
                self.engine.to_tensor(self.model), self.config.features, self.config.loss
            ),
            "error": self.error,
        }

    def state(self) -> dict[str, Any]:
        """The settings, the points, the layer sizes and each input feature's heatmap."""
        c = self.config
        return {
            "config": asdict(c),
            "points": np.round(self.points, 3).tolist(),
            "labels": np.round(self.labels, 3).tolist(),
            "n_train": self.n_train,
            "sizes": [len(c.features), *c.hidden, 1],
            **data_pictures(c.features, c.problem, c.noise),
        }

    def graph(self, layer: Any, neuron: Any, point: Any) -> dict[str, Any]:
        """Neuron ``neuron`` of layer ``layer`` (1 = first hidden) for the point (x1, x2) as
        an autograd graph: :func:`.neuron_graph.neuron_graph` on the live model."""
        return neuron_graph(self.model, self.config, layer, neuron, point)

    def export(self) -> dict[str, str]:
        """The ``minitorch-nn train`` command closest to this run, and a Python script that
        reproduces it (the same data, network, loss, optimizer and number of epochs)."""
        return {
            "command": command(self.config, self.epoch),
            "script": script(self.config, self.epoch),
        }

    def checkpoint(self) -> bytes:
        """The model as a checkpoint file's bytes (nothing stays on disk)."""
        return checkpoint_bytes(self.model)
