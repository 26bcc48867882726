"""The autograd core both engines share: the op rules, the graph walk and backward loop, grad
mode. It knows no engine: ``Value`` and ``Tensor`` implement its node protocol."""

from .graph import Node, Zeros, backward, grad, next_seq, toposort
from .mode import is_grad_enabled, no_grad, set_grad_enabled
from .rules import ARRAY_MATH, FLOAT_MATH, OPS, Op, register, unregister

__all__ = [
    "ARRAY_MATH",
    "FLOAT_MATH",
    "OPS",
    "Node",
    "Op",
    "Zeros",
    "backward",
    "grad",
    "is_grad_enabled",
    "next_seq",
    "no_grad",
    "register",
    "set_grad_enabled",
    "toposort",
    "unregister",
]
