"""One playground session (one browser tab): its settings, data, model, optimizer and training.

Training goes through :func:`minitorch_nn.train.fit` with callbacks: a call runs epochs
until a time budget is spent (``Session.train``), one epoch for Step. After every epoch a
callback records the train and test loss (the data loss alone, on the whole set, as
TensorFlow Playground shows it). The objective is::

    loss(model(X_b), y_b) + l1 * sum |p|   (regularization "l1", a callable loss for fit)
    loss(model(X_b), y_b) + l2 * sum p^2   (regularization "l2", fit's own l2 argument)

with loss "mse" (TensorFlow Playground's squared error; targets -1 and +1 for the two
classes), "bce" (cross-entropy on the logit, targets 0 and 1) or "hinge" (targets -1, +1) for
classification, and "mse" for regression. Pictures (the output and every neuron over the
square [-6, 6]^2) are computed by the tensor engine from the live weights; a neuron's
computation graph for one point by the scalar engine. Every setting is checked here
(:func:`parse_config`), whatever the page sends.
"""

from __future__ import annotations

import base64
import copy
import functools
import io
import json
import math
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import nn as scalar_nn
from ..checkpoint import save_model
from ..engine import Value, no_grad, vsum
from ..explain import explain
from ..losses import LOSSES
from ..optim import OPTIMIZERS
from ..tensor import Tensor
from ..tensor import nn as tensor_nn
from ..train import Callback, decision_function, fit
from ..viz import build_graph, layout
from .datasets import (
    CLASSIFICATION,
    DATASETS,
    DOMAIN,
    FEATURES,
    REGRESSION,
    features,
    make_dataset,
    problem_of,
    split,
)

N_POINTS = 500
OUTPUT_GRID = 64  # the output heatmap: 64 x 64 cells
NEURON_GRID = 24  # each neuron's heatmap
TRAIN_BUDGET = 0.05  # seconds of training per "play" request: the page redraws >10 times/s
MAX_CURVE = 2000  # loss-curve points kept; beyond that every other one is dropped
MAX_LAYERS, MAX_NEURONS = 6, 8
ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": None}
OPTIMIZER_NAMES = ("sgd", "momentum", "adam")
ENGINES = ("tensor", "scalar")
REGULARIZATION = ("none", "l1", "l2")
LOSS_NAMES = ("mse", "bce", "hinge")
# settings whose change builds a new model (and data): the rest apply to the running training
_STRUCTURAL = ("dataset", "problem", "noise", "ratio", "features", "hidden", "activation",
               "engine", "seed", "loss")  # fmt: skip


class ConfigError(ValueError):
    """A setting or request the server refuses (HTTP 400), with one message saying why."""


# --------------------------------------------------------------------------- settings
@dataclass
class Config:
    """Every setting of a session; the page keeps the same names in its URL."""

    dataset: str = "circle"
    problem: str = "classification"
    noise: int = 0  # percent, 0..50
    ratio: int = 50  # percent of the points that train, 10..90
    batch: int = 10
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    hidden: list[int] = field(default_factory=lambda: [4, 4])
    activation: str = "tanh"
    lr: float = 0.03
    loss: str = "mse"
    reg: str = "none"
    reg_rate: float = 0.0
    optimizer: str = "sgd"
    engine: str = "tensor"
    seed: int = 0


def _int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise ConfigError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def _number(name: str, value: Any, low: float, high: float, low_open: bool = False) -> float:
    interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number in {interval}, got {value!r}")
    value = float(value)
    inside = (value > low if low_open else value >= low) and value <= high
    if not math.isfinite(value) or not inside:
        raise ConfigError(f"{name} must be a finite number in {interval}, got {value!r}")
    return value


def _choice(name: str, value: Any, options: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise ConfigError(f"unknown {name} {value!r}; expected one of {', '.join(options)}")
    return value


def _hidden(value: Any) -> list[int]:
    if not isinstance(value, list):
        raise ConfigError(f"hidden must be a list of layer sizes, got {value!r}")
    if len(value) > MAX_LAYERS:
        raise ConfigError(
            f"hidden has {len(value)} layers; expected 0 to {MAX_LAYERS} hidden layers"
        )
    return [
        _int(f"hidden layer {i + 1} size (neurons)", n, 1, MAX_NEURONS) for i, n in enumerate(value)
    ]


def _features(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"features must be a non-empty list of names, got {value!r}")
    chosen = [_choice("feature", name, list(FEATURES)) for name in value]
    if len(set(chosen)) != len(chosen):
        raise ConfigError(f"features lists a name twice: {chosen}")
    return [name for name in FEATURES if name in chosen]  # the page's fixed order


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "dataset": lambda v: _choice("dataset", v, DATASETS),
    "problem": lambda v: _choice("problem", v, ("classification", "regression")),
    "noise": lambda v: _int("noise", v, 0, 50),
    "ratio": lambda v: _int("ratio (percent of points for training)", v, 10, 90),
    "batch": lambda v: _int("batch", v, 1, N_POINTS),
    "features": _features,
    "hidden": _hidden,
    "activation": lambda v: _choice("activation", v, list(ACTIVATIONS)),
    "lr": lambda v: _number("lr", v, 0.0, 10.0, low_open=True),
    "loss": lambda v: _choice("loss", v, LOSS_NAMES),
    "reg": lambda v: _choice("reg", v, REGULARIZATION),
    "reg_rate": lambda v: _number("reg_rate", v, 0.0, 10.0),
    "optimizer": lambda v: _choice("optimizer", v, OPTIMIZER_NAMES),
    "engine": lambda v: _choice("engine", v, ENGINES),
    "seed": lambda v: _int("seed", v, 0, 2**31 - 1),
}


def parse_config(raw: Any, base: Config | None = None) -> Config:
    """``base`` (default: the defaults) with the settings in the dict ``raw`` applied, each
    checked; ConfigError for an unknown name, a bad value or a dataset of the other problem."""
    if not isinstance(raw, dict):
        raise ConfigError(f"config must be a JSON object of settings, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_CHECKS))
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}; expected some of {', '.join(_CHECKS)}")
    values = asdict(base if base is not None else Config())
    values.update({name: _CHECKS[name](value) for name, value in raw.items()})
    config = Config(**values)
    if problem_of(config.dataset) != config.problem:
        expected = CLASSIFICATION if config.problem == "classification" else REGRESSION
        raise ConfigError(
            f"dataset {config.dataset!r} is not a {config.problem} dataset; expected one of "
            f"{', '.join(expected)}"
        )
    if config.problem == "regression" and config.loss != "mse":
        raise ConfigError(f"loss {config.loss!r} is for classification; regression uses 'mse'")
    return config


# --------------------------------------------------------------------------- helpers
def _finite(x: float) -> float | None:
    """JSON has no NaN: a non-finite number becomes null."""
    return float(x) if math.isfinite(x) else None


def _shown(values: Any) -> Any:
    """An array as nested lists for the page, 4 decimals; a diverged entry (NaN, inf) shows as
    0 or +-1e6, since JSON has no NaN."""
    array = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=1e6, neginf=-1e6)
    return np.clip(array, -1e6, 1e6).round(4).tolist()


def _pixels(values: np.ndarray) -> str:
    """Values in [-1, 1] (clipped) as base64 bytes 0..255, row by row."""
    scaled = np.rint((np.clip(np.nan_to_num(values), -1.0, 1.0) + 1.0) * 127.5)
    return base64.b64encode(scaled.astype(np.uint8).tobytes()).decode("ascii")


def grid_points(size: int) -> np.ndarray:
    """Cell centres of a size x size grid over the square, row 0 at the top (x2 = +6):
    an array (size * size, 2) of (x1, x2)."""
    step = 2 * DOMAIN / size
    centres = -DOMAIN + step * (np.arange(size) + 0.5)
    x1, x2 = np.meshgrid(centres, centres[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


@functools.lru_cache(maxsize=64)
def thumbnail(dataset: str, noise: int) -> list[list[float]]:
    """150 points of ``dataset`` as [x1, x2, label] rows, for the page's dataset buttons."""
    X, y = make_dataset(dataset, 150, noise, seed=0)
    return np.round(np.column_stack([X, y]), 2).tolist()


def l1_penalty(params: Sequence[Any]) -> Any:
    """sum_i |p_i| over every entry of every parameter (a Value or a Tensor node)."""
    if params and isinstance(params[0], Value):
        return vsum(abs(p) for p in params)
    total: Any = None
    for p in params:
        term = abs(p).sum()
        total = term if total is None else total + term
    return total


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


# --------------------------------------------------------------------------- a session
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
        make = tensor_nn.MLP if c.engine == "tensor" else scalar_nn.MLP
        self.model = make(len(c.features), sizes, activation=ACTIVATIONS[c.activation], seed=c.seed)
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
        if any(getattr(old, name) != getattr(config, name) for name in _STRUCTURAL):
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
            loss = loss + self.config.reg_rate * l1_penalty(self.model.parameters())
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
        self.curve.append((self.epoch, _finite(self.train_loss), _finite(self.test_loss)))
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

    # ---- what the page draws
    def _tensor_model(self) -> Any:
        """The live model on the tensor engine (itself, or a converted copy of the scalar)."""
        if self.config.engine == "tensor":
            return self.model
        return tensor_nn.from_scalar(self.model)

    def _layer_outputs(self, model: Any, size: int) -> list[np.ndarray]:
        """Every layer's outputs over a size x size grid: arrays (size * size, n_out)."""
        x = Tensor(features(grid_points(size), self.config.features))
        outputs = []
        with no_grad(), np.errstate(all="ignore"):  # a diverged model draws as saturated
            for layer in model.layers:
                x = layer(x)
                outputs.append(np.asarray(x.data))
        return outputs

    def _output_picture(self, scores: np.ndarray) -> np.ndarray:
        """What the output heatmap shows, in [-1, 1]: 2 sigmoid(score) - 1 = tanh(score / 2)
        for cross-entropy (the probability of class 1, rescaled), else the score itself
        (its target is -1 or +1, or the regression value)."""
        return np.tanh(scores / 2) if self.config.loss == "bce" else scores

    def frame(self, since: int = -1) -> dict[str, Any]:
        """The epoch, losses, new curve points (epoch > since), heatmaps and weights."""
        model = self._tensor_model()
        output = self._layer_outputs(model, OUTPUT_GRID)[-1][:, 0]
        hidden = self._layer_outputs(model, NEURON_GRID)[:-1]
        return {
            "epoch": self.epoch,
            "train_loss": _finite(self.train_loss),
            "test_loss": _finite(self.test_loss),
            "curve": [row for row in self.curve if row[0] > since]
            if since <= self.epoch
            else list(self.curve),
            "output": _pixels(self._output_picture(output)),
            "neurons": [[_pixels(layer[:, j]) for j in range(layer.shape[1])] for layer in hidden],
            "weights": [_shown(layer.weight.data) for layer in model.layers],
            "biases": [_shown(layer.bias.data) for layer in model.layers],
            "error": self.error,
        }

    def state(self) -> dict[str, Any]:
        """The settings, the points, the layer sizes and each input feature's heatmap."""
        c = self.config
        grid = features(grid_points(NEURON_GRID), c.features)
        scale = np.max(np.abs(grid), axis=0)
        return {
            "config": asdict(c),
            "points": np.round(self.points, 3).tolist(),
            "labels": np.round(self.labels, 3).tolist(),
            "n_train": self.n_train,
            "sizes": [len(c.features), *c.hidden, 1],
            "inputs": [_pixels(grid[:, j] / max(scale[j], 1e-12)) for j in range(grid.shape[1])],
            "output_grid": OUTPUT_GRID,
            "neuron_grid": NEURON_GRID,
            "domain": DOMAIN,
            "thumbnails": {
                name: thumbnail(name, c.noise)
                for name in (CLASSIFICATION if c.problem == "classification" else REGRESSION)
            },
        }

    # ---- one neuron's computation, on the scalar engine
    def graph(self, layer: int, neuron: int, point: Sequence[float]) -> dict[str, Any]:
        """Neuron ``neuron`` of layer ``layer`` (1 = first hidden, len(hidden) + 1 = the
        output) for the point (x1, x2): a = act(b + sum_i w_i h_i) with every product and sum
        as its own node, the earlier layers as one box per neuron. Gradients are d a/d node,
        from ``backward()``; each edge carries the local derivative the chain rule multiplies
        by. Returns the laid-out graph (inches) and ``explain``'s chain-rule text."""
        n_layers = len(self.config.hidden) + 1
        layer = _int("layer", layer, 1, n_layers)
        size = ([*self.config.hidden, 1])[layer - 1]
        neuron = _int(f"neuron (layer {layer} has {size})", neuron, 0, size - 1)
        if not isinstance(point, (list, tuple)) or len(point) != 2:
            raise ConfigError(f"point must be [x1, x2], got {point!r}")
        x1, x2 = (_number(name, v, -DOMAIN, DOMAIN) for name, v in zip(("x1", "x2"), point))

        scalar: Any = (
            copy.deepcopy(self.model)
            if self.config.engine == "scalar"
            else tensor_nn.to_scalar(self.model)
        )  # a copy: backward() here must not touch the live model's gradients
        row = features(np.array([[x1, x2]]), self.config.features)[0]
        h: list[Value] = [
            Value(float(v), label=FEATURES[name][0]) for name, v in zip(self.config.features, row)
        ]
        for k, earlier in enumerate(scalar.layers[: layer - 1]):
            h = earlier(h)
            for j, node in enumerate(h):
                node.label = f"h{k + 1}.{j + 1}"
        chosen = scalar.layers[layer - 1].neurons[neuron]
        for i, w in enumerate(chosen.w):
            w.label = f"w{i + 1}"
        chosen.b.label = "b"
        z: Value = chosen.b
        for w, x in zip(chosen.w, h):
            z = z + w * x
        z.label = "z"
        activation = scalar.layers[layer - 1].activation
        name = "score" if layer == n_layers else f"h{layer}.{neuron + 1}"
        out = z if activation is None else getattr(z, activation)()
        out.label = name
        out.backward()

        drawing = build_graph(out, max_nodes=60, collapse_dots=True)
        centres, boxes, routes = layout(drawing)
        items = [
            {
                "key": item.key,
                "kind": item.kind,
                "role": item.role,
                "lines": item.lines,
                "x": centres[item.key][0],
                "y": centres[item.key][1],
                "w": boxes[item.key].w,
                "h": boxes[item.key].h,
            }
            for item in drawing.items
        ]
        edges = []
        for (_, _, label), route in zip(drawing.edges, routes):
            points = [list(centres[key]) for key in route]
            points[0][0] += boxes[route[0]].w / 2
            points[-1][0] -= boxes[route[-1]].w / 2
            edges.append({"points": points, "label": label})
        text = io.StringIO()
        explain(out, inputs=[*chosen.w, chosen.b, *h], file=text, max_paths=4, max_inputs=24)
        return {
            "title": f"{name} = {activation or 'identity'}(b + Σ wᵢ·inputᵢ) at x = ({x1:.3g}, "
            f"{x2:.3g})",
            "value": _finite(out.data),
            "items": items,
            "edges": edges,
            "note": drawing.note,
            "explain": text.getvalue(),
        }

    # ---- export
    def export(self) -> dict[str, str]:
        """The ``minitorch-nn train`` command closest to this run, and a Python script that
        reproduces it (the same data, network, loss, optimizer and number of epochs)."""
        return {"command": self._command(), "script": self._script()}

    def _command(self) -> str:
        c = self.config
        cli_name = {"circle": "circles", "xor": "xor", "spiral": "spiral", "moons": "moons"}
        notes = []
        if c.dataset not in cli_name:
            notes.append(f"the CLI has no {c.dataset!r} dataset (moons is used)")
        if c.dataset == "spiral":
            notes.append("the CLI's spiral has 3 arms and cross-entropy; here 2 arms")
        if c.features != ["x1", "x2"]:
            notes.append(f"the CLI trains on x1, x2 only, not {', '.join(c.features)}")
        if c.reg == "l1":
            notes.append("the CLI has no L1 regularization")
        notes.append("the CLI's data are not scaled onto [-6, 6]^2, nor noise a percentage")
        args = [
            "minitorch-nn train",
            f"--dataset {cli_name.get(c.dataset, 'moons')}",
            f"--n-samples {N_POINTS}",
            f"--noise {c.noise / 100 * 0.3:.3g}",
            f"--validation-fraction {1 - c.ratio / 100:.2f}",
        ]
        if c.hidden:
            args.append("--hidden " + " ".join(str(n) for n in c.hidden))
        args += [
            f"--activation {ACTIVATIONS[c.activation] or 'relu'}",
            f"--engine {c.engine}",
            f"--loss {c.loss}",
            f"--optimizer {c.optimizer}",
            f"--lr {c.lr:g}",
            "--schedule constant",
            f"--l2 {c.reg_rate if c.reg == 'l2' else 0:g}",
            f"--epochs {max(self.epoch, 1)}",
            f"--batch-size {c.batch}",
            f"--seed {c.seed}",
        ]
        if c.activation == "linear":
            notes.append("the CLI has no linear activation (relu is used)")
        if not c.hidden:
            notes.append("the CLI needs a hidden layer")
        if c.problem == "regression":
            notes = ["the CLI trains classifiers only; use the Python script"]
        head = "".join(f"# note: {note}\n" for note in notes)
        return head + " \\\n    ".join(args) + "\n"

    def _script(self) -> str:
        c = self.config
        module = "minitorch_nn.tensor.nn" if c.engine == "tensor" else "minitorch_nn.nn"
        labels = "y"
        if c.problem == "classification":
            labels = "y.astype(float)" if c.loss == "bce" else "2.0 * y - 1.0"
        l1 = c.reg == "l1" and c.reg_rate > 0
        l2 = c.reg_rate if c.reg == "l2" else 0.0
        lines = [
            f'"""A minitorch_nn playground run: {c.dataset}, hidden {c.hidden}, {c.activation}, '
            f'{c.optimizer} lr={c.lr:g}, {self.epoch} epochs."""',
            "",
            "from minitorch_nn.losses import LOSSES",
            "from minitorch_nn.playground.datasets import features, make_dataset, split",
            f"from {module} import MLP",
            "from minitorch_nn.train import evaluate, fit",
            "",
            f"X, y = make_dataset({c.dataset!r}, n_samples={N_POINTS}, noise={c.noise}, "
            f"seed={c.seed})",
            f"X_train, y_train, X_test, y_test = split(features(X, {c.features!r}), {labels}, "
            f"{c.ratio})",
            f"model = MLP({len(c.features)}, {[*c.hidden, 1]!r}, "
            f"activation={ACTIVATIONS[c.activation]!r}, seed={c.seed})",
            f"data_loss = LOSSES[{c.loss!r}]",
        ]
        if l1:
            lines += [
                "",
                "",
                "def loss(outputs, targets):",
                f'    """The data loss + {c.reg_rate:g} * sum |p| (L1)."""',
                "    params = model.parameters()",
                "    penalty = sum(abs(p).sum() for p in params)"
                if c.engine == "tensor"
                else "    penalty = sum(abs(p) for p in params)",
                f"    return data_loss(outputs, targets) + {c.reg_rate!r} * penalty",
                "",
                "",
            ]
        lines += [
            f"fit(model, X_train, y_train, loss={'loss' if l1 else 'data_loss'}, "
            f"optimizer={c.optimizer!r}, lr={c.lr!r},",
            f"    epochs={max(self.epoch, 1)}, batch_size={c.batch}, l2={l2!r}, seed={c.seed})",
            'print("train loss", evaluate(model, X_train, y_train, loss=data_loss)["loss"])',
            'print("test loss", evaluate(model, X_test, y_test, loss=data_loss)["loss"])',
            "",
        ]
        return "\n".join(lines)

    def checkpoint(self) -> bytes:
        """The model as a checkpoint file's bytes (written to a temporary file, then deleted)."""
        with tempfile.TemporaryDirectory(prefix="minitorch-playground-") as folder:
            path = save_model(self.model, Path(folder) / "model.safetensors")
            return path.read_bytes()


# --------------------------------------------------------------------------- all sessions
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


class SessionGone(LookupError):
    """No session with this id (never opened, closed, or freed after being idle): HTTP 404."""


class SessionStore:
    """The sessions by id, at most ``max_sessions`` (opening one more frees the least recently
    used); a session unused for ``idle_timeout`` seconds is freed by :meth:`reap`."""

    def __init__(
        self,
        max_sessions: int = 32,
        idle_timeout: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_sessions < 1 or not idle_timeout > 0:
            raise ValueError(
                f"max_sessions must be >= 1 and idle_timeout > 0, got {max_sessions} and "
                f"{idle_timeout}"
            )
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self.clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    @staticmethod
    def check_id(session_id: Any) -> str:
        if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
            raise ConfigError(
                f"session must be 8 to 64 letters, digits, '-' or '_', got {session_id!r}"
            )
        return session_id

    def open(self, session_id: str, config: Config) -> Session:
        """A new session under ``session_id`` (replacing one of that id)."""
        session = Session(config)  # built outside the lock: it takes a few milliseconds
        session.last_used = self.clock()
        with self._lock:
            self._sessions.pop(session_id, None)
            while len(self._sessions) >= self.max_sessions:
                self._sessions.popitem(last=False)
            self._sessions[session_id] = session
        return session

    def get(self, session_id: str) -> Session:
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                raise SessionGone(
                    f"no session {session_id!r}: it was closed, freed after "
                    f"{self.idle_timeout:g} s idle, or never opened; open it again"
                )
            self._sessions.move_to_end(session_id)
            session.last_used = self.clock()
            return session

    def close(self, session_id: str) -> bool:
        with self._lock:
            return self._sessions.pop(session_id, None) is not None

    def reap(self) -> int:
        """Free the sessions idle for longer than ``idle_timeout``; return how many."""
        now = self.clock()
        with self._lock:
            stale = [k for k, s in self._sessions.items() if now - s.last_used > self.idle_timeout]
            for key in stale:
                del self._sessions[key]
        return len(stale)

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


def dumps(payload: Any) -> bytes:
    """Strict JSON (no NaN) as UTF-8 bytes."""
    return json.dumps(payload, allow_nan=False, separators=(",", ":")).encode("utf-8")
