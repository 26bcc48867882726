"""Losses on the scalar engine. Each takes a batch and returns one Value: the mean over
samples (PyTorch's default reduction), computed as ``vsum(terms) * (1/n)`` like micrograd.

Predictions for the binary and regression losses: one Value per sample, or a 1-element list
of Values per sample. Targets: a sequence or numpy array of numbers. Call them through
:mod:`minitorch_nn.losses`, which sends Tensor predictions to :mod:`.tensor` instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import numpy as np

from ..engine import Value, vsum
from ..engine.functional import sumsq
from .targets import LOSS_FUNCTIONS, is_class_index


def _scalar(pred: Any, i: int, name: str) -> Value:
    """Sample ``i``'s prediction as one Value (unwrapping a 1-element list)."""
    if isinstance(pred, (list, tuple)):
        if len(pred) != 1:
            raise ValueError(
                f"{name}: prediction {i} has {len(pred)} outputs, expected 1 "
                "(use cross_entropy for several class scores)"
            )
        pred = pred[0]
    if isinstance(pred, Value):
        return pred
    if isinstance(pred, (int, float, np.number)) and not isinstance(pred, bool):
        return Value(pred)
    raise TypeError(f"{name}: prediction {i} must be a Value or number, got {type(pred).__name__}")


def _unwrapped(preds: list[Any]) -> list[Value] | None:
    """The common batch, one Value or a 1-element list of one Value per sample, unwrapped in
    one pass; None for anything else (the per-sample path then checks and converts)."""
    n = len(preds)
    types = list(map(type, preds))
    if types.count(Value) == n:
        return preds
    if types.count(list) == n:
        try:
            values = [p for (p,) in preds]
        except ValueError:  # some sample has several outputs (or none)
            return None
        if list(map(type, values)).count(Value) == n:
            return values
    return None


def _batch(preds: Any, targets: Any, name: str) -> tuple[list[Value], list[float]]:
    """Predictions as Values and targets as floats, after checking the batch."""
    preds = list(preds)
    target_array = np.asarray(targets, dtype=np.float64).reshape(-1)
    if len(preds) == 0:
        raise ValueError(f"{name}: empty batch (0 predictions)")
    if len(preds) != len(target_array):
        raise ValueError(
            f"{name}: {len(preds)} predictions but {len(target_array)} targets; expected equal"
        )
    values = _unwrapped(preds)
    if values is None:
        values = [_scalar(p, i, name) for i, p in enumerate(preds)]
    return values, target_array.tolist()


def _mean(terms: list[Value]) -> Value:
    """(t_1 + ... + t_n) * (1/n), the evaluation order of micrograd's demo."""
    return vsum(terms) * (1.0 / len(terms))


def _check_targets(
    targets: list[float], allowed: Callable[[float], bool], what: str, name: str
) -> None:
    for i, t in enumerate(targets):
        if not allowed(t):
            raise ValueError(f"{name}: target {i} is {t!r}, expected {what}")


def mse_loss(preds: Sequence[Any], targets: Any) -> Value:
    """mean((p - t)^2)."""
    values, ts = _batch(preds, targets, "mse_loss")
    terms = []
    for p, t in zip(values, ts):
        d = p - t
        terms.append(d * d)
    return _mean(terms)


_PLUS_MINUS_ONE = frozenset((-1.0, 1.0))


def hinge_loss(scores: Sequence[Any], targets: Any) -> Value:
    """mean(relu(1 - t * s)) with t in {-1, +1}: micrograd's max-margin loss."""
    values, ts = _batch(scores, targets, "hinge_loss")
    if not set(ts) <= _PLUS_MINUS_ONE:  # one C-level pass; the loop below names the culprit
        _check_targets(ts, lambda t: t in (-1.0, 1.0), "-1 or +1", "hinge_loss")
    return _mean([(1.0 - t * s).relu() for s, t in zip(values, ts)])


def _softplus(x: Value) -> Value:
    """log(1 + e^x), as x + log(1 + e^-x) for x >= 0: finite for any x, and
    d/dx = sigmoid(x) everywhere (0.5 at x = 0, where relu/abs forms give 0)."""
    if x.data >= 0:
        return x + ((-x).exp() + 1.0).log()
    return (x.exp() + 1.0).log()


def binary_cross_entropy_with_logits(
    logits: Sequence[Any], targets: Any
) -> Value:
    """mean(-t log sigmoid(x) - (1 - t) log(1 - sigmoid(x))), t in [0, 1].

    Evaluated stably as softplus(x) - x t, so huge logits stay finite; d/dx = sigmoid(x) - t.
    """
    name = "binary_cross_entropy_with_logits"
    values, ts = _batch(logits, targets, name)
    _check_targets(ts, lambda t: 0.0 <= t <= 1.0, "a number in [0, 1]", name)
    return _mean([_softplus(x) - x * t for x, t in zip(values, ts)])


def _clamped_log(p: Value) -> Value:
    """log(p), clamped at -100 as PyTorch's binary_cross_entropy does (no gradient there)."""
    out = p.log()
    return out if out.data >= -100.0 else Value(-100.0)


def binary_cross_entropy(probs: Sequence[Any], targets: Any) -> Value:
    """mean(-t log p - (1 - t) log(1 - p)), p in [0, 1], t in [0, 1]; logs clamped at -100."""
    name = "binary_cross_entropy"
    values, ts = _batch(probs, targets, name)
    _check_targets(ts, lambda t: 0.0 <= t <= 1.0, "a number in [0, 1]", name)
    terms = []
    for i, (p, t) in enumerate(zip(values, ts)):
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(f"{name}: probability {i} is {p.data!r}, expected a number in [0, 1]")
        term: Any = 0.0
        if t != 0.0:
            term = term - t * _clamped_log(p)
        if t != 1.0:
            term = term - (1.0 - t) * _clamped_log(1.0 - p)
        terms.append(term if isinstance(term, Value) else Value(term))
    return _mean(terms)


def cross_entropy(logits: Sequence[Sequence[Any]], targets: Any) -> Value:
    """mean(logsumexp(z) - z[target]) over samples, z = one list of class scores per sample.

    logsumexp(z) = m + log(sum_j e^(z_j - m)) with m = max(z): finite for logits of +-1000.
    """
    name = "cross_entropy"
    rows = list(cast(Sequence[Sequence[Any]], logits))
    target_array = np.asarray(targets).reshape(-1)
    if len(rows) == 0:
        raise ValueError(f"{name}: empty batch (0 predictions)")
    if len(rows) != len(target_array):
        raise ValueError(
            f"{name}: {len(rows)} predictions but {len(target_array)} targets; expected equal"
        )
    terms = []
    for i, (row, target) in enumerate(zip(rows, target_array.tolist())):
        if not isinstance(row, (list, tuple)) or len(row) == 0:
            raise ValueError(f"{name}: prediction {i} must be a non-empty list of class scores")
        z = [v if isinstance(v, Value) else Value(v) for v in row]
        k = len(z)
        if not is_class_index(target, k):
            raise ValueError(
                f"{name}: target {i} is {target!r}, expected a class index in [0, {k - 1}]"
            )
        m = max(v.data for v in z)
        if not math.isfinite(m):
            m = 0.0
        lse = vsum([(v - m).exp() for v in z]).log() + m
        terms.append(lse - z[int(target)])
    return _mean(terms)


def l2_penalty(params: Iterable[Any]) -> Value:
    """sum(p^2) over parameters (multiply by alpha yourself: ``1e-4 * l2_penalty(ps)``), as
    one ``sumsq`` node: p_1^2 + ... + p_n^2 added left to right; d/dp_i = 2 p_i."""
    return sumsq(params)


# The names fit and the CLI use, as in minitorch_nn.losses.
LOSSES: dict[str, Callable[..., Value]] = {
    key: globals()[function] for key, function in LOSS_FUNCTIONS.items()
}
