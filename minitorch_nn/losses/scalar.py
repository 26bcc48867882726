"""Losses on the scalar engine. Each takes a batch and returns one Value: the mean over
samples (PyTorch's default reduction), computed as ``vsum(terms) * (1/n)`` like micrograd.

Predictions for the binary and regression losses: one Value per sample, or a 1-element list
of Values per sample (what ``MLP`` returns). Targets: a sequence or numpy array of numbers.

Every loss also accepts Tensor predictions (a batch (n,) / (n, 1), or (n, k) class scores)
and then returns a one-element Tensor: the call goes to the function of the same name in
:mod:`minitorch_nn.tensor.losses`, imported only then, so the scalar path never loads it.
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from .engine import Value, vsum
from .engine.functional import sumsq

if TYPE_CHECKING:
    from .tensor import Tensor

LossFn = TypeVar("LossFn", bound=Callable[..., Any])
_TENSOR_MODULE = "minitorch_nn.tensor.tensor"


def _holds_tensors(x: Any) -> bool:
    """True for a Tensor or a non-empty list/tuple starting with one. Tensors exist only once
    the tensor engine was imported, so on the scalar path this is one dict lookup."""
    module = sys.modules.get(_TENSOR_MODULE)
    if module is None:
        return False
    if isinstance(x, (list, tuple)) and x:
        x = x[0]
    return isinstance(x, module.Tensor)


def _dispatch(fn: LossFn) -> LossFn:
    """Send calls whose first argument holds Tensors to ``minitorch_nn.tensor.losses`` (the
    function of the same name); everything else runs ``fn`` on the scalar engine."""
    name = fn.__name__
    tensor_fn: Callable[..., Any] | None = None  # looked up on the first Tensor call

    @functools.wraps(fn)
    def loss(first: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal tensor_fn
        if not isinstance(first, (list, tuple)) and isinstance(first, Iterator):
            first = list(first)  # a generator of parameters: look at it once
        if _holds_tensors(first):
            if tensor_fn is None:
                from .tensor import losses as tensor_losses

                tensor_fn = getattr(tensor_losses, name)
            return tensor_fn(first, *args, **kwargs)
        return fn(first, *args, **kwargs)

    return cast(LossFn, loss)


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


@_dispatch
def mse_loss(preds: Sequence[Any] | Tensor, targets: Any) -> Value | Tensor:
    """mean((p - t)^2)."""
    values, ts = _batch(preds, targets, "mse_loss")
    terms = []
    for p, t in zip(values, ts):
        d = p - t
        terms.append(d * d)
    return _mean(terms)


_PLUS_MINUS_ONE = frozenset((-1.0, 1.0))


@_dispatch
def hinge_loss(scores: Sequence[Any] | Tensor, targets: Any) -> Value | Tensor:
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


@_dispatch
def binary_cross_entropy_with_logits(
    logits: Sequence[Any] | Tensor, targets: Any
) -> Value | Tensor:
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


@_dispatch
def binary_cross_entropy(probs: Sequence[Any] | Tensor, targets: Any) -> Value | Tensor:
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


def _is_class_index(target: Any, k: int) -> bool:
    """True for a number (not a bool) that is a whole number in [0, k)."""
    if isinstance(target, bool) or not isinstance(target, (int, float)):
        return False
    return float(target).is_integer() and 0 <= target < k


@_dispatch
def cross_entropy(logits: Sequence[Sequence[Any]] | Tensor, targets: Any) -> Value | Tensor:
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
        if not _is_class_index(target, k):
            raise ValueError(
                f"{name}: target {i} is {target!r}, expected a class index in [0, {k - 1}]"
            )
        m = max(v.data for v in z)
        if not math.isfinite(m):
            m = 0.0
        lse = vsum([(v - m).exp() for v in z]).log() + m
        terms.append(lse - z[int(target)])
    return _mean(terms)


@_dispatch
def l2_penalty(params: Iterable[Any]) -> Value | Tensor:
    """sum(p^2) over parameters (multiply by alpha yourself: ``1e-4 * l2_penalty(ps)``), as
    one ``sumsq`` node: p_1^2 + ... + p_n^2 added left to right; d/dp_i = 2 p_i."""
    return sumsq(params)


LOSSES: dict[str, Callable[..., Value | Tensor]] = {
    "mse": mse_loss,
    "hinge": hinge_loss,
    "bce": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy,
}

__all__ = [
    "LOSSES",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "l2_penalty",
    "mse_loss",
]
