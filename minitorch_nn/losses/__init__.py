"""Losses for both engines behind one set of names: ``mse_loss``, ``hinge_loss``,
``binary_cross_entropy_with_logits``, ``binary_cross_entropy``, ``cross_entropy`` and
``l2_penalty``, each the mean over the batch (PyTorch's default reduction).

Each public function looks at what it is given: Values, numbers or lists of them go to
:mod:`.scalar`; a graph node of another engine (a Tensor, or a list of Tensors) goes to the
function of the same name in :mod:`.tensor`. The tensor losses are imported on the first
Tensor call, so the scalar path never loads the tensor engine. Losses sit below ``train``,
so they tell engines apart by the node they receive; ``train.engines`` maps engine names to
these same functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, TypeVar, cast

from ..autograd.graph import Node
from ..engine import Value
from . import scalar
from .targets import LOSS_FUNCTIONS

LossFn = TypeVar("LossFn", bound=Callable[..., Any])


def _is_other_engine(x: Any) -> bool:
    """True for a graph node that is not a Value, or a non-empty list/tuple starting with one."""
    if isinstance(x, (list, tuple)):
        if not x:
            return False
        x = x[0]
    return isinstance(x, Node) and not isinstance(x, Value)


def _tensor_losses() -> ModuleType:
    # Imported here, not at the top: only a Tensor argument needs the tensor engine.
    from . import tensor

    return tensor


def _public(fn: LossFn) -> LossFn:
    """The public ``fn``: its scalar version, or the tensor one for Tensor arguments."""
    name = fn.__name__
    tensor_fn: Callable[..., Any] | None = None  # looked up on the first Tensor call

    @functools.wraps(fn)
    def loss(first: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal tensor_fn
        if not isinstance(first, (list, tuple, Node)) and isinstance(first, Iterator):
            first = list(first)  # a generator of parameters: look at it once
        if _is_other_engine(first):
            if tensor_fn is None:
                tensor_fn = getattr(_tensor_losses(), name)
            return tensor_fn(first, *args, **kwargs)
        return fn(first, *args, **kwargs)

    return cast(LossFn, loss)


mse_loss = _public(scalar.mse_loss)
hinge_loss = _public(scalar.hinge_loss)
binary_cross_entropy_with_logits = _public(scalar.binary_cross_entropy_with_logits)
binary_cross_entropy = _public(scalar.binary_cross_entropy)
cross_entropy = _public(scalar.cross_entropy)
l2_penalty = _public(scalar.l2_penalty)

LOSSES: dict[str, Callable[..., Any]] = {
    key: globals()[function] for key, function in LOSS_FUNCTIONS.items()
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
