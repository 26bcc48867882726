"""minitorch_nn: a small, fast, correct neural-network framework on a scalar autograd core.

``Value`` is the scalar engine; ``Tensor`` (the numpy engine in ``minitorch_nn.tensor``) is
imported on first use, so the scalar path never depends on it.
"""

from typing import Any

from . import io, losses, nn, optim  # io.checkpoint installs Module.save / Module.load
from ._version import __version__
from .engine import Value, dot, grad, gradcheck, no_grad, vsum

__all__ = [
    "Tensor",
    "Value",
    "__version__",
    "dot",
    "grad",
    "gradcheck",
    "io",
    "losses",
    "nn",
    "no_grad",
    "optim",
    "vsum",
]


def __getattr__(name: str) -> Any:
    if name == "Tensor":
        from .tensor import Tensor

        return Tensor
    raise AttributeError(f"module 'minitorch_nn' has no attribute {name!r}")
