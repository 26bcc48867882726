"""``Module``: finds its parameters by walking its attributes, so no subclass lists them.

A parameter is any engine node (:class:`minitorch_nn.engine.Node`) whose ``requires_grad``
is true, stored on a Module directly or inside lists, tuples and dicts (nested freely).
The walk is iterative and visits attributes in insertion order, so ``parameters()`` is
deterministic: for a layer built as ``self.w = [...]; self.b = ...`` the weights come before
the bias. Nothing here knows about a particular engine: a parameter's ``.data`` is a float
(scalar ``Value``) or a numpy array (``Tensor``), and both are handled alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat
from typing import Any, TypeVar

import numpy as np

from ..engine import Node

M = TypeVar("M", bound="Module")

# Models that ``build_model`` can rebuild from ``config()``: type name -> class.
_MODEL_TYPES: dict[str, type[Module]] = {}

# What ``Module.save`` / ``Module.load`` call: ``minitorch_nn.io.checkpoint`` sits above nn, so
# never imports it; it installs its functions here when imported (the package imports it).
_CHECKPOINT_IO: dict[str, Any] = {}


def set_checkpoint_io(save_model: Any, load_model: Any) -> None:
    """Install the functions ``Module.save`` and ``Module.load`` delegate to."""
    _CHECKPOINT_IO.update(save_model=save_model, load_model=load_model)


def _checkpoint_io(name: str) -> Any:
    if name not in _CHECKPOINT_IO:
        raise RuntimeError(f"Module.save/load need minitorch_nn.io.checkpoint; import it ({name})")
    return _CHECKPOINT_IO[name]


def register_model(cls: type[M]) -> type[M]:
    """Class decorator: let ``build_model({"type": name, ...})`` rebuild ``cls``, where name is
    the class's own ``config_type`` if it sets one (two engines' ``MLP`` classes share a class
    name), else its class name."""
    _MODEL_TYPES[cls.__dict__.get("config_type", cls.__name__)] = cls
    return cls


def build_model(config: dict[str, Any]) -> Module:
    """The Module described by ``config`` (as returned by ``Module.config()``), fresh weights."""
    if not isinstance(config, dict) or "type" not in config:
        raise ValueError(f"build_model: expected a dict with a 'type' key, got {config!r}")
    name = config["type"]
    cls = _MODEL_TYPES.get(name)
    if cls is None:
        known = ", ".join(sorted(_MODEL_TYPES))
        raise ValueError(f"build_model: unknown model type {name!r}; known types: {known}")
    kwargs = {k: v for k, v in config.items() if k != "type"}
    return cls.from_config(kwargs)


def _is_parameter(obj: Any) -> bool:
    return isinstance(obj, Node) and bool(getattr(obj, "requires_grad", False))


def _entries(obj: Any, named: bool) -> list[tuple[str, Any]]:
    """The items to walk inside a Module, list, tuple or dict (anything else: none), each
    with its key as a string when ``named`` (else ``""``: building names is most of a walk)."""
    if isinstance(obj, Module):
        items = vars(obj).items()
        return [(k if named else "", v) for k, v in items if k != "training"]
    if isinstance(obj, dict):
        return [(str(k) if named else "", v) for k, v in obj.items()]
    if isinstance(obj, (list, tuple)):
        if named:
            return [(str(i), v) for i, v in enumerate(obj)]
        return list(zip(repeat(""), obj))
    return []


def _walk(root: Module, into_modules: bool = True, named: bool = True) -> Iterator[tuple[str, Any]]:
    """(dotted name, object) for every Module and parameter under ``root``, depth first in
    attribute order; each object once (a shared weight keeps its first name).

    With ``into_modules=False`` the walk stops at sub-Modules (they are yielded, not entered);
    with ``named=False`` every name is ``""``.
    """
    seen: set[int] = {id(root)}
    stack: list[tuple[str, Any]] = _entries(root, named)[::-1]
    while stack:
        name, obj = stack.pop()
        if _is_parameter(obj) or isinstance(obj, Module):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            yield name, obj
            if not isinstance(obj, Module) or not into_modules:
                continue
        elif not isinstance(obj, (list, tuple, dict)):
            continue
        entries = _entries(obj, named)[::-1]
        if named:
            stack.extend((f"{name}.{key}", child) for key, child in entries)
        else:
            stack += entries


def set_data(p: Any, value: Any) -> None:
    """Give parameter ``p`` the numbers ``value``. An array parameter is written in place when
    it can take them (writeable, same shape), as torch's ``load_state_dict`` copies into a
    parameter: it keeps its array, and so its place in a flattened model's buffer; otherwise it
    gets a copy in its dtype. A float parameter (a Value's) is rebound."""
    data = p.data
    if not isinstance(data, np.ndarray):
        p.data = value
    elif data.flags.writeable and data.shape == np.shape(value):
        data[...] = value
    else:
        p.data = np.array(value, dtype=data.dtype)


def _export(data: Any) -> float | np.ndarray:
    """A parameter's data for a state_dict: a float, or a copy of an array."""
    if isinstance(data, np.ndarray):
        return data.copy()
    return float(data)


class Module:
    """Base class of every model and layer: parameters, modes, state_dict, config.

    Subclasses store parameters and sub-Modules as attributes (or in lists, tuples, dicts
    of them) and implement ``forward``; ``model(x)`` calls ``forward(x)``.
    """

    training: bool = True

    # ------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ parameters
    def named_parameters(self) -> list[tuple[str, Any]]:
        """(dotted name, parameter) pairs, e.g. ``layers.1.neurons.3.w.0``; each param once."""
        return [(name, obj) for name, obj in _walk(self) if not isinstance(obj, Module)]

    def parameters(self) -> list[Any]:
        """Every parameter once, in attribute order (for a Neuron: weights, then bias)."""
        return [p for _, p in _walk(self, named=False) if not isinstance(p, Module)]

    def num_parameters(self) -> int:
        """The number of scalars in all parameters (an array parameter counts its size)."""
        return int(sum(np.size(p.data) for p in self.parameters()))

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to zero (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad = p._zero_like()

    # ------------------------------------------------------------ sub-modules
    def named_modules(self) -> list[tuple[str, Module]]:
        """(dotted name, Module) for this module (name ``""``) and every module under it."""
        found: list[tuple[str, Module]] = [("", self)]
        found += [(name, obj) for name, obj in _walk(self) if isinstance(obj, Module)]
        return found

    def modules(self) -> list[Module]:
        """This module and every module under it, depth first."""
        return [m for _, m in self.named_modules()]

    def named_children(self) -> list[tuple[str, Module]]:
        """(name, Module) for the direct sub-modules (not their descendants)."""
        walk = _walk(self, into_modules=False)
        return [(name, obj) for name, obj in walk if isinstance(obj, Module)]

    def children(self) -> list[Module]:
        """The direct sub-modules."""
        return [m for _, m in self.named_children()]

    # ------------------------------------------------------------ modes
    def train(self: M, mode: bool = True) -> M:
        """Set ``.training`` on this module and all sub-modules; returns self."""
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self: M) -> M:
        """``train(False)``: evaluation mode. Returns self."""
        return self.train(False)

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, float | np.ndarray]:
        """name -> a copy of the parameter's data (a float, or an array for array params)."""
        return {name: _export(p.data) for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy ``state`` into the parameters. All or nothing: every entry is checked first.

        An array parameter is written in place (it keeps its array, and so stays in the
        buffer of a flattened model); the state's arrays are copied, never shared.

        Raises KeyError naming missing and unexpected entries, ValueError naming each entry
        whose shape differs from its parameter's (with both shapes) or that is not numeric.
        """
        named = self.named_parameters()
        names = [name for name, _ in named]
        missing = [n for n in names if n not in state]
        unexpected = [k for k in state if k not in set(names)]
        if missing or unexpected:
            raise KeyError(
                f"load_state_dict for {type(self).__name__}: missing entries {missing}, "
                f"unexpected entries {unexpected}"
            )
        problems = []
        new_values: list[Any] = []
        for name, p in named:
            value = state[name]
            expected, given = np.shape(p.data), np.shape(value)
            if given != expected:
                problems.append(f"{name!r} has shape {given}, expected {expected}")
                continue
            try:
                array = np.array(value, dtype=np.float64)
            except (TypeError, ValueError):
                problems.append(f"{name!r} is not numeric: {value!r}")
                continue
            if isinstance(p.data, np.ndarray):
                new_values.append(array.astype(p.data.dtype, copy=True))
            else:
                new_values.append(float(array))
        if problems:
            raise ValueError(f"load_state_dict for {type(self).__name__}: " + "; ".join(problems))
        for (_, p), value in zip(named, new_values):
            set_data(p, value)

    # ------------------------------------------------------------ config and files
    def config(self) -> dict[str, Any]:
        """JSON-able constructor arguments with a "type" key, for ``build_model``."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement config(); "
            "override it (and decorate the class with @register_model) to rebuild it"
        )

    @classmethod
    def from_config(cls: type[M], kwargs: dict[str, Any]) -> M:
        """A new instance from ``config()`` minus its "type" key."""
        return cls(**kwargs)

    def save(self, path: Any) -> Any:
        """Write this model to ``path`` (``minitorch_nn.io.save_model``); returns
        what save_model returns (the path written)."""
        return _checkpoint_io("save_model")(self, path)

    @classmethod
    def load(cls: type[M], path: Any) -> M:
        """Read a model written by ``save`` (``minitorch_nn.io.load_model``)."""
        model = _checkpoint_io("load_model")(path)
        if not isinstance(model, cls):
            raise TypeError(f"{path}: holds a {type(model).__name__}, expected a {cls.__name__}")
        return model

    # ------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """What goes between the parentheses of ``repr`` when there are no children."""
        return ""

    def __repr__(self) -> str:
        children = self.named_children()
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)
