"""Flat parameters: a tensor model's arrays tile one buffer, the optimizer keeps gradients in
one buffer, and zero_grad / plain SGD act on the whole buffer with the per-parameter numbers."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from minitorch_nn import losses
from minitorch_nn import nn as scalar_nn
from minitorch_nn.engine import Value
from minitorch_nn.optim import SGD, Adam, Optimizer
from minitorch_nn.optim.flat import find_flat
from minitorch_nn.tensor.nn import MLP, Linear, flatten_parameters, from_scalar
from minitorch_nn.train import copy_weights

RNG = np.random.default_rng(7)
X = RNG.normal(size=(24, 2))
Y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)


def demo_model(seed: int = 0) -> MLP:
    return MLP(2, [16, 16, 1], seed=seed)


def unflattened(model: MLP) -> MLP:
    """``model`` with every parameter taken out of its buffer (the per-parameter path)."""
    for p in model.parameters():
        p.data = p.data.copy()
    return model


def demo_step(model: MLP, opt: Optimizer, k: int, zero: Callable[[], None] | None = None) -> float:
    """One step of the demo recipe: hinge loss + 1e-4 * L2, decaying learning rate."""
    params = model.parameters()
    loss = losses.hinge_loss(model(X), Y) + 1e-4 * losses.l2_penalty(params)
    (zero or opt.zero_grad)()
    loss.backward()
    opt.lr = 1.0 - 0.9 * k / 10
    opt.step()
    return float(loss.data)


def assert_same_params(a: MLP, b: MLP) -> None:
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def buffer_of(model: Any) -> np.ndarray:
    base = model.parameters()[0].data.base
    assert isinstance(base, np.ndarray)
    return base


# ---------------------------------------------------------------- the buffer
def test_tensor_mlp_parameters_are_consecutive_views_of_one_buffer() -> None:
    model = demo_model()
    params = model.parameters()
    buf = buffer_of(model)
    assert buf.shape == (337,) and buf.dtype == np.float64
    assert all(p.data.base is buf for p in params)
    np.testing.assert_array_equal(buf, np.concatenate([p.data.ravel() for p in params]))
    flat = find_flat(params)
    assert flat is not None and flat.data is buf
    assert all(v is p.data for v, p in zip(flat.views, params))
    assert flat.grad.shape == buf.shape and not flat.grad.any()
    assert [g.shape for g in flat.grad_views] == [p.data.shape for p in params]
    assert flat.holds_data(params)


def test_flatten_parameters_keeps_the_numbers_and_the_grads() -> None:
    layer = Linear(3, 4, seed=1)
    layer.weight.data = np.arange(12.0).reshape(3, 4)  # out of the buffer
    grad = np.ones(4)
    layer.bias.grad = grad
    assert find_flat(layer.parameters()) is None
    flatten_parameters(layer)
    np.testing.assert_array_equal(layer.weight.data, np.arange(12.0).reshape(3, 4))
    assert layer.bias.grad is grad
    assert find_flat(layer.parameters()) is not None


def test_from_scalar_gives_a_flat_model_with_the_scalar_numbers() -> None:
    scalar = scalar_nn.MLP(2, [5, 1], seed=3)
    model = from_scalar(scalar)
    assert find_flat(model.parameters()) is not None
    assert len({id(p.data.base) for p in model.parameters()}) == 1
    np.testing.assert_array_equal(
        model.layers[0].weight.data[:, 2], [w.data for w in scalar.layers[0].neurons[2].w]
    )


def test_flatten_parameters_leaves_mixed_dtypes_alone() -> None:
    model = demo_model()
    params = model.parameters()
    params[1].data = params[1].data.astype(np.float32)
    before = [p.data for p in params]
    flatten_parameters(model)
    assert all(p.data is a for p, a in zip(params, before))
    assert find_flat(params) is None


# ---------------------------------------------------------------- find_flat refuses
def test_find_flat_needs_the_buffer_order_the_whole_buffer_one_dtype_and_arrays() -> None:
    params = demo_model().parameters()
    assert find_flat(params[::-1]) is None  # not the buffer's order
    assert find_flat(params[:-1]) is None  # does not reach the end of the buffer
    assert find_flat(params[1:]) is None  # does not start at offset 0
    assert find_flat([Value(1.0), Value(2.0)]) is None
    buf = np.zeros(6)
    mixed = [SimpleNamespace(data=buf[:4].view(np.float32)), SimpleNamespace(data=buf[4:])]
    assert find_flat(mixed) is None
    strided = [SimpleNamespace(data=buf[0::2]), SimpleNamespace(data=buf[1::2])]
    assert find_flat(strided) is None
    tiled = [SimpleNamespace(data=buf[:2].reshape(1, 2)), SimpleNamespace(data=buf[2:])]
    assert find_flat(tiled) is not None
    buf.flags.writeable = False
    assert find_flat([SimpleNamespace(data=buf[:2]), SimpleNamespace(data=buf[2:])]) is None


def test_optimizer_over_values_or_plain_arrays_has_no_flat_buffer() -> None:
    assert SGD(scalar_nn.MLP(2, [3, 1], seed=0).parameters(), lr=0.1)._flat is None
    buf = np.arange(4.0)  # plain objects: the caller's arrays are never written in place
    plain = [SimpleNamespace(data=buf[:2], grad=None), SimpleNamespace(data=buf[2:], grad=None)]
    opt = SGD(plain, lr=0.5)
    assert opt._flat is None
    for p in plain:
        p.grad = np.ones(2)
    opt.step()
    np.testing.assert_array_equal(buf, np.arange(4.0))
    np.testing.assert_array_equal(plain[1].data, [1.5, 2.5])


# ---------------------------------------------------------------- zero_grad
def test_zero_grad_makes_zero_views_of_one_gradient_buffer_in_place() -> None:
    model = demo_model()
    params = model.parameters()
    opt = SGD(params, lr=0.1)
    flat = opt._flat
    assert flat is not None
    losses.hinge_loss(model(X), Y).backward()  # .grad were None: fresh arrays
    assert not flat.holds_grads(params)
    opt.zero_grad()
    assert all(p.grad is g for p, g in zip(params, flat.grad_views))
    assert all(p.grad.base is flat.grad for p in params)
    losses.hinge_loss(model(X), Y).backward()
    assert flat.holds_grads(params) and flat.grad.any()  # backward adds into the views
    kept, copied = params[0].grad, params[0].grad.copy()
    opt.zero_grad()  # in place: a kept gradient array is zeroed too, a copy is not
    assert not flat.grad.any() and kept is params[0].grad and not kept.any()
    assert copied.any()


def test_module_zero_grad_still_works_and_training_stays_exact() -> None:
    a, b = demo_model(), unflattened(demo_model())
    opt_a, opt_b = SGD(a.parameters(), lr=1.0), SGD(b.parameters(), lr=1.0)
    for k in range(3):
        demo_step(a, opt_a, k, zero=a.zero_grad)
        demo_step(b, opt_b, k)
        assert all(p.grad.base is None for p in a.parameters())  # fresh zeros, then summed
    assert_same_params(a, b)
    a.zero_grad()
    assert all(not p.grad.any() for p in a.parameters())


# ---------------------------------------------------------------- SGD on the buffer
def test_flat_sgd_is_bit_identical_to_the_per_parameter_path() -> None:
    a, b = demo_model(), unflattened(demo_model())
    assert find_flat(b.parameters()) is None
    opt_a, opt_b = SGD(a.parameters(), lr=1.0), SGD(b.parameters(), lr=1.0)
    assert opt_a._flat is not None and opt_b._flat is None
    buf = buffer_of(a)
    start = buf.copy()
    for k in range(6):
        assert demo_step(a, opt_a, k) == demo_step(b, opt_b, k)
        assert opt_a._flat.holds_data(a.parameters()) and opt_a._flat.holds_grads(a.parameters())
    assert_same_params(a, b)
    assert buffer_of(a) is buf and not np.array_equal(buf, start)  # updated in place


def test_rebinding_a_parameter_leaves_the_fast_path_and_training_still_matches() -> None:
    a, b = demo_model(), unflattened(demo_model())
    opt_a, opt_b = SGD(a.parameters(), lr=1.0), SGD(b.parameters(), lr=1.0)
    for k in range(2):
        demo_step(a, opt_a, k)
        demo_step(b, opt_b, k)
    moved = a.layers[1].weight
    moved.data = moved.data.copy()  # out of the buffer
    flat = opt_a._flat
    assert flat is not None and not flat.holds_data(a.parameters())
    buf, frozen = flat.data, flat.data.copy()
    for k in range(2, 5):
        assert demo_step(a, opt_a, k) == demo_step(b, opt_b, k)
    assert_same_params(a, b)
    np.testing.assert_array_equal(buf[48:304], frozen[48:304])
    flatten_parameters(a)  # back in one (new) buffer: a new optimizer takes the fast path
    opt_a = SGD(a.parameters(), lr=1.0)
    assert opt_a._flat is not None
    for k in range(5, 7):
        assert demo_step(a, opt_a, k) == demo_step(b, opt_b, k)
    assert_same_params(a, b)


def test_read_only_buffer_falls_back_to_new_arrays_with_the_same_numbers() -> None:
    a, b = demo_model(), unflattened(demo_model())
    opt_a, opt_b = SGD(a.parameters(), lr=1.0), SGD(b.parameters(), lr=1.0)
    assert opt_a._flat is not None
    opt_a._flat.data.flags.writeable = False
    for k in range(2):
        assert demo_step(a, opt_a, k) == demo_step(b, opt_b, k)
    assert_same_params(a, b)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.5, momentum=0.9),
        lambda ps: SGD(ps, lr=0.5, weight_decay=1e-2),
        lambda ps: SGD(ps, lr=0.5, momentum=0.8, nesterov=True, weight_decay=1e-3),
        lambda ps: Adam(ps, lr=0.01),
    ],
    ids=["momentum", "weight_decay", "nesterov", "adam"],
)
def test_other_rules_on_a_flat_model_match_the_per_parameter_model(
    make: Callable[[list[Any]], Optimizer],
) -> None:
    a, b = demo_model(), unflattened(demo_model())
    opt_a, opt_b = make(a.parameters()), make(b.parameters())
    for k in range(4):
        assert demo_step(a, opt_a, k) == demo_step(b, opt_b, k)
    assert_same_params(a, b)


# ---------------------------------------------------------------- loading keeps the buffer
def test_load_state_dict_writes_into_the_buffer_without_sharing_arrays() -> None:
    model, other = demo_model(), demo_model(seed=9)
    buf = buffer_of(model)
    state = {name: p.data.copy() for name, p in other.named_parameters()}
    model.load_state_dict(state)
    assert buffer_of(model) is buf and find_flat(model.parameters()) is not None
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, state[name])
        assert not np.shares_memory(p.data, state[name])
    state["layers.0.weight"][...] = 123.0
    assert not (model.layers[0].weight.data == 123.0).any()


def test_load_state_dict_replaces_a_read_only_parameter() -> None:
    model = demo_model()
    bias = model.layers[2].bias
    bias.data = np.zeros(1)
    bias.data.flags.writeable = False
    state = {name: np.full(np.shape(p.data), 0.5) for name, p in model.named_parameters()}
    model.load_state_dict(state)
    np.testing.assert_array_equal(bias.data, [0.5])


def test_copy_weights_keeps_the_target_flat_and_copies_the_numbers() -> None:
    source, target = demo_model(seed=4), demo_model()
    buf = buffer_of(target)
    copy_weights(source, target)
    assert buffer_of(target) is buf
    assert_same_params(source, target)
    source.layers[0].bias.data[...] = 7.0
    assert not (target.layers[0].bias.data == 7.0).any()
    copy_weights(scalar_nn.MLP(2, [16, 16, 1], seed=4), target)  # across engines
    assert buffer_of(target) is buf
    np.testing.assert_array_equal(target.layers[0].weight.data, source.layers[0].weight.data)


def test_from_torch_gives_a_flat_tensor_model(torch: Any) -> None:
    from minitorch_nn.io.interop import from_torch

    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1))
    model = from_torch(seq)
    assert find_flat(model.parameters()) is not None
    np.testing.assert_array_equal(model.layers[0].weight.data, seq[0].weight.detach().numpy().T)
    with torch.no_grad():
        seq[0].weight.fill_(3.0)
    assert not (model.layers[0].weight.data == 3.0).any()
