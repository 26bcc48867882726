"""The scalar engine: Value, its n-ary ops (vsum, dot), grad and gradcheck on floats.

The op rules, the graph walk and grad mode are :mod:`minitorch_nn.autograd`'s, shared with the
Tensor engine; they are re-exported here under their old names.
"""

from ..autograd.graph import Node
from ..autograd.mode import is_grad_enabled, no_grad, set_grad_enabled
from .functional import dot, grad, vsum
from .gradcheck import gradcheck, numerical_grad
from .ops import RULES, OpRule
from .value import Value

__all__ = [
    "RULES",
    "Node",
    "OpRule",
    "Value",
    "dot",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "numerical_grad",
    "set_grad_enabled",
    "vsum",
]
