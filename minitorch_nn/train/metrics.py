"""Checking inputs, and what a model predicts: labels, probabilities, scores, loss and accuracy.

``fit``, ``evaluate``, ``predict``, ``predict_proba`` and ``decision_function`` read their
features through :func:`check_features`, so they accept and refuse the same inputs: a 2-D
array of real numbers (n_samples, n_features), with no NaN or inf (the refusal names the rows).
One sample is a 2-D row, ``X.reshape(1, -1)``, as in scikit-learn: a 1-D array is refused,
since it could as well be one feature of many samples. ``fit`` and ``evaluate`` need at least
one sample; prediction on zero rows returns an empty result of the usual shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine import no_grad
from .engines import EngineAdapter, adapter_for

LossSpec = str | Callable[..., Any]

BINARY_LOSSES = ("hinge", "bce", "mse")
MULTICLASS_LOSSES = ("cross_entropy",)


def check_features(X: Any, what: str, allow_empty: bool = False) -> np.ndarray:
    """``X`` as a float array (n, d), or ValueError saying what is wrong with it."""
    try:
        array = np.asarray(X)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{what}: X must be a 2-D array of numbers ({exc})") from exc
    if array.dtype.kind == "O":  # e.g. a list mixing ints and floats of several types
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{what}: X must hold real numbers ({exc})") from exc
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{what}: X must hold real numbers, got dtype {array.dtype}; expected float or int"
        )
    array = array.astype(np.float64, copy=False)
    if array.ndim != 2:
        hint = "; one sample is X.reshape(1, -1)" if array.ndim == 1 else ""
        raise ValueError(
            f"{what}: X must be 2-D (n_samples, n_features), got shape {array.shape}{hint}"
        )
    if array.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{what}: X is empty; expected at least one sample")
    if array.shape[1] == 0:
        raise ValueError(f"{what}: X has no features; expected at least one column")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what}: X contains NaN or inf at rows {bad_rows(array)}")
    return array


def check_arrays(X: Any, y: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``X`` as float (n, d) and ``y`` as (n,), or ValueError saying what is wrong."""
    X = check_features(X, what)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{what}: y must be 1-D (n_samples,), got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"{what}: X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{what}: y contains NaN or inf")
    return X, y


def bad_rows(X: np.ndarray) -> list[int]:
    """The first five rows of ``X`` holding NaN or inf."""
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


def check_targets(loss: LossSpec, y: np.ndarray, n_outputs: int, what: str) -> None:
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


def scores_of(adapter: EngineAdapter, model: Any, X: np.ndarray) -> np.ndarray:
    """The model's raw outputs (n, k) for rows ``X``, without recording a graph; for zero rows
    an empty (0, k), k found from one row of zeros."""
    with no_grad():
        if X.shape[0] == 0:
            k = adapter.scores(adapter.forward(model, np.zeros((1, X.shape[1])))).shape[1]
            return np.empty((0, k))
        return adapter.scores(adapter.forward(model, X))


def decision_function(model: Any, X: Any, engine: str | EngineAdapter | None = None) -> np.ndarray:
    """Raw model outputs for a numpy batch: shape (n,) for one output, (n, k) otherwise."""
    X = check_features(X, "prediction data", allow_empty=True)
    adapter = adapter_for(model, engine)
    scores = scores_of(adapter, adapter.convert(model), X)  # (n, k)
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
    z = scores - scores.max(axis=1, keepdims=True) if len(scores) else scores
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
    X, y = check_arrays(X, y, "evaluation data")
    adapter = adapter_for(model, engine)
    loss_fn = adapter.loss_fn(loss) if isinstance(loss, str) else loss
    with no_grad():
        outputs = adapter.forward(adapter.convert(model), X)
        check_targets(loss, y, adapter.scores(outputs).shape[1], "evaluation data")
        value = adapter.item(adapter.loss(loss_fn, outputs, loss_targets(loss, y)))
        acc = accuracy(y, labels_from_scores(adapter.scores(outputs)))
    return {"loss": value, "accuracy": acc}


def evaluate_arrays(
    adapter: EngineAdapter,
    model: Any,
    loss_fn: Callable[..., Any],
    X: np.ndarray,
    targets: np.ndarray,
    y: np.ndarray,
) -> tuple[float, float]:
    """(mean data loss, accuracy) of ``model`` on checked arrays, without recording a graph."""
    with no_grad():
        outputs = adapter.forward(model, X)
        loss = adapter.item(adapter.loss(loss_fn, outputs, targets))
        acc = accuracy(y, labels_from_scores(adapter.scores(outputs)))
    return loss, acc
