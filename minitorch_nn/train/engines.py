"""The engine registry: the one list of engines, and everything callers need to know of each.

An :class:`Engine` names, for one engine, the class of its graph nodes, the module holding its
layers (``MLP``, ``Linear``, ``Sequential``), the adapter ``fit`` drives it through and the
function that converts a model of the other engine to it. ``ENGINES`` lists them, the default
first; :func:`get_engine` looks one up by name, :func:`engine_of` finds a model's engine from the
type of its parameters (``isinstance``, never a module name), :func:`adapter_for` gives the
adapter ``fit``, ``predict`` and ``evaluate`` use.

The tensor engine is imported only when it is used (``import minitorch_nn`` and the scalar
path stay free of numpy kernels it loads): its entries are import paths, resolved on demand,
and a model is checked against its node class only when that engine is already imported
(a model made of Tensors cannot exist before).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, cast, runtime_checkable

import numpy as np

from ..engine import Value
from ..losses import LOSSES, l2_penalty
from ..nn.module import set_data


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
        k = len(outputs[0]) if outputs else 0
        data = [[v.data for v in out] for out in outputs]
        return np.array(data, dtype=np.float64).reshape(len(outputs), k)  # (n, k)

    def loss(
        self, loss_fn: Callable[..., Any], outputs: list[list[Value]], targets: np.ndarray
    ) -> Value:
        return loss_fn(outputs, targets)

    def loss_fn(self, name: str) -> Callable[..., Any]:
        return LOSSES[name]

    def l2_penalty(self, params: Sequence[Any]) -> Value:
        return cast(Value, l2_penalty(params))

    def item(self, node: Any) -> float:
        return float(node.data)

    def convert(self, model: Any) -> Any:
        """``model`` itself when its parameters are Values (or it has none), else a scalar copy
        with the same numbers (the registry's conversion, ``tensor.nn.to_scalar``)."""
        return get_engine("scalar").convert(model)


def _resolve(path: str) -> Any:
    """The object at ``"package.module:attribute"``, importing the module."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


@dataclass(frozen=True)
class Engine:
    """One engine: where its pieces live, as import paths resolved when first asked for."""

    name: str
    node: str  # "module:Class" of the engine's graph nodes (its parameters are these)
    layers_module: str  # the module with the engine's MLP, Linear and Sequential
    adapter_class: str  # "module:Class" of its EngineAdapter
    from_other: str  # "module:function" converting a model of the other engine to this one

    def node_class(self) -> type | None:
        """The node class, or None while the engine is not imported (no model can use it)."""
        module, _, attribute = self.node.partition(":")
        loaded = sys.modules.get(module)
        return cast(type, getattr(loaded, attribute)) if loaded is not None else None

    def is_node(self, x: Any) -> bool:
        """True when ``x`` is a graph node of this engine."""
        cls = self.node_class()
        return cls is not None and isinstance(x, cls)

    def layers(self) -> ModuleType:
        """The engine's layer module (imported now if it was not)."""
        return importlib.import_module(self.layers_module)

    @property
    def mlp(self) -> type:
        """The engine's ``MLP(nin, sizes, activation=..., seed=...)`` class."""
        return cast(type, self.layers().MLP)

    def adapter(self) -> EngineAdapter:
        """A new adapter through which ``fit`` trains models of this engine."""
        return cast(EngineAdapter, _resolve(self.adapter_class)())

    def convert(self, model: Any) -> Any:
        """``model`` itself when it has no parameters or runs on this engine, else a copy on
        this engine with the same numbers."""
        params = model.parameters()
        if not params or self.is_node(params[0]):
            return model
        return _resolve(self.from_other)(model)


# The registry, the default engine first. The tensor engine's modules are imported on use only.
ENGINES: dict[str, Engine] = {
    "scalar": Engine(
        name="scalar",
        node="minitorch_nn.engine.value:Value",
        layers_module="minitorch_nn.nn",
        adapter_class="minitorch_nn.train.engines:ScalarAdapter",
        from_other="minitorch_nn.tensor.nn:to_scalar",
    ),
    "tensor": Engine(
        name="tensor",
        node="minitorch_nn.tensor.tensor:Tensor",
        layers_module="minitorch_nn.tensor.nn",
        adapter_class="minitorch_nn.tensor.adapter:TensorAdapter",
        from_other="minitorch_nn.tensor.nn:from_scalar",
    ),
}


def get_engine(name: str) -> Engine:
    """The engine called ``name``; ValueError naming the choices for any other name."""
    if name not in ENGINES:
        raise ValueError(
            f"unknown engine {name!r}; expected one of {', '.join(map(repr, ENGINES))}"
        )
    return ENGINES[name]


def engine_of_node(x: Any) -> str | None:
    """The name of the engine whose node ``x`` is, or None for anything else."""
    return next((e.name for e in ENGINES.values() if e.is_node(x)), None)


def engine_of(model: Any) -> str:
    """The engine ``model`` runs on, from the type of its parameters: "scalar" for Values (or
    no parameters), "tensor" for Tensors; TypeError for anything else."""
    params = model.parameters()
    if not params:
        return "scalar"
    name = engine_of_node(params[0])
    if name is None:
        raise TypeError(
            f"no engine adapter for a model with parameters of type {type(params[0]).__name__}; "
            "pass engine=<an EngineAdapter>"
        )
    return name


def adapter_for(model: Any, engine: str | EngineAdapter | None = None) -> EngineAdapter:
    """The engine adapter for ``model``: ``engine`` may be an adapter instance, an engine
    name from ``ENGINES``, or None to choose from the type of the model's parameters."""
    if engine is not None and not isinstance(engine, str):
        if not isinstance(engine, EngineAdapter):
            raise TypeError(f"engine must be a name or an EngineAdapter, got {engine!r}")
        return engine
    chosen = get_engine(engine_of(model) if engine is None else engine)
    try:
        return chosen.adapter()
    except ImportError as exc:
        raise ValueError(f"engine {chosen.name!r} is not available ({exc})") from exc


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


__all__ = [
    "ENGINES",
    "Engine",
    "EngineAdapter",
    "ScalarAdapter",
    "adapter_for",
    "copy_weights",
    "get_engine",
    "engine_of",
    "engine_of_node",
    "weight_copier",
]
