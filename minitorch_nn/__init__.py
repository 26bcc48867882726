"""minitorch_nn: a small, fast, correct neural-network framework on a scalar autograd core."""

from ._version import __version__
from .engine import Value, dot, grad, gradcheck, no_grad, vsum

__all__ = ["Value", "__version__", "dot", "grad", "gradcheck", "no_grad", "vsum"]
