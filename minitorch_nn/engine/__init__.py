"""The scalar autograd engine: Value, its op rules, the graph walk, no_grad, gradcheck."""

from .autodiff import Node
from .functional import dot, grad, vsum
from .gradcheck import gradcheck, numerical_grad
from .mode import is_grad_enabled, no_grad, set_grad_enabled
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
