"""Decision boundaries of 2-D classifiers: labels from a predictor's output, the grid it is
evaluated on, and the picture of its class regions over the data.

Plot deals in numpy arrays and callables, so it serves both engines. Anything with
``.parameters`` is a model and is evaluated with ``minitorch_nn.train.decision_function`` (its
raw scores, labelled as ``train.predict`` does; the grid behind a picture runs on the engine
:func:`grid_engine` names, the data points on the model itself); any other callable maps an
``(n, 2)`` array to labels or scores. Scores become labels as follows: 1-D float scores ->
``score > 0``; 2-D scores ``(n, k)`` -> ``argmax`` over columns; integer labels (or integral
non-negative floats) are taken as they are; labels in ``{-1, +1}`` map to ``{0, 1}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb

from .. import train

__all__ = [
    "class_colors",
    "class_margins",
    "decision_grid",
    "grid_bounds",
    "plot_decision_boundary",
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


class Predictor:
    """A callable ``X -> output`` and whether its 1-D output is scores (True) or unknown."""

    def __init__(self, fn: PredictFn, scores: bool | None) -> None:
        self.fn, self.scores = fn, scores

    def __call__(self, X: np.ndarray) -> Any:
        return self.fn(X)


def _predict_fn(model_or_predict_fn: Any) -> Predictor:
    if isinstance(model_or_predict_fn, Predictor):
        return model_or_predict_fn
    if hasattr(model_or_predict_fn, "parameters"):
        model = model_or_predict_fn
        return Predictor(lambda X: train.decision_function(model, X), scores=True)
    if callable(model_or_predict_fn):
        return Predictor(model_or_predict_fn, scores=None)
    raise TypeError(
        "expected a model (with .parameters) or a callable X -> labels/scores, "
        f"got {type(model_or_predict_fn).__name__}"
    )


def check_points(X: Any, y: Any | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` as finite float coordinates ``(n, 2)`` and ``y`` (optional) as labels ``(n,)``."""
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
    X_arr, _ = check_points(X)
    lo, hi = X_arr.min(axis=0), X_arr.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-3) + 1e-3
    return (
        float(lo[0] - pad[0]),
        float(hi[0] + pad[0]),
        float(lo[1] - pad[1]),
        float(hi[1] + pad[1]),
    )


def grid_engine() -> str:
    """The engine a picture's grid runs on: the array engine, one numpy pass for the whole
    grid instead of one graph per grid point (same numbers up to rounding). The one place plot
    names an engine: a name of the registry ``minitorch_nn.train.engines.ENGINES``, which
    ``decision_function`` looks up (an engine that is not installed falls back, see below)."""
    return "tensor"


def grid_predictor(model_or_predict_fn: Any) -> Predictor:
    """The predictor for a picture's grid: a model is evaluated on a copy on
    :func:`grid_engine`'s engine, or on its own engine when that one cannot take it."""
    predictor = _predict_fn(model_or_predict_fn)
    if isinstance(model_or_predict_fn, Predictor) or not hasattr(model_or_predict_fn, "parameters"):
        return predictor
    model = model_or_predict_fn
    engine = grid_engine()

    def on_grid_engine(X: np.ndarray) -> np.ndarray:
        try:
            return train.decision_function(model, X, engine=engine)
        except (ValueError, TypeError):  # engine not installed, or a model it cannot convert
            return predictor(X)

    return Predictor(on_grid_engine, scores=True)


def grid_output(
    predictor: Predictor, bounds: Bounds, resolution: int
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
    predictor = grid_predictor(predict_fn)
    xx, yy, raw = grid_output(predictor, bounds, resolution)
    return xx, yy, to_labels(raw, predictor.scores).reshape(xx.shape)


# --------------------------------------------------------------------------- decision boundary


def draw_points(
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


def draw_regions(
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


def style_axes(ax: Axes, bounds: Bounds) -> None:
    ax.set_xlim(bounds[0], bounds[1])
    ax.set_ylim(bounds[2], bounds[3])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_0$")
    ax.set_ylabel("$x_1$")


def _labels_of(predictor: Predictor, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    y_pred = to_labels(predictor(X), predictor.scores)
    if y_pred.shape != y.shape:
        raise ValueError(f"predict function returned {len(y_pred)} labels for {len(y)} points")
    return y_pred


def accuracy_title(accuracy: float, val_accuracy: float | None) -> str:
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
    X_arr, y_arr = check_points(X, y)
    assert y_arr is not None
    Xv, yv = (None, None) if X_val is None else check_points(X_val, y_val)
    bounds = grid_bounds(X_arr if Xv is None else np.concatenate([X_arr, Xv]))
    xx, yy, raw = grid_output(grid_predictor(model_or_predict_fn), bounds, resolution)
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
    draw_regions(ax, xx, yy, margins, colors)
    draw_points(ax, X_arr, y_arr, colors, Xv, yv)
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
    ax.set_title(title if title is not None else accuracy_title(accuracy, val_accuracy))
    style_axes(ax, bounds)
    ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return ax
