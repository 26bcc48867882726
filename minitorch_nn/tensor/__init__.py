"""The numpy Tensor engine, on the same graph walk as the scalar Value.

``from minitorch_nn.tensor import Tensor``; layers are in :mod:`minitorch_nn.tensor.nn`
(imported on demand, since they sit above the engine).
"""

from ..autograd.mode import is_grad_enabled, no_grad, set_grad_enabled
from .functional import (
    cat,
    clip,
    concatenate,
    exp,
    grad,
    gradcheck,
    linear,
    log,
    log_softmax,
    maximum,
    minimum,
    numerical_grad,
    relu,
    sigmoid,
    softmax,
    stack,
    sum_of_squares,
    tanh,
    where,
)
from .memory import empty_cache
from .ops import RULES, TensorOp, unbroadcast
from .tensor import Tensor

__all__ = [
    "RULES",
    "Tensor",
    "TensorOp",
    "cat",
    "clip",
    "empty_cache",
    "concatenate",
    "exp",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "linear",
    "log",
    "log_softmax",
    "maximum",
    "minimum",
    "no_grad",
    "numerical_grad",
    "relu",
    "set_grad_enabled",
    "sigmoid",
    "softmax",
    "stack",
    "sum_of_squares",
    "tanh",
    "unbroadcast",
    "where",
]
