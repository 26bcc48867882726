"""The playground's engines by name: the one place it chooses between scalar and tensor.

Everything the playground does differently per engine is one field of :class:`Engine`: the
model class it builds, the model as the tensor engine sees it (the pictures are drawn by the
tensor engine), a scalar copy (a neuron's graph is drawn by the scalar engine), the L1 penalty
sum_i |p_i| and the same sum as the exported script writes it. :func:`engine` looks a name up.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import vsum
from ..train.engines import get_engine


@dataclass(frozen=True)
class Engine:
    """What the playground needs of one engine."""

    name: str
    mlp: Callable[..., Any]  # MLP(nin, sizes, activation=..., seed=...)
    module: str  # where the exported script imports MLP from
    to_tensor: Callable[[Any], Any]  # the model on the tensor engine (itself or a copy)
    scalar_copy: Callable[[Any], Any]  # a scalar copy: its backward() leaves the model alone
    l1_penalty: Callable[[Sequence[Any]], Any]  # sum_i |p_i| over every entry, as a node
    l1_source: str  # the same sum in the exported script, over ``params``


def _l1_scalar(params: Sequence[Any]) -> Any:
    return vsum(abs(p) for p in params)


def _l1_tensor(params: Sequence[Any]) -> Any:
    total: Any = None
    for p in params:
        term = abs(p).sum()
        total = term if total is None else total + term
    return total


# The playground's share of each engine; the classes and conversions come from the registry.
_TENSOR, _SCALAR = get_engine("tensor"), get_engine("scalar")
_ENGINES = {
    "tensor": Engine(
        name="tensor",
        mlp=_TENSOR.mlp,
        module=_TENSOR.layers_module,
        to_tensor=_TENSOR.convert,
        scalar_copy=_SCALAR.convert,
        l1_penalty=_l1_tensor,
        l1_source="sum(abs(p).sum() for p in params)",
    ),
    "scalar": Engine(
        name="scalar",
        mlp=_SCALAR.mlp,
        module=_SCALAR.layers_module,
        to_tensor=_TENSOR.convert,
        scalar_copy=copy.deepcopy,
        l1_penalty=_l1_scalar,
        l1_source="sum(abs(p) for p in params)",
    ),
}
ENGINES = tuple(_ENGINES)  # the names a setting may give, the default first


def engine(name: str) -> Engine:
    """The engine called ``name``; ValueError naming the choices for any other name."""
    get_engine(name)  # ValueError for a name the engine registry does not know
    if name not in _ENGINES:
        raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
    return _ENGINES[name]
