"""Losses on the Tensor engine: the names, semantics and error messages of
:mod:`minitorch_nn.losses`, for a whole batch in a handful of array ops.

Predictions: a Tensor of shape (n,) or (n, 1) for the binary and regression losses (what a
tensor ``MLP(..., [..., 1])`` returns), (n, k) class scores for ``cross_entropy``; a list of
Tensors is stacked first. Targets: a sequence or numpy array of numbers (never
differentiated). Each loss returns a one-element Tensor (shape ()), the mean over samples
computed as ``sum(terms) * (1/n)``, like the scalar engine. :mod:`minitorch_nn.losses` sends
Tensor predictions here, so ``losses.hinge_loss(model(X), y)`` works on either engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..tensor.functional import stack, sum_of_squares, where
from ..tensor.ops import RULES
from ..tensor.tensor import Tensor, apply
from .targets import LOSS_FUNCTIONS, is_class_index

BINARY_SHAPES = "(n,) or (n, 1)"
_HINGE = RULES["hinge"]


def _as_tensor(x: Any) -> Tensor:
    """``x`` as a Tensor: itself, a list of Tensors stacked, or a constant array."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (list, tuple)) and x and all(isinstance(v, Tensor) for v in x):
        return stack(list(x))
    return Tensor(x)


def _float_targets(targets: Any) -> np.ndarray:
    data = targets.data if isinstance(targets, Tensor) else targets
    if type(data) is np.ndarray and data.ndim == 1 and data.dtype == np.float64:
        return data  # already what the losses use
    return np.asarray(data, dtype=np.float64).reshape(-1)


def _check_count(n: int, n_targets: int, name: str) -> None:
    if n == 0:
        raise ValueError(f"{name}: empty batch (0 predictions)")
    if n != n_targets:
        raise ValueError(f"{name}: {n} predictions but {n_targets} targets; expected equal")


def _checked(preds: Any, targets: Any, name: str) -> tuple[Tensor, np.ndarray]:
    """Predictions as a Tensor (n,) or (n, 1) and targets as floats (n,), after checking
    the batch."""
    p = _as_tensor(preds)
    ts = _float_targets(targets)
    shape = p.data.shape
    if len(shape) not in (1, 2):
        raise ValueError(f"{name}: expected predictions of shape {BINARY_SHAPES}, got {shape}")
    _check_count(shape[0], len(ts), name)
    if len(shape) == 2 and shape[1] != 1:
        raise ValueError(
            f"{name}: prediction 0 has {shape[1]} outputs, expected 1 "
            "(use cross_entropy for several class scores)"
        )
    return p, ts


def _batch(preds: Any, targets: Any, name: str) -> tuple[Tensor, np.ndarray]:
    """Predictions as a Tensor (n,) and targets as floats (n,), after checking the batch."""
    p, ts = _checked(preds, targets, name)
    return (p.reshape(p.shape[0]) if p.ndim == 2 else p), ts


def _check_targets(ts: np.ndarray, ok: np.ndarray, what: str, name: str) -> None:
    """ValueError naming the first target where ``ok`` is false (NaN is never ok)."""
    if np.count_nonzero(ok) != ok.size:
        i = int(np.argmin(ok))
        raise ValueError(f"{name}: target {i} is {float(ts[i])!r}, expected {what}")


def _mean(terms: Tensor) -> Tensor:
    """(t_1 + ... + t_n) * (1/n), as the scalar engine evaluates it."""
    return terms.sum() * (1.0 / terms.shape[0])


def mse_loss(preds: Any, targets: Any) -> Tensor:
    """mean((p - t)^2)."""
    p, ts = _batch(preds, targets, "mse_loss")
    d = p - ts
    return _mean(d * d)


def hinge_loss(scores: Any, targets: Any) -> Tensor:
    """mean(relu(1 - t * s)) with t in {-1, +1}: micrograd's max-margin loss."""
    s, ts = _checked(scores, targets, "hinge_loss")
    _check_targets(ts, np.abs(ts) == 1.0, "-1 or +1", "hinge_loss")
    return apply(_HINGE, (s, ts), [])  # one node, the same numbers as the unfused ops


def _softplus(x: Tensor) -> Tensor:
    """log(1 + e^x) = logsumexp(0, x), via log_softmax over the pairs (0, x_i): finite for any
    x, and d/dx = sigmoid(x) everywhere (0.5 at x = 0)."""
    pairs = stack([np.zeros(x.shape), x], axis=1)  # (n, 2)
    return -pairs.log_softmax(axis=1)[:, 0]  # (n,)


def binary_cross_entropy_with_logits(logits: Any, targets: Any) -> Tensor:
    """mean(-t log sigmoid(x) - (1 - t) log(1 - sigmoid(x))), t in [0, 1].

    Evaluated as softplus(x) - x t with a stable softplus, so huge logits stay finite;
    d/dx = sigmoid(x) - t.
    """
    name = "binary_cross_entropy_with_logits"
    x, ts = _batch(logits, targets, name)
    _check_targets(ts, (ts >= 0.0) & (ts <= 1.0), "a number in [0, 1]", name)
    return _mean(_softplus(x) - x * ts)


def _clamped_log(p: Tensor) -> Tensor:
    """log(p), clamped at -100 as PyTorch's binary_cross_entropy does (no gradient there,
    and no 0 * inf from the log's own derivative at p = 0)."""
    with np.errstate(divide="ignore"):
        keep = np.log(p.data) >= -100.0
    return where(keep, where(keep, p, 1.0).log(), -100.0)


def binary_cross_entropy(probs: Any, targets: Any) -> Tensor:
    """mean(-t log p - (1 - t) log(1 - p)), p in [0, 1], t in [0, 1]; logs clamped at -100."""
    name = "binary_cross_entropy"
    p, ts = _batch(probs, targets, name)
    _check_targets(ts, (ts >= 0.0) & (ts <= 1.0), "a number in [0, 1]", name)
    ok = (p.data >= 0.0) & (p.data <= 1.0)
    if not ok.all():
        i = int(np.argmin(ok))
        raise ValueError(
            f"{name}: probability {i} is {float(p.data[i])!r}, expected a number in [0, 1]"
        )
    return _mean(-(ts * _clamped_log(p)) - (1.0 - ts) * _clamped_log(1.0 - p))


def _class_indices(targets: Any, k: int, name: str) -> np.ndarray:
    """Targets as int class indices in [0, k), or ValueError naming the first bad one."""
    data = targets.data if isinstance(targets, Tensor) else targets
    ts = np.asarray(data).reshape(-1)
    if ts.dtype.kind in "iu":
        ok = (ts >= 0) & (ts < k)
    elif ts.dtype.kind == "f":
        ok = (ts == np.floor(ts)) & (ts >= 0) & (ts < k)
    elif ts.dtype.kind == "b":
        ok = np.zeros(ts.shape, dtype=bool)
    else:  # objects: check one by one, as the scalar loss does
        ok = np.array([is_class_index(t, k) for t in ts.tolist()], dtype=bool)
    if not ok.all():
        i = int(np.argmin(ok))
        raise ValueError(
            f"{name}: target {i} is {ts.tolist()[i]!r}, expected a class index in [0, {k - 1}]"
        )
    return ts.astype(np.int64)


def cross_entropy(logits: Any, targets: Any) -> Tensor:
    """mean(logsumexp(z) - z[target]) over the rows z of ``logits`` (n, k).

    log_softmax subtracts each row's max first: finite for logits of +-1000.
    d/dz = softmax(z) - onehot(target), over n.
    """
    name = "cross_entropy"
    z = _as_tensor(logits)
    if z.ndim == 0:
        raise ValueError(f"{name}: expected class scores of shape (n, k), got shape ()")
    n = z.shape[0]
    _check_count(n, np.asarray(getattr(targets, "data", targets)).reshape(-1).shape[0], name)
    if z.ndim != 2 or z.shape[1] == 0:
        raise ValueError(f"{name}: prediction 0 must be a non-empty list of class scores")
    index = _class_indices(targets, z.shape[1], name)
    picked = z.log_softmax(axis=1)[np.arange(n), index]  # (n,) log p(target)
    return _mean(-picked)


def l2_penalty(params: Iterable[Any]) -> Tensor:
    """sum(p^2) over parameters, as one node (multiply by alpha yourself)."""
    tensors = list(params)
    if not tensors:
        return Tensor(0.0)
    return sum_of_squares(tensors)


# The names fit and the CLI use, as in minitorch_nn.losses.
LOSSES: dict[str, Callable[..., Tensor]] = {
    key: globals()[function] for key, function in LOSS_FUNCTIONS.items()
}
