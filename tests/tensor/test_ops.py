"""The Tensor's own rules (minitorch_nn.tensor.ops): edge values as torch gives them, and the
fused hinge loss against the unfused ops."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from minitorch_nn.tensor import Tensor, grad
from minitorch_nn.tensor.ops import RULES
from minitorch_nn.tensor.tensor import apply

EDGE = {
    # name -> (function, input, torch's value, torch's gradient)
    "log0": (lambda a: a.log(), [0.0, -1.0], [-np.inf, np.nan], [np.inf, -1.0]),
    "div0": (lambda a: 1.0 / a, [0.0, -0.0], [np.inf, -np.inf], [-np.inf, -np.inf]),
    "sqrt_neg": (lambda a: a.sqrt(), [-1.0, 0.0], [np.nan, 0.0], [np.nan, np.inf]),
    "exp_big": (lambda a: a.exp(), [1000.0, -1000.0], [np.inf, 0.0], [np.inf, 0.0]),
    "sigmoid_big": (lambda a: a.sigmoid(), [1000.0, -1000.0], [1.0, 0.0], [0.0, 0.0]),
    "tanh_big": (lambda a: a.tanh(), [1000.0, -1000.0], [1.0, -1.0], [0.0, 0.0]),
    "relu_at_0": (lambda a: a.relu(), [0.0, np.nan], [0.0, np.nan], [0.0, 1.0]),
    "abs_at_0": (lambda a: a.abs(), [0.0, -2.0], [0.0, 2.0], [0.0, -1.0]),
    "pow_0_neg": (lambda a: a**-1.0, [0.0, 2.0], [np.inf, 0.5], [-np.inf, -0.25]),
    "log_softmax_big": (
        lambda a: a.log_softmax(0),
        [1000.0, 0.0],
        [0.0, -1000.0],
        [1.0, 1.0],
    ),
}


@pytest.mark.parametrize("name", sorted(EDGE))
def test_edge_values_follow_torch_without_warnings(name: str) -> None:
    fn, x, value, gradient = EDGE[name]
    a = Tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(a)
        out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(out.data, value)
    if name == "log_softmax_big":  # d/dx sum(log_softmax) with seed 1: 1 - 2 softmax
        gradient = [-1.0, 1.0]
    np.testing.assert_array_equal(a.grad, gradient)


@pytest.mark.parametrize("name", sorted(EDGE))
def test_edge_values_match_torch(name: str, torch) -> None:  # noqa: ANN001
    fn, x, _, _ = EDGE[name]
    a, ta = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = fn(a), fn(ta)
    out.backward(np.ones(out.shape))
    ref.backward(torch.ones_like(ref))
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())


def test_ties_share_the_gradient_like_torch(torch) -> None:  # noqa: ANN001
    data = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]
    for ours, theirs in (
        (lambda a: a.max(), lambda a: a.amax()),
        (lambda a: a.max(1), lambda a: a.amax(1)),
        (lambda a: a.maximum(Tensor(2.0)), lambda a: a.maximum(torch.tensor(2.0))),
        (lambda a: a.clip(0.0, 2.0), lambda a: a.clamp(0.0, 2.0)),
    ):
        a, ta = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        ours(a).sum().backward()
        theirs(ta).sum().backward()
        np.testing.assert_array_equal(a.grad, ta.grad.numpy())


def test_hinge_keeps_its_terms_for_the_vjp() -> None:
    """hinge_loss saves the per-sample terms in the forward; the VJP from them is the one the
    op computes without them, nan and exact-zero margins included."""
    rng = np.random.default_rng(13)
    scores = rng.normal(size=(30, 1))
    scores[:3, 0] = [1.0, -1.0, np.nan]
    t = np.where(rng.normal(size=30) > 0, 1.0, -1.0)
    t[:2] = [1.0, 1.0]
    kept, fresh = Tensor(scores, requires_grad=True), Tensor(scores, requires_grad=True)
    saved: list[np.ndarray] = []
    apply(RULES["hinge"], (kept, t), saved).backward()
    apply(RULES["hinge"], (fresh, t)).backward()
    assert len(saved) == 1 and saved[0].shape == (30,)
    assert np.array_equal(kept.grad, fresh.grad, equal_nan=True)


def test_hinge_op_gives_the_unfused_ops_numbers_bit_for_bit() -> None:
    rng = np.random.default_rng(6)
    scores = rng.normal(size=(40, 1))
    scores[:3, 0] = [1.0, -1.0, np.nan]  # margins of exactly 0 and a nan
    t = np.where(rng.normal(size=40) > 0, 1.0, -1.0)
    t[:2] = [1.0, 1.0]
    fused_s, plain_s = Tensor(scores, requires_grad=True), Tensor(scores, requires_grad=True)
    fused = apply(RULES["hinge"], (fused_s, t))
    plain = (1.0 - t * plain_s.reshape(40)).relu().sum() * (1.0 / 40)
    assert np.array_equal(fused.data, plain.data, equal_nan=True)
    fused.backward()
    plain.backward()
    assert np.array_equal(fused_s.grad, plain_s.grad, equal_nan=True)


def test_hinge_second_derivative_through_create_graph() -> None:
    """d/dt of d(hinge)/ds is -1/n where the margin is positive: the VJP is differentiable."""
    s = Tensor([[0.2], [3.0], [-0.5]], requires_grad=True)
    t = Tensor([1.0, 1.0, -1.0], requires_grad=True)
    (ds,) = grad(apply(RULES["hinge"], (s, t)), [s], create_graph=True)
    (dt,) = grad(ds.sum(), [t])
    np.testing.assert_allclose(dt, [-1 / 3, 0.0, -1 / 3], rtol=1e-15)


def test_hinge_vjp_near_the_margin_matches_the_unfused_ops() -> None:
    """The fused VJP tests t s >= 1 instead of 1 - t s <= 0: the same decision at every float
    near 1, at infinities and at nan."""
    below, above = np.nextafter(1.0, 0.0), np.nextafter(1.0, 2.0)
    column = [1.0, below, above, 0.5, 2.0, np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-300]
    scores = np.array(column + [-v for v in column])[:, None]
    t = np.ones(len(scores))
    t[1::3] = -1.0
    fused_s, plain_s = Tensor(scores, requires_grad=True), Tensor(scores, requires_grad=True)
    apply(RULES["hinge"], (fused_s, t)).backward()
    ((1.0 - t * plain_s.reshape(len(t))).relu().sum() * (1.0 / len(t))).backward()
    assert fused_s.grad is not None and plain_s.grad is not None
    assert np.array_equal(fused_s.grad, plain_s.grad, equal_nan=True)
    assert np.array_equal(np.signbit(fused_s.grad), np.signbit(plain_s.grad))
