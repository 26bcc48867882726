"""The Tensor engine's :class:`minitorch_nn.train.EngineAdapter`: whole batches at once.

``fit``, ``evaluate`` and ``predict`` reach the tensor engine only through this class, which
:func:`minitorch_nn.train.adapter_for` imports lazily for ``engine="tensor"`` or for a model
whose parameters are Tensors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..losses import tensor as tensor_losses
from .tensor import Tensor


class TensorAdapter:
    """One forward pass per batch: ``model(X)`` maps a Tensor (n, nin) to a Tensor (n, k)."""

    name = "tensor"

    def forward(self, model: Any, X: np.ndarray) -> Tensor:
        out = model(Tensor(X))
        if not isinstance(out, Tensor):
            raise TypeError(
                f"engine 'tensor': the model returned {type(out).__name__}, expected a Tensor "
                "(n, n_outputs); is it a tensor model (minitorch_nn.tensor.nn)?"
            )
        return out  # (n, k)

    def scores(self, outputs: Tensor) -> np.ndarray:
        data = np.asarray(outputs.data, dtype=np.float64)
        return data.reshape(data.shape[0] if data.ndim else 1, -1)  # (n, k)

    def loss(self, loss_fn: Callable[..., Any], outputs: Tensor, targets: np.ndarray) -> Tensor:
        out: Tensor = loss_fn(outputs, targets)
        return out

    def loss_fn(self, name: str) -> Callable[..., Tensor]:
        return tensor_losses.LOSSES[name]

    def l2_penalty(self, params: Sequence[Any]) -> Tensor:
        return tensor_losses.l2_penalty(params)

    def item(self, node: Any) -> float:
        return float(node.item()) if isinstance(node, Tensor) else float(node)

    def convert(self, model: Any) -> Any:
        """``model`` itself when its parameters are Tensors (or it has none), else a tensor copy
        with the same numbers (:func:`minitorch_nn.tensor.nn.from_scalar`)."""
        from .nn import from_scalar  # layers sit above the engine: imported on use

        params = model.parameters()
        return model if not params or isinstance(params[0], Tensor) else from_scalar(model)


__all__ = ["TensorAdapter"]
