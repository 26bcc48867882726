"""The Tensor's own ops against torch: dtypes of gradients, warnings, an axis on a 0-d tensor,
min, permute and torch's transpose(dim0, dim1) (minitorch_nn.tensor.shape_ops)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from minitorch_nn.tensor import Tensor, grad, gradcheck

# ------------------------------------------------------------------ dtype, warning, shape: torch's
FLOAT32_OPS = {  # name -> (ours, torch's)
    "max": (lambda a: a.max(), lambda t: t.max()),
    "max_axis": (lambda a: a.max(0), lambda t: t.amax(0)),
    "min": (lambda a: a.min(), lambda t: t.min()),
    "min_axis": (lambda a: a.min(1, keepdims=True), lambda t: t.amin(1, keepdim=True)),
    "rpow": (lambda a: 2.0**a, lambda t: 2.0**t),
    "pow_tensor": (lambda a: a.abs() ** a, lambda t: t.abs() ** t),
    # a float64 constant promotes the forward; the float32 input still gets a float32 gradient
    "float64_constant": (
        lambda a: a * np.full((2, 3), 1.5),
        lambda t: t * t.double().new_full((2, 3), 1.5),
    ),
    "softmax": (lambda a: a.softmax(1), lambda t: t.softmax(1)),
    "log": (lambda a: (a * a + 1.0).log(), lambda t: (t * t + 1.0).log()),
    "relu_div": (lambda a: a.relu() / 3.0, lambda t: t.relu() / 3.0),
}


@pytest.mark.parametrize("name", sorted(FLOAT32_OPS))
def test_float32_inputs_get_float32_gradients_like_torch(name: str, torch) -> None:  # noqa: ANN001
    fn, torch_fn = FLOAT32_OPS[name]
    data = np.array([[0.5, -1.0, 2.0], [2.0, 0.25, -3.0]], dtype=np.float32)
    a = Tensor(data, dtype=np.float32, requires_grad=True)
    ta = torch.tensor(data, requires_grad=True)
    out, ref = fn(a), torch_fn(ta)
    assert out.dtype == ref.detach().numpy().dtype
    (g,) = grad(out.sum(), [a])
    out.sum().backward()
    ref.sum().backward()
    assert g.dtype == a.grad.dtype == ta.grad.numpy().dtype == np.float32
    np.testing.assert_allclose(g, ta.grad.numpy(), rtol=1e-6)


def test_sum_and_mean_over_mixed_infinities_are_nan_without_a_warning(torch) -> None:  # noqa: ANN001
    x = [np.inf, -np.inf, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        total, mean = Tensor(x).sum(), Tensor([x, x]).mean(1)
    assert np.isnan(total.item()) and np.isnan(torch.tensor(x).sum().item())
    assert np.isnan(mean.data).all()


ZERO_D = {
    "sum0": lambda a: a.sum(0),
    "sum_neg": lambda a: a.sum(-1),
    "sum_keep": lambda a: a.sum(0, keepdims=True) if isinstance(a, Tensor) else a.sum(0, True),
    "mean0": lambda a: a.mean(0),
    "max0": lambda a: a.max(0) if isinstance(a, Tensor) else a.amax(0),
    "softmax": lambda a: a.softmax(-1),
    "log_softmax": lambda a: a.log_softmax(0),
}


@pytest.mark.parametrize("name", sorted(ZERO_D))
def test_an_axis_on_a_0d_tensor_is_accepted_as_torch_does(name: str, torch) -> None:  # noqa: ANN001
    fn = ZERO_D[name]
    a, ta = Tensor(1.5, requires_grad=True), torch.tensor(1.5, requires_grad=True)
    out, ref = fn(a), fn(ta)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    out.backward()
    ref.backward()
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())


def test_an_axis_other_than_0_on_a_0d_tensor_is_refused() -> None:
    with pytest.raises(ValueError, match="axis 1 is out of range for a 0-d tensor"):
        Tensor(1.0).sum(1)
    with pytest.raises(ValueError, match="out of range for a 0-d tensor"):
        Tensor(1.0).softmax(2)


SHAPE_OPS = {
    "min_ties": (lambda a: a.min(), lambda t: t.amin()),
    "min_axis": (lambda a: a.min(1), lambda t: t.amin(1)),
    "permute": (lambda a: a.permute(2, 0, 1) * 1.0, lambda t: t.permute(2, 0, 1) * 1.0),
    "permute_tuple": (lambda a: a.permute((1, 2, 0)), lambda t: t.permute((1, 2, 0))),
    "transpose_swap": (lambda a: a.transpose(0, 2), lambda t: t.transpose(0, 2)),
    "transpose_neg": (lambda a: a.transpose(-1, 1), lambda t: t.transpose(-1, 1)),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_min_permute_and_torch_transpose_match_torch(name: str, torch) -> None:  # noqa: ANN001
    ours, theirs = SHAPE_OPS[name]
    data = np.random.default_rng(5).normal(size=(2, 3, 4))
    data[0, 0, :2] = -5.0  # a tie at the minimum
    a, ta = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out, ref = ours(a), theirs(ta)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    upstream = np.random.default_rng(6).normal(size=out.shape)
    (out * upstream).sum().backward()
    (ref * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-15)
    if "ties" not in name:  # central differences straddle the tie
        assert gradcheck(ours, [data])


def test_transpose_and_permute_name_bad_axes() -> None:
    t = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"dim 2 is out of range for a tensor of shape \(2, 3\)"):
        t.transpose(0, 2)
    with pytest.raises(ValueError, match=r"permute: dims \(0, 0\) are not a permutation"):
        t.permute(0, 0)
    assert t.transpose().shape == (3, 2) and t.T.shape == (3, 2)
