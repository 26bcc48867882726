"""Moved to :mod:`minitorch_nn.autograd.mode`; this name stays until every import moves."""

from ..autograd.mode import _mode, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["_mode", "is_grad_enabled", "no_grad", "set_grad_enabled"]
