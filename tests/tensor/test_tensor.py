"""The Tensor engine: every op against central differences and PyTorch float64 (values and
gradients, with broadcasting), backward semantics, higher derivatives, edge values, errors."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch_nn.tensor as T
from minitorch_nn.engine import Value, no_grad
from minitorch_nn.tensor import Tensor, grad, gradcheck, unbroadcast
from minitorch_nn.tensor.ops import NUMPY_MATH, RULES
from minitorch_nn.tensor.tensor import apply


def _positive(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(0.3, 2.0, size=shape)


def _normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    # away from 0 so that kinks (relu, abs, clip) are not within eps of a sample point
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 0.05, 0.3, x)


# ------------------------------------------------------------------ the op table
# name -> (our function, torch function or None for "the same code", input shapes, sampler)
CASES = {
    # elementwise binary, with broadcasting
    "add": (lambda a, b: a + b, None, [(3, 4), (3, 4)], _normal),
    "add_row": (lambda a, b: a + b, None, [(3, 4), (4,)], _normal),
    "add_outer": (lambda a, b: a + b, None, [(3, 1), (1, 4)], _normal),
    "add_scalar_tensor": (lambda a, b: a + b, None, [(), (2, 3)], _normal),
    "sub_3d": (lambda a, b: a - b, None, [(2, 3, 4), (3, 1)], _normal),
    "mul_col": (lambda a, b: a * b, None, [(3, 4), (3, 1)], _normal),
    "div": (lambda a, b: a / b, None, [(3, 4), (4,)], _positive),
    "pow": (lambda a, b: a**b, None, [(3, 4), (3, 4)], _positive),
    "pow_row": (lambda a, b: a**b, None, [(3, 4), (4,)], _positive),
    # with a constant on either side
    "radd": (lambda a: 2.5 + a, None, [(3, 4)], _normal),
    "rsub": (lambda a: 2.5 - a, None, [(3, 4)], _normal),
    "rmul": (lambda a: 2.5 * a, None, [(3, 4)], _normal),
    "rdiv": (lambda a: 2.5 / a, None, [(3, 4)], _positive),
    "div_const": (lambda a: a / 4.0, None, [(3, 4)], _normal),
    "pow_int": (lambda a: a**3, None, [(3, 4)], _normal),
    "pow_half": (lambda a: a**0.5, None, [(3, 4)], _positive),
    "pow_zero": (lambda a: a**0, None, [(3, 4)], _normal),
    "rpow": (lambda a: 2.0**a, None, [(3, 4)], _normal),
    "neg": (lambda a: -a, None, [(3, 4)], _normal),
    # elementwise functions
    "exp": (lambda a: a.exp(), None, [(3, 4)], _normal),
    "log": (lambda a: a.log(), None, [(3, 4)], _positive),
    "tanh": (lambda a: a.tanh(), None, [(3, 4)], _normal),
    "sigmoid": (lambda a: a.sigmoid(), None, [(3, 4)], _normal),
    "relu": (lambda a: a.relu(), None, [(3, 4)], _normal),
    "sin": (lambda a: a.sin(), None, [(3, 4)], _normal),
    "cos": (lambda a: a.cos(), None, [(3, 4)], _normal),
    "sqrt": (lambda a: a.sqrt(), None, [(3, 4)], _positive),
    "abs": (lambda a: a.abs(), None, [(3, 4)], _normal),
    # matmul in its shapes
    "matmul": (lambda a, b: a @ b, None, [(3, 4), (4, 2)], _normal),
    "matmul_vec_mat": (lambda a, b: a @ b, None, [(4,), (4, 2)], _normal),
    "matmul_mat_vec": (lambda a, b: a @ b, None, [(3, 4), (4,)], _normal),
    "matmul_dot": (lambda a, b: a @ b, None, [(4,), (4,)], _normal),
    "matmul_batched": (lambda a, b: a @ b, None, [(2, 3, 4), (4, 2)], _normal),
    "matmul_batched_vec": (lambda a, b: a @ b, None, [(4,), (2, 4, 3)], _normal),
    "linear": (T.linear, lambda a, w, b: a @ w + b, [(5, 3), (3, 2), (2,)], _normal),
    "linear_relu": (
        lambda a, w, b: T.linear(a, w, b, "relu"),
        lambda a, w, b: (a @ w + b).relu(),
        [(5, 3), (3, 4), (4,)],
        _normal,
    ),
    "linear_tanh": (
        lambda a, w, b: T.linear(a, w, b, "tanh"),
        lambda a, w, b: (a @ w + b).tanh(),
        [(5, 3), (3, 4), (4,)],
        _normal,
    ),
    "linear_vec": (T.linear, lambda a, w, b: a @ w + b, [(3,), (3, 2), (2,)], _normal),
    # reductions
    "sum": (lambda a: a.sum(), None, [(3, 4)], _normal),
    "sum_axis": (lambda a: a.sum(1), None, [(3, 4)], _normal),
    "sum_axis0": (lambda a: a.sum(0), None, [(5, 4)], _normal),
    "sum_keepdims": (lambda a: a.sum(0, True), None, [(3, 4)], _normal),
    "sum_axes": (lambda a: a.sum((0, 2)), None, [(2, 3, 4)], _normal),
    "mean": (lambda a: a.mean(), None, [(3, 4)], _normal),
    "mean_axis": (lambda a: a.mean(-1, True), None, [(3, 4)], _normal),
    "max": (lambda a: a.max(), lambda a: a.amax(), [(3, 4)], _normal),
    "max_axis": (lambda a: a.max(1), lambda a: a.amax(1), [(3, 4)], _normal),
    "max_keepdims": (lambda a: a.max(0, True), lambda a: a.amax(0, True), [(3, 4)], _normal),
    # shapes and indexing
    "reshape": (lambda a: a.reshape(2, 6) * a.reshape(2, 6), None, [(3, 4)], _normal),
    "reshape_infer": (lambda a: a.reshape(-1).exp(), None, [(3, 4)], _normal),
    "transpose": (lambda a: a.T @ a, None, [(3, 4)], _normal),
    "transpose_axes": (
        lambda a: a.transpose(1, 2, 0).sin(),
        lambda a: a.permute(1, 2, 0).sin(),
        [(2, 3, 4)],
        _normal,
    ),
    "index_int": (lambda a: a[1], None, [(3, 4)], _normal),
    "index_slice": (lambda a: a[1:, ::2] * 2, None, [(3, 4)], _normal),
    "index_int_array": (
        lambda a: a[np.array([0, 2, 0, 0])],
        lambda a: a[[0, 2, 0, 0]],
        [(3, 4)],
        _normal,
    ),
    "index_pairs": (
        lambda a: a[np.array([0, 1, 1]), np.array([2, 2, 2])],
        lambda a: a[[0, 1, 1], [2, 2, 2]],
        [(3, 4)],
        _normal,
    ),
    "index_mask": (
        lambda a: a[a.data > 0] if isinstance(a, Tensor) else a[a > 0],
        None,
        [(3, 4)],
        _normal,
    ),
    "broadcast_to": (
        lambda a: a.broadcast_to((2, 3, 4)).sin(),
        lambda a: a.expand(2, 3, 4).sin(),
        [(3, 1)],
        _normal,
    ),  # noqa: E501
    # softmax family and friends
    "log_softmax": (lambda a: a.log_softmax(1), lambda a: a.log_softmax(1), [(3, 4)], _normal),
    "log_softmax0": (lambda a: T.log_softmax(a, 0), lambda a: a.log_softmax(0), [(3, 4)], _normal),
    "softmax": (lambda a: T.softmax(a, -1), lambda a: a.softmax(-1), [(3, 4)], _normal),
    "clip": (lambda a: a.clip(-0.5, 0.5), lambda a: a.clamp(-0.5, 0.5), [(3, 4)], _normal),
    "clip_min": (lambda a: T.clip(a, min=0.2), lambda a: a.clamp(min=0.2), [(3, 4)], _normal),
    "maximum": (T.maximum, lambda a, b: a.maximum(b), [(3, 4), (4,)], _normal),
    "minimum": (T.minimum, lambda a, b: a.minimum(b), [(3, 4), (3, 1)], _normal),
    "where": (
        lambda a, b: T.where(a.data > 0, a, b),
        lambda a, b: __import__("torch").where(a > 0, a, b),
        [(3, 4), (4,)],
        _normal,
    ),
    "concatenate": (
        lambda a, b: T.concatenate([a, b, a], axis=1),
        lambda a, b: __import__("torch").cat([a, b, a], dim=1),
        [(3, 2), (3, 4)],
        _normal,
    ),
    "stack": (
        lambda a, b: T.stack([a, b], axis=1),
        lambda a, b: __import__("torch").stack([a, b], dim=1),
        [(3, 4), (3, 4)],
        _normal,
    ),
    "sum_of_squares": (
        lambda a, b: T.sum_of_squares([a, b]),
        lambda a, b: (a * a).sum() + (b * b).sum(),
        [(3, 4), (2,)],
        _normal,
    ),
    "linear_one_output": (T.linear, lambda a, w, b: a @ w + b, [(5, 3), (3, 1), (1,)], _normal),
    "hinge": (
        lambda s, t: apply(RULES["hinge"], (s, t)),
        lambda s, t: (1 - t * s.reshape(-1)).clamp(min=0).mean(),
        [(6, 1), (6,)],
        _normal,
    ),
    "hinge_flat": (
        lambda s, t: apply(RULES["hinge"], (s, t)),
        lambda s, t: (1 - t * s).clamp(min=0).mean(),
        [(6,), (6,)],
        _normal,
    ),
    # a small network: everything composed
    "mlp": (
        lambda x, w, b: (T.linear(x, w, b).tanh() ** 2).mean(),
        lambda x, w, b: ((x @ w + b).tanh() ** 2).mean(),
        [(6, 3), (3, 5), (5,)],
        _normal,
    ),
}


def _inputs(name: str) -> list[np.ndarray]:
    """A fixed draw per case, independent of test order."""
    _, _, shapes, sampler = CASES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    return [sampler(rng, s) for s in shapes]


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name: str) -> None:
    fn = CASES[name][0]
    assert gradcheck(fn, _inputs(name))


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_values_and_gradients(name: str, torch) -> None:  # noqa: ANN001
    fn, torch_fn, _, _ = CASES[name]
    torch_fn = torch_fn or fn
    arrays = _inputs(name)
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-9, atol=1e-12)
    upstream = np.random.default_rng(1).normal(size=out.shape)
    (out * upstream).sum().backward()
    (ref * torch.tensor(upstream)).sum().backward()
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert a.grad is not None and a.grad.shape == a.shape, f"input {k}"
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ higher derivatives
SECOND_ORDER = {
    "cube": lambda a: (a**3).sum(),
    "exp_mul": lambda a: (a.exp() * a).sum(),
    "tanh": lambda a: a.tanh().sum(),
    "sigmoid_div": lambda a: (a.sigmoid() / (a * a + 1.0)).sum(),
    "log_sqrt": lambda a: ((a * a + 1.0).log() + (a * a + 1.0).sqrt()).sum(),
    "sin_cos": lambda a: (a.sin() * a.cos()).sum(),
    "matmul": lambda a: ((a @ a.T) ** 2).sum(),
    "broadcast_mean": lambda a: ((a - a.mean(0, True)) ** 2).mean(),
    "log_softmax": lambda a: (a.log_softmax(1) * a).sum(),
    "softmax": lambda a: (a.softmax(0) ** 2).sum(),
    "index": lambda a: (a[np.array([0, 0, 1])] ** 3).sum(),
    "pow_tensor": lambda a: (a.abs() ** a).sum(),
    "sum_of_squares": lambda a: (
        T.sum_of_squares([a, a.exp()]) if isinstance(a, Tensor) else (a * a + a.exp() ** 2).sum()
    ),
    "linear_relu": lambda a: (
        T.linear(a, a.T, a.sum(1), "relu") if isinstance(a, Tensor) else (a @ a.T + a.sum(1)).relu()
    ).sum(),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivative_matches_torch(name: str, torch) -> None:  # noqa: ANN001
    fn = SECOND_ORDER[name]
    data = np.random.default_rng(3).normal(size=(2, 3))
    a = Tensor(data, requires_grad=True)
    (g,) = grad(fn(a), [a], create_graph=True)
    assert isinstance(g, Tensor) and g.requires_grad
    hvp = grad((g * g).sum(), [a])[0]  # d/da |grad f|^2
    ta = torch.tensor(data, requires_grad=True)
    (tg,) = torch.autograd.grad(fn(ta), [ta], create_graph=True)
    (thvp,) = torch.autograd.grad((tg * tg).sum(), [ta])
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(hvp, thvp.numpy(), rtol=1e-9, atol=1e-12)


def test_third_derivative_of_a_cube() -> None:
    x = Tensor(2.0, requires_grad=True)
    (d1,) = grad(x**3, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert (d1.item(), d2.item(), float(d3)) == (12.0, 12.0, 6.0)


# ------------------------------------------------------------------ backward semantics
def test_gradients_accumulate_over_uses_and_calls() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    assert a.grad is None
    (a * a + a).sum().backward()
    np.testing.assert_array_equal(a.grad, [3.0, 5.0])
    (a * a + a).sum().backward()
    np.testing.assert_array_equal(a.grad, [6.0, 10.0])


def test_backward_on_non_scalar_needs_a_gradient() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"one-element output, got shape \(2,\)"):
        (a * 2).backward()
    (a * 2).backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(a.grad, [2.0, 20.0])
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\), expected \(2,\)"):
        (a * 2).backward(np.ones(3))


def test_one_element_tensor_of_any_rank_can_call_backward() -> None:
    a = Tensor([[3.0]], requires_grad=True)
    (a * a).backward()
    np.testing.assert_array_equal(a.grad, [[6.0]])


def test_only_leaves_that_require_grad_get_grad() -> None:
    x = Tensor([1.0, 2.0])  # data, not a parameter
    w = Tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    assert h.requires_grad and not x.requires_grad and not h.is_leaf
    h.sum().backward()
    assert x.grad is None and h.grad is None
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_retain_grad_keeps_an_interior_gradient() -> None:
    w = Tensor([3.0, 4.0], requires_grad=True)
    h = w * 2
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad, [12.0, 16.0])


def test_constants_record_no_graph_and_cannot_backward() -> None:
    out = (Tensor([1.0]) * 2).sum()
    assert not out.requires_grad and out._parents == ()
    with pytest.raises(RuntimeError, match="does not require grad"):
        out.backward()


def test_no_grad_records_nothing() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        out = (w * w).sum()
    assert not out.requires_grad and out._parents == ()
    assert (w * w).sum().requires_grad


def test_grad_wrt_interior_node_leaves_grad_untouched() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * x
    out = (h.exp() * 2).sum()
    g_h, g_x = grad(out, [h, x])
    np.testing.assert_allclose(g_h, 2 * np.exp([1.0, 4.0, 9.0]))
    np.testing.assert_allclose(g_x, 2 * np.exp([1.0, 4.0, 9.0]) * 2 * x.data)
    assert x.grad is None


def test_grad_of_unrelated_input_is_zero() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([[5.0]], requires_grad=True)
    (gy,) = grad((x * x).sum(), [y])
    np.testing.assert_array_equal(gy, [[0.0]])


def test_gradient_sums_over_broadcast_dimensions() -> None:
    bias = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    scale = Tensor([[2.0]], requires_grad=True)
    x = Tensor(np.ones((4, 3)))
    ((x + bias) * scale).sum().backward()
    np.testing.assert_array_equal(bias.grad, [8.0, 8.0, 8.0])
    np.testing.assert_array_equal(scale.grad, [[4 * (2 + 3 + 4)]])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 3), min_size=0, max_size=3),
    st.lists(st.booleans(), min_size=3, max_size=3),
    st.integers(0, 2),
)
def test_unbroadcast_inverts_broadcasting(shape: list[int], squeeze: list[bool], lead: int) -> None:
    target = tuple(1 if s else n for n, s in zip(shape, squeeze))
    full = (2,) * lead + tuple(shape)
    g = np.arange(np.prod(full), dtype=float).reshape(full)
    out = unbroadcast(NUMPY_MATH, g, target)
    assert out.shape == target
    assert out.sum() == pytest.approx(g.sum())
    # the same as differentiating sum(broadcast_to(x) * g)
    x = Tensor(np.zeros(target), requires_grad=True)
    (x.broadcast_to(full) * g).sum().backward()
    np.testing.assert_allclose(x.grad, out)


def test_deep_chain_does_not_recurse() -> None:
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y + x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [5001.0])


def test_shared_graph_walk_serves_both_engines() -> None:
    from minitorch_nn.autograd import graph as autodiff

    assert Tensor.__mro__[1] is autodiff.Node
    assert isinstance(Value(1.0), autodiff.Node)


# ------------------------------------------------------------------ dtypes and values
def test_float64_default_and_float32_on_request() -> None:
    assert Tensor([1, 2]).dtype == np.float64
    a = Tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    out = (a * 3.0 + 1.0).exp().sum()
    assert out.dtype == np.float32
    out.backward()
    assert a.grad is not None and a.grad.dtype == np.float32
    with pytest.raises(TypeError, match="float64 or float32"):
        Tensor([1], dtype=np.int64)


def test_tensor_copies_its_data() -> None:
    source = np.array([1.0, 2.0])
    t = Tensor(source)
    t.data += 1
    np.testing.assert_array_equal(source, [1.0, 2.0])


def test_item_shape_and_repr() -> None:
    t = Tensor([[1.5]], requires_grad=True)
    assert t.item() == 1.5 and t.shape == (1, 1) and t.ndim == 2 and len(t) == 1
    assert repr(t) == "Tensor([[1.5]], requires_grad=True)"
    assert (t * 2).op == "mul" and t.op == ""
    with pytest.raises(ValueError, match="2 elements"):
        Tensor([1.0, 2.0]).item()


def test_truth_value_only_for_one_element() -> None:
    assert Tensor([2.0]) and not Tensor(0.0)
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_numpy_array_on_the_left_defers_to_tensor() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    out = np.array([3.0, 4.0]) * w
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad, [3.0, 4.0])


# ------------------------------------------------------------------ errors
def test_shape_errors_name_both_shapes() -> None:
    a, b = Tensor(np.ones((5, 3))), Tensor(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"matmul: \(5, 3\) @ \(2, 4\): inner dimensions 3 and 2"):
        a @ b
    with pytest.raises(ValueError, match=r"add: shapes \(5, 3\) and \(2, 4\) cannot be broadcast"):
        a + b
    with pytest.raises(ValueError, match=r"reshape: cannot reshape .* \(5, 3\) .* into shape \(4,"):
        a.reshape(4, 4)
    with pytest.raises(ValueError, match=r"sum: axis 2 is out of range for a 2-d tensor"):
        a.sum(2)
    with pytest.raises(ValueError, match=r"concatenate: shapes \(5, 3\), \(2, 4\) must agree"):
        T.concatenate([a, b], axis=0)
    with pytest.raises(ValueError, match=r"stack: all tensors need the same shape"):
        T.stack([a, b])


def test_bad_operands_raise_type_error() -> None:
    with pytest.raises(TypeError):
        Tensor([1.0]) + "a"  # type: ignore[operator]
    with pytest.raises(TypeError, match="Tensor data must be numbers"):
        Tensor("abc")
    with pytest.raises(TypeError, match="must be a Tensor"):
        grad(Tensor([1.0], requires_grad=True).sum(), [1.0])  # type: ignore[list-item]


def test_gradcheck_reports_a_wrong_gradient() -> None:
    def wrong(a: Tensor) -> Tensor:
        return a * a.detach()  # the engine sees a constant where there is an a

    with pytest.raises(AssertionError, match=r"gradcheck: input 0 .* element \(0,\)"):
        gradcheck(wrong, [np.array([1.0, 2.0])])


def test_repeated_backward_accumulates_into_independent_gradients() -> None:
    """loss.backward() seeds with a kept, read-only 1; every .grad is the caller's own array."""
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    first = x.grad
    assert first is not None
    first += 100.0  # the caller may write into its gradient
    loss.backward()
    np.testing.assert_array_equal(x.grad, [104.0, 92.0, 112.0])
    root = Tensor(2.0, requires_grad=True)
    root.backward()
    root.backward()
    assert root.grad is not None and root.grad.flags.writeable
    assert float(root.grad) == 2.0


def test_tensor_backward_loop_matches_the_shared_walk() -> None:
    """Tensor.backward gives what the shared loop (autograd.graph.backward) gives over the
    node protocol: shared subexpressions, broadcasting, a retained interior gradient,
    accumulation."""
    from minitorch_nn.autograd import graph as autodiff

    a_data = np.random.default_rng(8).normal(size=(4, 3))
    results = []
    for walk in ("tensor", "shared"):
        a = Tensor(a_data, requires_grad=True)
        b = Tensor(np.arange(3.0), requires_grad=True)
        shared = (a * b).tanh()  # used twice below
        shared.retain_grad()
        loss = ((shared + b) * shared).sum() + (a @ b).relu().mean()
        for _ in range(2):  # gradients accumulate
            if walk == "tensor":
                loss.backward()
            else:
                with np.errstate(all="ignore"):
                    autodiff.backward(loss, np.ones(()))
        results.append([a.grad, b.grad, shared.grad])
    for mine, shared_walk in zip(*results):
        np.testing.assert_array_equal(mine, shared_walk)
