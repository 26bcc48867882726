"""Grad mode (minitorch_nn.autograd.mode): no_grad records nothing and restores the mode."""

from __future__ import annotations

import pytest

from minitorch_nn import Value, no_grad
from minitorch_nn.engine import is_grad_enabled


def test_no_grad_records_nothing_and_restores_mode():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x + 1.0
    assert is_grad_enabled()
    assert y.data == 5.0 and y._parents == ()
    y.backward()
    assert x.grad == 0.0

    @no_grad()
    def f(v):
        return v.exp()

    assert f(x)._parents == () and is_grad_enabled()


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()
