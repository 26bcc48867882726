"""Tensor layers: shapes, parameters, state_dict, conversion to and from the scalar layers,
and parity between the engines on the same model, weights and batch."""

from __future__ import annotations

import random

import numpy as np
import pytest

from minitorch_nn import nn
from minitorch_nn.engine import Value, vsum
from minitorch_nn.tensor import Tensor
from minitorch_nn.tensor import nn as tnn


def test_linear_maps_a_batch_and_a_sample() -> None:
    layer = tnn.Linear(3, 4, seed=0)
    assert layer.weight.shape == (3, 4) and layer.bias.shape == (4,)
    assert layer(np.ones((5, 3))).shape == (5, 4)
    assert layer(Tensor(np.ones(3))).shape == (4,)
    with pytest.raises(ValueError, match=r"Linear\(3, 4\) expected a batch of shape \(n, 3\)"):
        layer(np.ones((5, 2)))


def test_mlp_shapes_parameters_and_names() -> None:
    model = tnn.MLP(2, [16, 16, 1], seed=1)
    out = model(np.zeros((7, 2)))
    assert out.shape == (7, 1)
    names = [name for name, _ in model.named_parameters()]
    assert names == [f"layers.{i}.{p}" for i in range(3) for p in ("weight", "bias")]
    assert model.num_parameters() == 337
    assert all(p.requires_grad for p in model.parameters())


def test_activations_apply_between_layers_only() -> None:
    model = tnn.MLP(1, [1, 1], activation="relu", seed=0)
    model.layers[0].weight.data[...] = -1.0
    model.layers[1].bias.data[...] = -5.0
    out = model(np.array([[2.0]]))  # relu(-2) = 0 in the hidden layer, none after the last
    assert out.item() == -5.0


def test_same_seed_draws_the_same_numbers_as_the_scalar_layers() -> None:
    scalar = nn.MLP(2, [4, 3, 1], rng=random.Random(1337))
    tensor = tnn.MLP(2, [4, 3, 1], rng=random.Random(1337))
    flat = [p.data for p in scalar.parameters()]
    converted = tnn.to_scalar(tensor)
    assert [p.data for p in converted.parameters()] == flat


def test_conversion_keeps_every_number_both_ways() -> None:
    scalar = nn.MLP(3, [5, 2], activation="tanh", init="kaiming", seed=4)
    tensor = tnn.from_scalar(scalar)
    assert isinstance(tensor, tnn.MLP) and tensor.activation == "tanh"
    for layer, slayer in zip(tensor.layers, scalar.layers):
        for j, neuron in enumerate(slayer.neurons):
            assert list(layer.weight.data[:, j]) == [w.data for w in neuron.w]
            assert layer.bias.data[j] == neuron.b.data
    back = tnn.to_scalar(tensor)
    assert [p.data for p in back.parameters()] == [p.data for p in scalar.parameters()]
    assert back.config() == scalar.config()


def test_conversion_of_sequential_and_linear() -> None:
    seq = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    tseq = tnn.from_scalar(seq)
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    expected = [seq(list(row)).data for row in x]
    np.testing.assert_allclose(tseq(x).data[:, 0], expected, rtol=1e-14)
    back = tnn.to_scalar(tseq)
    assert [p.data for p in back.parameters()] == [p.data for p in seq.parameters()]
    with pytest.raises(TypeError, match="from_scalar: expected"):
        tnn.from_scalar(object())  # type: ignore[arg-type]


def test_state_dict_round_trip_and_config() -> None:
    model = tnn.MLP(2, [3, 1], seed=0)
    state = model.state_dict()
    assert set(state) == {"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"}
    assert state["layers.0.weight"].shape == (2, 3)
    other = nn.build_model(model.config())
    assert isinstance(other, tnn.MLP)
    other.load_state_dict(state)
    x = np.random.default_rng(0).normal(size=(4, 2))
    np.testing.assert_array_equal(other(x).data, model(x).data)
    model.zero_grad()
    assert all(np.all(p.grad == 0) for p in model.parameters())


def _scalar_loss(model: nn.MLP, X: np.ndarray, y: np.ndarray, alpha: float) -> Value:
    """The demo's hinge loss plus L2, written with Values."""
    scores = [model(list(row)) for row in X]
    margins = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
    data_loss = vsum(margins) * (1.0 / len(margins))
    reg = vsum(p * p for p in model.parameters())
    return data_loss + alpha * reg


def _tensor_loss(model: tnn.MLP, X: np.ndarray, y: np.ndarray, alpha: float) -> Tensor:
    scores = model(X).reshape(-1)  # (n,)
    data_loss = (1 - y * scores).relu().mean()
    reg = sum((p * p).sum() for p in model.parameters())
    return data_loss + alpha * reg


def test_same_model_same_batch_same_loss_and_gradients_on_both_engines() -> None:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(12, 2))
    y = np.where(rng.random(12) > 0.5, 1.0, -1.0)
    scalar = nn.MLP(2, [8, 8, 1], rng=random.Random(3))
    tensor = tnn.from_scalar(scalar)
    s_loss = _scalar_loss(scalar, X, y, 1e-4)
    s_loss.backward()
    t_loss = _tensor_loss(tensor, X, y, 1e-4)
    t_loss.backward()
    assert t_loss.item() == pytest.approx(s_loss.data, rel=1e-10)
    grads = tnn.from_scalar(scalar)  # a tensor model carrying the scalar gradients as weights
    for layer, slayer in zip(grads.layers, scalar.layers):
        layer.weight.data[...] = [[n.w[i].grad for n in slayer.neurons] for i in range(slayer.nin)]
        layer.bias.data[...] = [n.b.grad for n in slayer.neurons]
    for p, expected in zip(tensor.parameters(), grads.parameters()):
        np.testing.assert_allclose(p.grad, expected.data, rtol=1e-10, atol=1e-14)


def test_demo_recipe_reproduces_micrograd_on_the_tensor_engine() -> None:
    from sklearn.datasets import make_moons

    np.random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1
    model = tnn.MLP(2, [16, 16, 1], rng=random.Random(1337))
    for k in range(100):
        loss = _tensor_loss(model, X, y, 1e-4)
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
    assert loss.item() == pytest.approx(0.010978370135492717, rel=1e-12)
    accuracy = np.mean((model(X).data[:, 0] > 0) == (y > 0))
    assert accuracy == 1.0
