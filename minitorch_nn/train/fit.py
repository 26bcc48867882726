"""Training: ``fit`` (the only epoch loop in the package), ``History``, callbacks, prediction.

One epoch, for every minibatch ``(X_b, y_b)``::

    outputs   = model(X_b)                        # engine-native, via the engine adapter
    objective = loss(outputs, targets(y_b)) + l2 * sum(p**2 for p in params)
    optimizer.zero_grad(); objective.backward(); optimizer.step()

with ``optimizer.lr = lr_schedule(epoch - 1)`` set before the epoch when a schedule is given.
Epochs are numbered from 1 in ``History`` and in callbacks.

The engine is reached through a single seam, :class:`EngineAdapter`: it turns numpy rows into
model inputs, runs the model, turns outputs into loss inputs and into a numpy score matrix.
:func:`adapter_for` picks the adapter from the model's parameter type; everything else in
this module is engine-independent numpy.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import importlib
import json
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast, runtime_checkable

import numpy as np

from .engine import Value, no_grad
from .nn.module import set_data

LossSpec = str | Callable[..., Any]
Verbose = bool | str

BINARY_LOSSES = ("hinge", "bce", "mse")
MULTICLASS_LOSSES = ("cross_entropy",)


# --------------------------------------------------------------------------- engine seam
@runtime_checkable
class EngineAdapter(Protocol):
    """What ``fit`` and ``predict`` need from an engine. Implement this to train another engine.

    ``forward(model, X)``: run the model on a numpy batch ``X`` (n, nin); engine-native outputs.
    ``scores(outputs)``: the outputs as a float array (n, n_outputs).
    ``loss(loss_fn, outputs, targets)``: the loss node for numpy ``targets`` (n,).
    ``loss_fn(name)``: the engine's loss function called ``name``.
    ``l2_penalty(params)``: sum of squares of the parameters, as a node.
    ``item(node)``: the float value of a scalar node.
    ``convert(model)``: ``model`` itself when it runs on this engine, else a copy on this
    engine with the same numbers (``fit`` trains the copy and writes the weights back).
    """

    name: str

    def forward(self, model: Any, X: np.ndarray) -> Any: ...

    def scores(self, outputs: Any) -> np.ndarray: ...

    def loss(self, loss_fn: Callable[..., Any], outputs: Any, targets: np.ndarray) -> Any: ...

    def loss_fn(self, name: str) -> Callable[..., Any]: ...

    def l2_penalty(self, params: Sequence[Any]) -> Any: ...

    def item(self, node: Any) -> float: ...

    def convert(self, model: Any) -> Any: ...


class ScalarAdapter:
    """The scalar engine: one sample per call, ``model(x_row) -> list of Values``."""

    name = "scalar"

    def forward(self, model: Any, X: np.ndarray) -> list[list[Value]]:
        outputs = []
        for row in X.tolist():  # one sample: a list of nin floats
            out = model(row)
            outputs.append([out] if isinstance(out, Value) else list(out))
        return outputs  # (n, n_outputs) Values

    def scores(self, outputs: list[list[Value]]) -> np.ndarray:
        return np.array([[v.data for v in out] for out in outputs], dtype=np.float64).reshape(
            len(outputs), -1
        )

    def loss(
        self, loss_fn: Callable[..., Any], outputs: list[list[Value]], targets: np.ndarray
    ) -> Value:
        return loss_fn(outputs, targets)

    def loss_fn(self, name: str) -> Callable[..., Any]:
        from .losses import LOSSES

        return LOSSES[name]

    def l2_penalty(self, params: Sequence[Any]) -> Value:
        from .losses import l2_penalty

        return cast(Value, l2_penalty(params))

    def item(self, node: Any) -> float:
        return float(node.data)

    def convert(self, model: Any) -> Any:
        """``model`` itself when its parameters are Values (or it has none), else a scalar
        copy with the same numbers (``tensor.nn.to_scalar``; the tensor engine is loaded
        already, since the model is made of Tensors)."""
        params = model.parameters()
        if not params or isinstance(params[0], Value):
            return model
        from .tensor.nn import to_scalar

        return to_scalar(model)


def engine_of(model: Any) -> str:
    """The engine ``model`` runs on, from the type of its parameters: "scalar" for Values (or
    no parameters), "tensor" for Tensors; TypeError for anything else."""
    params = model.parameters()
    first = params[0] if params else None
    if first is None or isinstance(first, Value):
        return "scalar"
    if type(first).__module__.startswith("minitorch_nn.tensor"):
        return "tensor"
    raise TypeError(
        f"no engine adapter for a model with parameters of type {type(first).__name__}; "
        "pass engine=<an EngineAdapter>"
    )


def copy_weights(source: Any, target: Any) -> None:
    """Copy ``source``'s parameter values into ``target``'s parameter objects (kept, so an
    optimizer holding them stays valid), converting between engines if needed. The models
    must have the same architecture, e.g. one converted from the other."""
    weight_copier(source, target)()


def weight_copier(source: Any, target: Any) -> Callable[[], None]:
    """``copy_weights(source, target)`` as a function to call repeatedly (``fit`` calls it
    after each epoch): ``target``'s parameters and engine are looked up once."""
    convert = adapter_for(target).convert
    params = target.parameters()

    def copy() -> None:
        values = convert(source).parameters()
        if len(values) != len(params):
            raise ValueError(
                f"copy_weights: source has {len(values)} parameters, target {len(params)}; "
                "expected the same architecture"
            )
        for p, q in zip(params, values):
            if np.shape(p.data) != np.shape(q.data):
                raise ValueError(
                    f"copy_weights: parameter shapes {np.shape(q.data)} and {np.shape(p.data)} "
                    "differ; expected the same architecture"
                )
            set_data(p, q.data)  # in place: the target keeps its arrays (and buffer)

    return copy


def adapter_for(model: Any, engine: str | EngineAdapter | None = None) -> EngineAdapter:
    """The engine adapter for ``model``: the one place that knows which engines exist.

    ``engine`` may be an adapter instance, an engine name ("scalar", "tensor"), or None to
    choose from the type of the model's parameters.
    """
    if engine is not None and not isinstance(engine, str):
        if not isinstance(engine, EngineAdapter):
            raise TypeError(f"engine must be a name or an EngineAdapter, got {engine!r}")
        return engine
    if engine is None:
        engine = engine_of(model)
    if engine == "scalar":
        return ScalarAdapter()
    if engine == "tensor":
        try:  # the tensor engine provides its adapter; imported lazily (scalar needs none)
            module = importlib.import_module("minitorch_nn.tensor.adapter")
        except ImportError as exc:
            raise ValueError(
                f"engine 'tensor' is not available ({exc}); use engine='scalar'"
            ) from exc
        adapter: EngineAdapter = module.TensorAdapter()
        return adapter
    raise ValueError(f"unknown engine {engine!r}; expected 'scalar' or 'tensor'")


# --------------------------------------------------------------------------- numpy helpers
def _check_arrays(X: Any, y: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``X`` as float (n, d) and ``y`` as (n,), or ValueError saying what is wrong."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"{what}: X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if y.ndim != 1:
        raise ValueError(f"{what}: y must be 1-D (n_samples,), got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"{what}: X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    if X.shape[0] == 0:
        raise ValueError(f"{what}: X and y are empty; expected at least one sample")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{what}: X contains NaN or inf at rows {_bad_rows(X)}")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{what}: y contains NaN or inf")
    return X, y


def _bad_rows(X: np.ndarray) -> list[int]:
    return np.flatnonzero(~np.all(np.isfinite(X), axis=1))[:5].tolist()


def loss_targets(loss: LossSpec, y: np.ndarray) -> np.ndarray:
    """Targets as each built-in loss expects them: hinge and mse {0,1} -> {-1,+1}, bce {0,1},
    cross_entropy int class indices; a callable loss gets ``y`` unchanged."""
    if not isinstance(loss, str):
        return y
    if loss == "cross_entropy":
        return y.astype(np.int64)
    if loss in ("hinge", "mse"):
        return 2.0 * y.astype(np.float64) - 1.0
    return y.astype(np.float64)


def _check_targets(loss: LossSpec, y: np.ndarray, n_outputs: int, what: str) -> None:
    """ValueError when labels or the model's output count do not suit the loss."""
    if not isinstance(loss, str):
        return
    labels = np.unique(y)
    if loss in BINARY_LOSSES:
        if n_outputs != 1:
            raise ValueError(
                f"loss {loss!r} needs a model with 1 output, got {n_outputs} outputs; "
                "use loss='cross_entropy' for several classes"
            )
        if not np.all(np.isin(labels, (0, 1))):
            raise ValueError(
                f"{what}: loss {loss!r} expects labels in {{0, 1}}, got {labels[:10].tolist()}"
            )
    elif loss in MULTICLASS_LOSSES:
        if not np.all(labels == np.round(labels)) or labels.min() < 0:
            raise ValueError(
                f"{what}: cross_entropy expects integer labels >= 0, got {labels[:10].tolist()}"
            )
        if labels.max() >= n_outputs:
            raise ValueError(
                f"{what}: label {int(labels.max())} needs at least {int(labels.max()) + 1} model "
                f"outputs for cross_entropy, the model has {n_outputs}"
            )


def labels_from_scores(scores: np.ndarray) -> np.ndarray:
    """Class labels from raw scores (n, k): k == 1 -> 1 where score > 0; else the argmax."""
    if scores.ndim == 1 or scores.shape[1] == 1:
        return (scores.reshape(-1) > 0).astype(np.int64)
    return np.argmax(scores, axis=1).astype(np.int64)


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of labels predicted right: mean(y_true == y_pred)."""
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"accuracy: {y_true.shape[0]} true labels and {y_pred.shape[0]} predictions"
        )
    if y_true.size == 0:
        raise ValueError("accuracy: no labels given")
    return float(np.mean(y_true == y_pred))


# --------------------------------------------------------------------------- prediction
def decision_function(model: Any, X: Any, engine: str | EngineAdapter | None = None) -> np.ndarray:
    """Raw model outputs for a numpy batch: shape (n,) for one output, (n, k) otherwise."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    adapter = adapter_for(model, engine)
    with no_grad():
        scores = adapter.scores(adapter.forward(adapter.convert(model), X))  # (n, k)
    return scores[:, 0] if scores.shape[1] == 1 else scores


def predict(model: Any, X: Any, engine: str | EngineAdapter | None = None) -> np.ndarray:
    """Integer class labels: one output -> 1 where score > 0 (logit convention); k outputs ->
    argmax."""
    return labels_from_scores(decision_function(model, X, engine))


def predict_proba(model: Any, X: Any, engine: str | EngineAdapter | None = None) -> np.ndarray:
    """Class probabilities (n, n_classes): one output -> [1 - sigmoid(s), sigmoid(s)];
    k outputs -> softmax. (For a hinge-trained model these are squashed margins, not
    calibrated probabilities.)"""
    scores = decision_function(model, X, engine)
    if scores.ndim == 1:
        p = 0.5 * (1.0 + np.tanh(0.5 * scores))  # sigmoid, overflow-free
        return np.stack([1.0 - p, p], axis=1)
    z = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def evaluate(
    model: Any,
    X: Any,
    y: Any,
    loss: LossSpec = "hinge",
    engine: str | EngineAdapter | None = None,
) -> dict[str, float]:
    """{"loss": mean loss, "accuracy": fraction right} of ``model`` on ``(X, y)``, no graph."""
    X, y = _check_arrays(X, y, "evaluation data")
    adapter = adapter_for(model, engine)
    loss_fn = adapter.loss_fn(loss) if isinstance(loss, str) else loss
    with no_grad():
        outputs = adapter.forward(adapter.convert(model), X)
        _check_targets(loss, y, adapter.scores(outputs).shape[1], "evaluation data")
        value = adapter.item(adapter.loss(loss_fn, outputs, loss_targets(loss, y)))
        acc = accuracy(y, labels_from_scores(adapter.scores(outputs)))
    return {"loss": value, "accuracy": acc}


# --------------------------------------------------------------------------- history
def _json_safe(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


@dataclass
class History:
    """Per-epoch records: dicts with "epoch", "loss", "accuracy", "lr", "seconds" and, with
    validation data, "val_loss" and "val_accuracy". ``history["loss"]`` lists one key.

    Every loss and accuracy describes the model as it is at the end of its epoch, after the
    epoch's last optimizer step: "loss" is the mean data loss (without the l2 term) over the
    whole training set, "val_loss" the same over the validation set. So ``history.last`` is
    what ``evaluate`` returns for the trained model, the one that is plotted and saved: the
    final loss. (Keras logs the running mean over the epoch's batches instead, a mix of the
    models before each step.)"""

    epochs: list[dict[str, float]] = field(default_factory=list)
    stopped_early: bool = False
    interrupted: bool = False
    params: dict[str, Any] = field(default_factory=dict)

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


# --------------------------------------------------------------------------- callbacks
class Callback:
    """Base class with no-op hooks. ``on_epoch_end`` may return True to stop training."""

    def on_train_begin(self, model: Any, history: History) -> None:
        pass

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        return None

    def on_train_end(self, model: Any, history: History) -> None:
        pass


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


class _Monitor:
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


class EarlyStopping(Callback):
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
        self.tracker = _Monitor(monitor, mode, min_delta)
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.wait = 0
        self.stopped_epoch: int | None = None
        self._best_state: dict[str, Any] | None = None

    @property
    def best(self) -> float | None:
        return self.tracker.best

    @property
    def best_epoch(self) -> int | None:
        return self.tracker.best_epoch

    def on_train_begin(self, model: Any, history: History) -> None:
        self.tracker.reset()
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


class ModelCheckpoint(Callback):
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
        self.tracker = _Monitor(monitor, mode, 0.0)
        self.save_best_only = save_best_only
        self.best_path: Path | None = None

    @property
    def best(self) -> float | None:
        return self.tracker.best

    @property
    def best_epoch(self) -> int | None:
        return self.tracker.best_epoch

    def on_train_begin(self, model: Any, history: History) -> None:
        self.tracker.reset()

    def on_epoch_end(self, epoch: int, model: Any, logs: dict[str, float]) -> bool | None:
        from .io.checkpoint import save_model

        if self.tracker.improved(epoch, logs) or not self.save_best_only:
            save_model(model, self.path)
            self.best_path = self.path
        return False

    def describe(self) -> str:
        if self.best_path is None:
            return f"no checkpoint was written to {self.path}"
        return (
            f"best checkpoint ({self.tracker.monitor}={self.best:.4g} at epoch "
            f"{self.best_epoch}) is at {self.best_path}"
        )


# --------------------------------------------------------------------------- fit
# Learning rate used when ``fit`` gets an optimizer name and no ``lr`` (nor a schedule).
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "adam": 0.01, "adamw": 0.01, "rmsprop": 0.01}


def _make_optimizer(optimizer: Any, params: list[Any], lr: float | None) -> Any:
    if not isinstance(optimizer, str):
        if lr is not None:
            optimizer.lr = lr
        return optimizer
    from .optim import OPTIMIZERS

    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[optimizer](params, lr=DEFAULT_LR.get(optimizer, 0.01) if lr is None else lr)


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (an IPython ZMQ shell is running this code)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _progress(verbose: Verbose, total: int) -> Any:
    """A tqdm bar on stderr: shown for verbose=True on a terminal or in Jupyter, always with
    "always", never with False."""
    if verbose not in (True, False, "always"):
        raise ValueError(f"verbose must be True, False or 'always', got {verbose!r}")
    show = verbose == "always" or (verbose is True and (sys.stderr.isatty() or _in_notebook()))
    if show:
        from tqdm.auto import tqdm  # a widget bar in Jupyter, a text bar in a terminal
    else:
        from tqdm import tqdm  # disabled: the plain class, so Jupyter prints no widget warning

    return tqdm(total=total, disable=not show, file=sys.stderr, unit="epoch", leave=True)


def _batches(
    X: np.ndarray, y: np.ndarray, batch_size: int | None, seed: int | None
) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """The full batch, or a DataLoader (made once, so each epoch draws a new order)."""
    if batch_size is None or batch_size >= len(X):
        return [(X, y)]
    from .data import DataLoader

    return DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=seed)


def _evaluate(
    adapter: EngineAdapter,
    model: Any,
    loss_fn: Callable[..., Any],
    X: np.ndarray,
    targets: np.ndarray,
    y: np.ndarray,
) -> tuple[float, float]:
    """(mean data loss, accuracy) of ``model`` on ``X``, without recording a graph."""
    with no_grad():
        outputs = adapter.forward(model, X)
        loss = adapter.item(adapter.loss(loss_fn, outputs, targets))
        acc = accuracy(y, labels_from_scores(adapter.scores(outputs)))
    return loss, acc


def fit(
    model: Any,
    X: Any,
    y: Any,
    loss: LossSpec = "hinge",
    optimizer: Any = "sgd",
    lr: float | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    lr_schedule: Callable[[int], float] | None = None,
    l2: float = 0.0,
    X_val: Any = None,
    y_val: Any = None,
    callbacks: Sequence[Any] = (),
    verbose: Verbose = True,
    seed: int | None = 0,
    nan_guard: bool = True,
    engine: str | EngineAdapter | None = None,
) -> History:
    """Train ``model`` on numpy ``X`` (n, nin) and labels ``y`` (n,); return the History.

    loss: "hinge" (y in {0,1} -> {-1,+1}, one output), "bce" (logits, one output), "mse"
    (one output, targets {-1,+1}), "cross_entropy" (k outputs, y in 0..k-1) or a callable
    ``loss(outputs, y)``. optimizer: a name from ``optim.OPTIMIZERS`` (built over
    ``model.parameters()`` with ``lr``, or ``DEFAULT_LR[name]``) or an optimizer instance.
    lr_schedule(k) sets the learning rate before epoch k+1. ``l2`` adds l2 * sum(p**2) to the
    optimised objective; the logged "loss" is the data loss alone, comparable with
    "val_loss", both of the model as it is at the end of each epoch (see History).
    batch_size=None trains on the full batch; otherwise shuffled minibatches
    drawn with ``seed``. verbose: True shows a progress bar when stderr is a terminal,
    "always" shows it anyway, False never. A NaN or inf objective raises FloatingPointError
    naming the epoch unless ``nan_guard=False``. Ctrl-C stops cleanly: the History comes
    back with ``interrupted=True`` and any ModelCheckpoint file is kept.

    engine: None trains on the model's own engine (from its parameter type); "scalar" or
    "tensor" (or an EngineAdapter) may name another one. Then a converted copy of ``model``
    is trained (``tensor.nn.from_scalar`` / ``to_scalar``) and its weights are copied back
    into ``model`` when training ends, also when stopped early, interrupted or failed, so
    ``model`` is trained either way and the History looks the same. Callbacks see ``model``,
    updated after every epoch; pass the optimizer by name in that case (an optimizer
    instance holds ``model``'s own parameters).
    """
    X, y = _check_arrays(X, y, "training data")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    has_val = X_val is not None
    if has_val:
        X_val, y_val = _check_arrays(X_val, y_val, "validation data")
        if X_val.shape[1] != X.shape[1]:
            raise ValueError(
                f"X_val has {X_val.shape[1]} features but X has {X.shape[1]}; expected equal"
            )
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    if lr is not None and not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if not (math.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be >= 0, got {l2!r}")
    if isinstance(loss, str) and loss not in BINARY_LOSSES + MULTICLASS_LOSSES:
        raise ValueError(
            f"unknown loss {loss!r}; expected one of {list(BINARY_LOSSES + MULTICLASS_LOSSES)}"
            " or a callable"
        )

    adapter = adapter_for(model, engine)
    trained = adapter.convert(model)  # ``model`` itself, or a copy on the chosen engine
    if trained is not model and not isinstance(optimizer, str):
        raise ValueError(
            f"engine {adapter.name!r} trains a converted copy of this model, which an optimizer "
            f"instance ({type(optimizer).__name__}) cannot reach; pass the optimizer by name, "
            "or build the model on that engine"
        )
    write_back = weight_copier(trained, model) if trained is not model else None
    loss_fn = adapter.loss_fn(loss) if isinstance(loss, str) else loss
    with no_grad():
        n_outputs = adapter.scores(adapter.forward(trained, X[:1])).shape[1]
    _check_targets(loss, y, n_outputs, "training data")
    targets = loss_targets(loss, y)
    if has_val:
        _check_targets(loss, y_val, n_outputs, "validation data")
        val_targets = loss_targets(loss, y_val)

    params = trained.parameters()
    opt = _make_optimizer(optimizer, params, lr if lr_schedule is None else lr_schedule(0))
    history = History(
        params={
            "loss": loss if isinstance(loss, str) else getattr(loss, "__name__", "callable"),
            "optimizer": optimizer if isinstance(optimizer, str) else type(optimizer).__name__,
            "epochs": epochs,
            "batch_size": batch_size,
            "l2": l2,
            "engine": adapter.name,
            "n_samples": int(X.shape[0]),
        }
    )
    for cb in callbacks:
        cb.on_train_begin(model, history)
    if hasattr(trained, "train"):
        trained.train()

    batches = _batches(X, targets, batch_size, seed)
    bar = _progress(verbose, epochs)
    epoch = 0
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            if lr_schedule is not None:
                opt.lr = float(lr_schedule(epoch - 1))
            for X_b, y_b in batches:
                with collector_paused():
                    outputs = adapter.forward(trained, X_b)
                    data_loss = adapter.loss(loss_fn, outputs, y_b)
                    objective = data_loss + l2 * adapter.l2_penalty(params) if l2 else data_loss
                    value = adapter.item(objective)
                    if nan_guard and not math.isfinite(value):
                        raise FloatingPointError(
                            f"loss became {value} at epoch {epoch} (lr={opt.lr:g}); lower the "
                            "learning rate, or pass nan_guard=False to train on regardless"
                        )
                    opt.zero_grad()
                    objective.backward()
                    opt.step()
            with collector_paused():  # the model as it is after the epoch's last step
                train_loss, train_accuracy = _evaluate(adapter, trained, loss_fn, X, targets, y)
            if nan_guard and not math.isfinite(train_loss):
                raise FloatingPointError(
                    f"loss became {train_loss} after epoch {epoch} (lr={opt.lr:g}); lower the "
                    "learning rate, or pass nan_guard=False to train on regardless"
                )
            logs: dict[str, float] = {
                "epoch": epoch,
                "loss": train_loss,
                "accuracy": train_accuracy,
            }
            if has_val:
                logs["val_loss"], logs["val_accuracy"] = _evaluate(
                    adapter, trained, loss_fn, X_val, val_targets, y_val
                )
            logs["lr"] = float(opt.lr)
            logs["seconds"] = time.perf_counter() - start
            history.epochs.append(logs)
            bar.set_postfix(_postfix(logs), refresh=False)
            bar.update(1)
            if callbacks and write_back is not None:
                write_back()  # callbacks see the user's model, up to date
            stop = [bool(cb.on_epoch_end(epoch, model, logs)) for cb in callbacks]
            if any(stop):
                history.stopped_early = True
                break
    except KeyboardInterrupt:
        history.interrupted = True
        bar.close()
        _report_interrupt(epoch, epochs, callbacks)
    finally:
        bar.close()
        if write_back is not None:
            write_back()
    for cb in callbacks:
        cb.on_train_end(model, history)
    return history


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one training step, restoring it on exit.

    Neither engine's graph holds reference cycles (reference counting frees it the moment the
    step drops it), so the collector has nothing to find there; left on, it rescans the whole
    process heap again and again as the step's nodes pile up: about a tenth of the demo's
    scalar step, and more as the graph grows (at n = 400, H = 32 a step took 211 ms with the
    collector on, 123 ms paused). ``fit`` pauses it for every step; a hand-written loop can
    do the same: ``with collector_paused(): ...forward, loss, backward, step...``.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _postfix(logs: dict[str, float]) -> dict[str, str]:
    shown = {"loss": f"{logs['loss']:.4f}", "acc": f"{logs['accuracy']:.3f}"}
    if "val_accuracy" in logs:
        shown["val_acc"] = f"{logs['val_accuracy']:.3f}"
    return shown


def _report_interrupt(epoch: int, epochs: int, callbacks: Sequence[Any]) -> None:
    lines = [f"Training interrupted during epoch {epoch}/{epochs}."]
    lines += [cb.describe() for cb in callbacks if isinstance(cb, ModelCheckpoint)]
    print(" ".join(lines), file=sys.stderr)
