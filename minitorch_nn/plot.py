"""Pictures of 2-D classifiers: decision boundaries, training curves and boundary animations.

The only module of the package that imports matplotlib. It deals in numpy arrays and callables:
anything with ``.parameters`` is a model and is evaluated with
``minitorch_nn.train.decision_function`` (its raw scores, labelled as ``train.predict`` does;
the grid behind a picture runs on a tensor-engine copy of a scalar model, the data points on
the model itself);
any other callable maps an ``(n, 2)`` array to labels or scores. Scores become labels as
follows: 1-D float scores -> ``score > 0``; 2-D scores ``(n, k)`` -> ``argmax`` over columns;
integer labels (or integral non-negative floats) are taken as they are; labels in ``{-1, +1}``
map to ``{0, 1}``.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

__all__ = [
    "BoundaryRecorder",
    "animate_training",
    "class_colors",
    "decision_grid",
    "frame_title",
    "grid_bounds",
    "plot_decision_boundary",
    "plot_history",
    "save_figure",
    "to_labels",
]

PredictFn = Callable[[np.ndarray], Any]
Bounds = tuple[float, float, float, float]  # (x_min, x_max, y_min, y_max)

# tab10 without its red, which is kept for marking misclassified points.
_PALETTE = [
    "#1f77b4",  # blue
    "#ff7f0e",  # orange
    "#2ca02c",  # green
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#17becf",  # cyan
    "#bcbd22",  # olive
    "#7f7f7f",  # grey
]
_MISCLASSIFIED = "#d62728"
_REGION_ALPHA = 0.28


# --------------------------------------------------------------------------- labels and grids


def class_colors(n_classes: int) -> list[tuple[float, float, float]]:
    """``n_classes`` distinct RGB colours: a fixed qualitative palette up to 9 classes, evenly
    spaced hues beyond that."""
    if n_classes <= len(_PALETTE):
        return [to_rgb(c) for c in _PALETTE[:n_classes]]
    cmap = plt.get_cmap("hsv")
    return [to_rgb(cmap(i / n_classes)) for i in range(n_classes)]


def _is_label_output(arr: np.ndarray) -> bool:
    """1-D ints, bools or integral floats are labels; other 1-D floats and (n, k) are scores."""
    if arr.ndim != 1:
        return False
    if arr.dtype == bool or arr.dtype.kind in "iu":
        return True
    return bool(arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))


def _flatten_single_column(output: Any) -> np.ndarray:
    arr = np.asarray(output)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim not in (1, 2):
        raise ValueError(f"predictions must have shape (n,) or (n, k), got {arr.shape}")
    if arr.dtype != bool and arr.dtype.kind not in "iuf":
        raise ValueError(f"predictions must be numbers, got dtype {arr.dtype}")
    return arr


def to_labels(output: Any, scores: bool | None = None) -> np.ndarray:
    """Turn a predictor's output into int64 class labels ``0..k-1`` (rules in the module doc).

    ``scores=True`` treats 1-D output as scores even when every value is integral (a model's
    raw output); ``None`` decides from the values.
    """
    arr = _flatten_single_column(output)
    if arr.ndim == 2:
        return np.asarray(np.argmax(arr, axis=1), dtype=np.int64)  # (n, k) -> (n,)
    if scores or not _is_label_output(arr):
        return (arr > 0).astype(np.int64)  # binary scores (logits / margins)
    labels = arr.astype(np.int64)
    if labels.size and labels.min() < 0:
        if not np.all(np.isin(labels, (-1, 1))):
            raise ValueError(
                f"negative labels must be -1/+1 (binary), got values {np.unique(labels)}"
            )
        labels = (labels > 0).astype(np.int64)
    return labels


def class_margins(output: Any, n_classes: int, scores: bool | None = None) -> np.ndarray:
    """Per-class margin fields ``(n_classes, n)``: positive exactly where the class is predicted.

    Binary scores ``s``: margins ``(-s, s)``; scores ``(n, k)``: ``s_c - max_{j != c} s_j``;
    labels: ``+0.5`` on the predicted class, ``-0.5`` elsewhere. Contouring the margins at 0
    draws smooth borders where the predictor gives real-valued scores.
    """
    arr = _flatten_single_column(output)
    n = arr.shape[0]
    margins = np.full((n_classes, n), -1.0)
    if arr.ndim == 2:
        k = arr.shape[1]
        scores2d = arr.astype(np.float64)
        top = np.argmax(scores2d, axis=1)
        ordered = np.sort(scores2d, axis=1)
        best, second = ordered[:, -1], ordered[:, -2] if k > 1 else ordered[:, -1]
        others_max = np.where(np.arange(k)[None, :] == top[:, None], second[:, None], best[:, None])
        margins[: min(k, n_classes)] = (scores2d - others_max).T[:n_classes]
    elif scores or not _is_label_output(arr):
        margins[0], margins[1] = -arr, arr
    else:
        labels = to_labels(arr)
        for c in range(n_classes):
            margins[c] = np.where(labels == c, 0.5, -0.5)
    return margins


class _Predictor:
    """A callable ``X -> output`` and whether its 1-D output is scores (True) or unknown."""

    def __init__(self, fn: PredictFn, scores: bool | None) -> None:
        self.fn, self.scores = fn, scores

    def __call__(self, X: np.ndarray) -> Any:
        return self.fn(X)


def _predict_fn(model_or_predict_fn: Any) -> _Predictor:
    if isinstance(model_or_predict_fn, _Predictor):
        return model_or_predict_fn
    if hasattr(model_or_predict_fn, "parameters"):
        from minitorch_nn.train import decision_function  # noqa: PLC0415 - plot is above train

        model = model_or_predict_fn
        return _Predictor(lambda X: decision_function(model, X), scores=True)
    if callable(model_or_predict_fn):
        return _Predictor(model_or_predict_fn, scores=None)
    raise TypeError(
        "expected a model (with .parameters) or a callable X -> labels/scores, "
        f"got {type(model_or_predict_fn).__name__}"
    )


def _check_points(X: Any, y: Any | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    X_arr = np.asarray(X, dtype=np.float64)
    if X_arr.ndim != 2 or X_arr.shape[1] != 2 or len(X_arr) == 0:
        raise ValueError(f"X must have shape (n, 2) with n >= 1 to plot, got {X_arr.shape}")
    if not np.all(np.isfinite(X_arr)):
        raise ValueError("X contains NaN or inf; expected finite coordinates")
    if y is None:
        return X_arr, None
    y_arr = to_labels(np.asarray(y).reshape(-1))
    if len(y_arr) != len(X_arr):
        raise ValueError(f"X and y must have the same length, got {len(X_arr)} and {len(y_arr)}")
    return X_arr, y_arr


def grid_bounds(X: Any, margin: float = 0.12) -> Bounds:
    """Rectangle covering the points of ``X`` plus ``margin`` times its extent on each side."""
    X_arr, _ = _check_points(X)
    lo, hi = X_arr.min(axis=0), X_arr.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-3) + 1e-3
    return (
        float(lo[0] - pad[0]),
        float(hi[0] + pad[0]),
        float(lo[1] - pad[1]),
        float(hi[1] + pad[1]),
    )


def _grid_predictor(model_or_predict_fn: Any) -> _Predictor:
    """The predictor for a picture's grid: a scalar-engine model is evaluated on a tensor-engine
    copy (same numbers up to rounding, one numpy pass instead of one graph per grid point);
    the model's own engine when the tensor engine cannot take it."""
    predictor = _predict_fn(model_or_predict_fn)
    if isinstance(model_or_predict_fn, _Predictor) or not hasattr(
        model_or_predict_fn, "parameters"
    ):
        return predictor
    from minitorch_nn.train import decision_function  # noqa: PLC0415 - plot is above train

    model = model_or_predict_fn

    def on_tensor_engine(X: np.ndarray) -> np.ndarray:
        try:
            return decision_function(model, X, engine="tensor")
        except (ValueError, TypeError):  # no tensor engine, or a model it cannot convert
            return predictor(X)

    return _Predictor(on_tensor_engine, scores=True)


def _grid_output(
    predictor: _Predictor, bounds: Bounds, resolution: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``xx, yy`` of shape ``(resolution, resolution)`` and the predictor's raw output on them."""
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    if resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution}")
    x_min, x_max, y_min, y_max = bounds
    xx, yy = np.meshgrid(
        np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    )
    points = np.column_stack([xx.ravel(), yy.ravel()])  # (resolution**2, 2)
    raw = _flatten_single_column(predictor(points))
    if raw.shape[0] != len(points):
        raise ValueError(
            f"predict function returned {raw.shape[0]} labels for {len(points)} grid points"
        )
    return xx, yy, raw


def decision_grid(
    predict_fn: Any, bounds: Bounds, resolution: int = 200
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate a model or ``predict_fn`` on a ``resolution x resolution`` grid over ``bounds``.

    Returns ``xx, yy, labels``, each of shape ``(resolution, resolution)``, rows along y.
    """
    predictor = _grid_predictor(predict_fn)
    xx, yy, raw = _grid_output(predictor, bounds, resolution)
    return xx, yy, to_labels(raw, predictor.scores).reshape(xx.shape)


# --------------------------------------------------------------------------- decision boundary


def _draw_points(
    ax: Axes,
    X: np.ndarray,
    y: np.ndarray,
    colors: Sequence[Any],
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
) -> None:
    """Training points filled in their class colour; validation points hollow rings."""
    n = len(X) + (0 if X_val is None else len(X_val))
    size = float(np.clip(4000.0 / n, 12.0, 45.0))
    for k in np.unique(y):
        mask = y == k
        ax.scatter(
            X[mask, 0],
            X[mask, 1],
            s=size,
            color=colors[k],
            edgecolors="black",
            linewidths=0.5,
            label=f"class {k}",
            zorder=3,
        )
    if X_val is None or y_val is None:
        return
    ax.scatter(
        X_val[:, 0],
        X_val[:, 1],
        s=size,
        facecolors="none",
        edgecolors=[colors[k] for k in y_val],
        linewidths=1.5,
        gid="validation",
        zorder=3,
    )
    ax.scatter([], [], s=size, facecolors="none", edgecolors="0.3", linewidths=1.5,
               label="validation")  # fmt: skip


def _draw_regions(
    ax: Axes, xx: np.ndarray, yy: np.ndarray, margins: np.ndarray, colors: Sequence[Any]
) -> list[Any]:
    """Fill each class where its margin field is positive and draw the zero lines (the
    borders); returns the contour sets, so an animation can remove them."""
    artists = []
    for k in range(min(len(margins), len(colors))):
        field = margins[k]
        top = float(field.max())
        if top <= 0:
            continue  # class never predicted on the grid
        artists.append(
            ax.contourf(
                xx, yy, field, levels=[0.0, 2 * top + 1], colors=[colors[k]], alpha=_REGION_ALPHA
            )
        )
        if float(field.min()) < 0:
            artists.append(ax.contour(xx, yy, field, levels=[0.0], colors="0.25", linewidths=0.9))
    return artists


def _style_axes(ax: Axes, bounds: Bounds) -> None:
    ax.set_xlim(bounds[0], bounds[1])
    ax.set_ylim(bounds[2], bounds[3])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_0$")
    ax.set_ylabel("$x_1$")


def _labels_of(predictor: _Predictor, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    y_pred = to_labels(predictor(X), predictor.scores)
    if y_pred.shape != y.shape:
        raise ValueError(f"predict function returned {len(y_pred)} labels for {len(y)} points")
    return y_pred


def _accuracy_title(accuracy: float, val_accuracy: float | None) -> str:
    """ "accuracy 97.5%", or "accuracy 97.5% train, 95.0% validation"."""
    if val_accuracy is None:
        return f"accuracy {accuracy:.1%}"
    return f"accuracy {accuracy:.1%} train, {val_accuracy:.1%} validation"


def plot_decision_boundary(
    model_or_predict_fn: Any,
    X: Any,
    y: Any,
    ax: Axes | None = None,
    resolution: int = 200,
    title: str | None = None,
    X_val: Any = None,
    y_val: Any = None,
) -> Axes:
    """Draw the predicted class regions on a grid covering the points, the training points
    ``(X, y)`` filled in the colour of their true class, validation points ``(X_val, y_val)``
    (optional) as hollow rings, and a red ring around each misclassified point. Returns the
    Axes. The default title gives the accuracy on each set: "accuracy 97.5%", or
    "accuracy 97.5% train, 95.0% validation".
    """
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    predictor = _predict_fn(model_or_predict_fn)
    X_arr, y_arr = _check_points(X, y)
    assert y_arr is not None
    Xv, yv = (None, None) if X_val is None else _check_points(X_val, y_val)
    bounds = grid_bounds(X_arr if Xv is None else np.concatenate([X_arr, Xv]))
    xx, yy, raw = _grid_output(_grid_predictor(model_or_predict_fn), bounds, resolution)
    grid = to_labels(raw, predictor.scores)
    y_pred = _labels_of(predictor, X_arr, y_arr)
    yv_pred = None if Xv is None or yv is None else _labels_of(predictor, Xv, yv)
    tops = [y_arr.max(), grid.max(), y_pred.max()]
    if yv is not None and yv_pred is not None:
        tops += [yv.max(), yv_pred.max()]
    n_classes = int(max(2, *(t + 1 for t in tops)))
    if raw.ndim == 2:
        n_classes = max(n_classes, raw.shape[1])
    colors = class_colors(n_classes)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 5.6))

    # Each class fills where its margin is positive; the margins' zero lines are the borders.
    margins = class_margins(raw, n_classes, predictor.scores).reshape(n_classes, *xx.shape)
    _draw_regions(ax, xx, yy, margins, colors)
    _draw_points(ax, X_arr, y_arr, colors, Xv, yv)
    wrong = y_pred != y_arr
    rings = X_arr[wrong]
    val_accuracy = None
    if Xv is not None and yv is not None and yv_pred is not None:
        val_wrong = yv_pred != yv
        rings = np.concatenate([rings, Xv[val_wrong]])
        val_accuracy = 1.0 - int(val_wrong.sum()) / len(yv)
    if len(rings):
        ax.scatter(
            rings[:, 0],
            rings[:, 1],
            s=float(np.clip(12000.0 / len(X_arr), 50.0, 140.0)),
            facecolors="none",
            edgecolors=_MISCLASSIFIED,
            linewidths=1.6,
            label=f"misclassified ({len(rings)})",
            gid="misclassified",
            zorder=4,
        )
    accuracy = 1.0 - int(wrong.sum()) / len(y_arr)
    ax.set_title(title if title is not None else _accuracy_title(accuracy, val_accuracy))
    _style_axes(ax, bounds)
    ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return ax


# --------------------------------------------------------------------------- training curves


def _history_columns(history: Any) -> dict[str, list[float]]:
    """History object, ``{"epochs": [per-epoch dicts]}`` or a dict of lists -> dict of lists."""
    data = history.to_dict() if hasattr(history, "to_dict") else history
    if not isinstance(data, Mapping):
        raise TypeError(
            "expected a History, a dict with 'epochs' or a dict of lists, "
            f"got {type(data).__name__}"
        )
    if (
        "epochs" in data
        and isinstance(data["epochs"], Sequence)
        and all(isinstance(row, Mapping) for row in data["epochs"])
    ):
        rows = data["epochs"]
        keys = {key for row in rows for key in row}
        columns = {key: [row.get(key) for row in rows] for key in keys}
    else:
        columns = {
            key: list(values) for key, values in data.items() if isinstance(values, Sequence)
        }
    return {
        key: [np.nan if v is None else float(v) for v in values]
        for key, values in columns.items()
        if all(v is None or isinstance(v, (int, float, np.number)) for v in values)
    }


def _plot_metric(ax: Axes, columns: dict[str, list[float]], key: str, epochs: list[float]) -> bool:
    drawn = False
    for name, style, label in ((key, "-", "train"), (f"val_{key}", "--", "validation")):
        values = columns.get(name)
        if not values or np.all(np.isnan(values)):
            continue
        xs = epochs if len(epochs) == len(values) else list(range(1, len(values) + 1))
        final = next(v for v in reversed(values) if not np.isnan(v))
        shown = f"{final:.1%}" if key == "accuracy" else f"{final:.4g}"
        ax.plot(xs, values, style, linewidth=1.8, label=f"{label} (final {shown})")
        drawn = True
    return drawn


def _accuracy_limits(columns: dict[str, list[float]]) -> tuple[float, float]:
    """The accuracy axis fits the recorded range (never beyond [0, 1]) with a small margin, at
    least 5 percentage points tall, so the last few points of progress stay visible."""
    values = np.array([v for k in ("accuracy", "val_accuracy") for v in columns.get(k, [])])
    values = values[np.isfinite(values)]
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 0.05:
        mid = min(max((lo + hi) / 2, 0.025), 0.975)
        lo, hi = mid - 0.025, mid + 0.025
    pad = 0.06 * (hi - lo)
    return max(lo - pad, -0.01), min(hi + pad, 1.01)


def plot_history(history_or_dict: Any, axes: Sequence[Axes] | None = None) -> np.ndarray:
    """Loss (left) and accuracy (right) per epoch, train solid and validation dashed; the
    legend gives each curve's final value. The accuracy axis fits the recorded range.

    Accepts a ``History``, its ``to_dict()`` or a plain dict of lists with keys ``loss``,
    ``accuracy``, ``val_loss``, ``val_accuracy`` (and optionally ``epoch``). Returns the 2 Axes.
    """
    columns = _history_columns(history_or_dict)
    if not columns.get("loss") and not columns.get("accuracy"):
        raise ValueError(
            f"history has no 'loss' or 'accuracy' values to plot; got keys {sorted(columns)}"
        )
    if axes is None:
        fig, axes_arr = plt.subplots(1, 2, figsize=(11.0, 4.2), layout="constrained")
        fig.suptitle("Training history")
    else:
        axes_arr = np.asarray(axes, dtype=object).reshape(-1)
        if axes_arr.size != 2:
            raise ValueError(f"axes must hold 2 Axes (loss, accuracy), got {axes_arr.size}")
    n_epochs = max(len(columns.get("loss", [])), len(columns.get("accuracy", [])))
    epochs = columns.get("epoch") or list(range(1, n_epochs + 1))
    loss_ax, acc_ax = axes_arr[0], axes_arr[1]

    if _plot_metric(loss_ax, columns, "loss", epochs):
        finite = np.array([v for k in ("loss", "val_loss") for v in columns.get(k, [])])
        finite = finite[np.isfinite(finite)]
        if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
            loss_ax.set_yscale("log")
        loss_ax.legend(fontsize="small")
    else:
        loss_ax.text(
            0.5, 0.5, "no loss recorded", ha="center", va="center", transform=loss_ax.transAxes
        )
    loss_ax.set_title("Loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("loss")

    if _plot_metric(acc_ax, columns, "accuracy", epochs):
        low, high = _accuracy_limits(columns)
        acc_ax.set_ylim(low, high)
        acc_ax.yaxis.set_major_formatter(
            PercentFormatter(1.0, decimals=0 if high - low > 0.1 else 1)
        )
        acc_ax.legend(fontsize="small", loc="lower right")
    else:
        acc_ax.text(
            0.5, 0.5, "no accuracy recorded", ha="center", va="center", transform=acc_ax.transAxes
        )
    acc_ax.set_title("Accuracy")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy")
    for ax in (loss_ax, acc_ax):
        ax.grid(True, alpha=0.3)
    return axes_arr


# --------------------------------------------------------------------------- animation


class BoundaryRecorder:
    """Training callback that stores the decision grid over ``X`` every ``every`` epochs.

    ``frames`` is a list of ``(epoch, grid_labels)`` with ``grid_labels`` of shape
    ``(resolution, resolution)`` over ``bounds``; ``margins`` holds, per frame, the class
    margin fields (see :func:`class_margins`) that draw smooth borders; ``logs`` the epoch's
    History record. Pass the recorder to :func:`animate_training`. The state at the end of
    training is always recorded. With ``include_initial`` (the default) the model as it is
    before training is recorded first, as epoch 0 (``fit`` numbers epochs from 1).
    """

    def __init__(
        self, X: Any, every: int = 1, resolution: int = 100, include_initial: bool = True
    ) -> None:
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be an integer >= 1, got {every!r}")
        self.bounds = grid_bounds(X)
        self.every = int(every)
        self.resolution = int(resolution)
        self.include_initial = include_initial
        self.frames: list[tuple[int, np.ndarray]] = []
        self.margins: list[np.ndarray] = []
        self.logs: list[dict[str, Any]] = []
        self._calls = 0
        self._last: tuple[int, dict[str, Any]] | None = None

    def _record(self, epoch: int, model: Any, logs: Mapping[str, Any] | None) -> None:
        predictor = _grid_predictor(model)
        xx, _, raw = _grid_output(predictor, self.bounds, self.resolution)
        labels = to_labels(raw, predictor.scores)
        n_classes = int(max(2, labels.max() + 1, raw.shape[1] if raw.ndim == 2 else 2))
        margins = class_margins(raw, n_classes, predictor.scores)
        self.frames.append((int(epoch), labels.reshape(xx.shape).astype(np.int16)))
        self.margins.append(margins.reshape(n_classes, *xx.shape).astype(np.float32))
        self.logs.append(dict(logs or {}))

    def on_train_begin(self, model: Any, history: Any = None) -> None:
        self.frames, self.margins, self.logs, self._calls, self._last = [], [], [], 0, None
        if self.include_initial:
            self._record(0, model, {})

    def on_epoch_end(self, epoch: int, model: Any, logs: Mapping[str, Any] | None = None) -> None:
        self._calls += 1
        if (self._calls - 1) % self.every == 0:
            self._record(epoch, model, logs)
            self._last = None
        else:
            self._last = (int(epoch), dict(logs or {}))

    def on_train_end(self, model: Any, history: Any = None) -> None:
        if self._last is not None:  # the final epoch fell between two recordings
            epoch, logs = self._last
            self._record(epoch, model, logs)
            self._last = None


def frame_title(epoch: int, logs: Mapping[str, Any]) -> str:
    """A title from an epoch's History record: "epoch 40: loss 0.1234" and, on a second line,
    "accuracy 97.5%" (or "accuracy 97.5% train, 95.0% validation"); "before training" for
    epoch 0. The training GIF's frames and the CLI's decision_boundary.png use it."""
    if epoch == 0 and not logs:
        return "before training"
    title = f"epoch {epoch}"
    if isinstance(logs.get("loss"), (int, float)):
        title += f": loss {logs['loss']:.4g}"
    if isinstance(logs.get("accuracy"), (int, float)):
        val = logs.get("val_accuracy")
        title += "\n" + _accuracy_title(logs["accuracy"], val if isinstance(val, float) else None)
    return title


def _frame_fields(
    frames: Any, bounds: Bounds, resolution: int
) -> tuple[list[str], list[np.ndarray]]:
    """Per frame: its title and its class margin fields ``(n_classes, rows, cols)``."""
    titles, fields = [], []
    logs: list[dict[str, Any]] = []
    margins: list[np.ndarray] = []
    if isinstance(frames, BoundaryRecorder):
        logs, margins = frames.logs, frames.margins
        frames = frames.frames
    if len(frames) == 0:
        raise ValueError("animate_training needs at least one frame, got none")
    for i, frame in enumerate(frames):
        if callable(frame) or hasattr(frame, "parameters"):
            predictor = _grid_predictor(frame)
            xx, _, raw = _grid_output(predictor, bounds, resolution)
            labels = to_labels(raw, predictor.scores)
            n_classes = int(max(2, labels.max() + 1, raw.shape[1] if raw.ndim == 2 else 2))
            field = class_margins(raw, n_classes, predictor.scores).reshape(n_classes, *xx.shape)
            titles.append(f"step {i + 1}")
        else:
            epoch, grid = frame
            grid = np.asarray(grid)
            if grid.ndim != 2:
                raise ValueError(f"frame {i}: grid labels must be 2-D, got shape {grid.shape}")
            if i < len(margins) and margins[i].shape[1:] == grid.shape:
                field = margins[i]
            else:  # labels only: +-0.5 fields, borders halfway between grid cells
                n_classes = int(max(2, grid.max() + 1))
                field = class_margins(grid.reshape(-1).astype(np.int64), n_classes)
                field = field.reshape(n_classes, *grid.shape)
            titles.append(frame_title(int(epoch), logs[i] if i < len(logs) else {}))
        fields.append(field)
    shapes = {f.shape[1:] for f in fields}
    if len(shapes) != 1:
        raise ValueError(f"all frames must have the same grid shape, got {sorted(shapes)}")
    return titles, fields


def animate_training(
    frames: Any,
    X: Any,
    y: Any,
    path: str | os.PathLike[str],
    fps: float = 5,
    resolution: int = 100,
    bounds: Bounds | None = None,
    dpi: int = 120,
    hold: float = 2.0,
    X_val: Any = None,
    y_val: Any = None,
) -> Path:
    """Write a GIF of the decision boundary changing over training, drawn as
    :func:`plot_decision_boundary` draws it (same size at the same ``dpi``); each frame shows
    for ``1 / fps`` seconds and the last one for ``hold`` seconds more.

    ``frames`` is a :class:`BoundaryRecorder`, its ``.frames`` list of ``(epoch, grid_labels)``
    (the grid is rebuilt from ``X`` unless ``bounds`` is given, so pass the ``X`` the recorder
    saw), or a list of models / predict callables evaluated at ``resolution``. Validation
    points ``(X_val, y_val)`` are drawn hollow. Returns the path.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from PIL import Image  # noqa: PLC0415 - matplotlib's own dependency

    target = Path(path)
    if target.suffix.lower() != ".gif":
        raise ValueError(
            f"animate_training writes a GIF; expected a path ending in .gif, got {target}"
        )
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= 100:
        raise ValueError(f"fps must be a number in (0, 100], got {fps!r}")
    if isinstance(hold, bool) or not isinstance(hold, (int, float)) or not 0 <= hold <= 60:
        raise ValueError(f"hold must be a number of seconds in [0, 60], got {hold!r}")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    X_arr, y_arr = _check_points(X, y)
    assert y_arr is not None
    Xv, yv = (None, None) if X_val is None else _check_points(X_val, y_val)
    if bounds is None:
        bounds = frames.bounds if isinstance(frames, BoundaryRecorder) else grid_bounds(X_arr)
    titles, fields = _frame_fields(frames, bounds, resolution)
    top_label = [int(y_arr.max()) + 1, max(len(f) for f in fields)]
    if yv is not None:
        top_label.append(int(yv.max()) + 1)
    colors = class_colors(max(2, *top_label))
    rows, cols = fields[0].shape[1:]
    xx, yy = np.meshgrid(
        np.linspace(bounds[0], bounds[1], cols), np.linspace(bounds[2], bounds[3], rows)
    )

    fig = Figure(figsize=(6.0, 5.6), dpi=dpi)  # as plot_decision_boundary's figure
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _draw_points(ax, X_arr, y_arr, colors, Xv, yv)
    _style_axes(ax, bounds)
    ax.legend(loc="best", fontsize="small", framealpha=0.85)
    # one crop for every frame: the tight box around the figure with its tallest title
    title = ax.set_title(max(titles, key=lambda t: (t.count("\n"), len(t))))
    canvas.draw()
    crop = fig.get_tightbbox(canvas.get_renderer()).padded(0.1)

    images = []
    for text, field in zip(titles, fields):
        regions = _draw_regions(ax, xx, yy, field, colors)
        title.set_text(text)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches=crop)
        buffer.seek(0)
        with Image.open(buffer) as image:
            images.append(image.convert("RGB"))
        for artist in regions:
            artist.remove()
    frame_ms = round(1000 / fps)
    durations = [frame_ms] * len(images)
    durations[-1] += round(1000 * hold)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_sibling(target)
    try:
        images[0].save(
            tmp, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0
        )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


# --------------------------------------------------------------------------- files


def _temporary_sibling(target: Path) -> Path:
    """A unique hidden name next to ``target`` with the same suffix (the writers pick the format
    from it); created by the writer itself, so it gets the usual permissions, not mkstemp's 0600.
    """
    return target.with_name(f".{target.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}{target.suffix}")


def save_figure(
    fig: Figure | Axes, path: str | os.PathLike[str], dpi: int = 120, close: bool = False
) -> Path:
    """Save ``fig`` (or the figure of an Axes) to ``path``, format from the suffix.

    Creates missing parent directories and writes atomically (temporary file, then rename), so
    a reader never sees a half-written picture. ``close=True`` releases the figure afterwards.
    """
    figure: Any = fig.figure if isinstance(fig, Axes) else fig
    if not isinstance(figure, Figure):  # a SubFigure: save its root figure
        figure = getattr(figure, "figure", figure)
    if not isinstance(figure, Figure):
        raise TypeError(f"expected a matplotlib Figure or Axes, got {type(fig).__name__}")
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower()
    if not fmt:
        raise ValueError(f"cannot tell the image format of {target}; add a suffix such as .png")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_sibling(target)
    try:
        figure.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if close:
            plt.close(figure)
    return target
