"""to_torch / from_torch: same numbers both ways, clear errors, torch imported lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minitorch_nn import nn
from minitorch_nn.io.interop import from_torch, to_torch
from minitorch_nn.tensor import nn as tnn
from minitorch_nn.train import decision_function

ROOT = Path(__file__).resolve().parents[2]


def ours(model, X):
    """Our model's raw outputs, (n, k): one batch call (tensor) or one call per row (scalar)."""
    if type(model.parameters()[0]).__name__ == "Tensor":
        return np.asarray(model(X).data).reshape(len(X), -1)
    return decision_function(model, X).reshape(len(X), -1)


def theirs(torch, seq, X):
    with torch.no_grad():
        return seq(torch.from_numpy(X)).numpy().reshape(len(X), -1)


def scalar_models():
    return {
        "mlp-relu": nn.MLP(3, [5, 4, 2], activation="relu", seed=1),
        "mlp-tanh": nn.MLP(3, [4, 1], activation="tanh", init="kaiming", seed=2),
        "mlp-linear": nn.MLP(3, [2], activation=None, seed=3),
        "sequential": nn.Sequential(
            nn.Linear(3, 4, seed=4), nn.Sigmoid(), nn.Linear(4, 3, activation="relu", seed=5)
        ),
        "linear": nn.Linear(3, 2, activation="tanh", seed=6),
    }


def tensor_models():
    return {
        "tensor-mlp": tnn.MLP(3, [5, 4, 2], activation="sigmoid", seed=1),
        "tensor-linear": tnn.Linear(3, 2, activation="relu", init="kaiming", seed=2),
        "tensor-sequential": tnn.Sequential(
            tnn.Linear(3, 4, activation="tanh", seed=3), tnn.Linear(4, 2, seed=4), tnn.ReLU()
        ),
    }


def all_models():
    return {**scalar_models(), **tensor_models()}


@pytest.mark.parametrize("name", sorted(all_models()))
def test_to_torch_matches_our_model(torch, name):
    model = all_models()[name]
    seq = to_torch(model)
    assert isinstance(seq, torch.nn.Sequential)
    assert all(p.dtype == torch.float64 for p in seq.parameters())
    assert sum(p.numel() for p in seq.parameters()) == model.num_parameters()
    X = np.random.default_rng(0).normal(size=(20, 3)) * 3
    np.testing.assert_allclose(theirs(torch, seq, X), ours(model, X), rtol=0, atol=1e-12)


def test_torch_linear_weight_is_neuron_rows(torch):
    model = nn.MLP(2, [3, 1], seed=0)
    seq = to_torch(model)
    first = model.layers[0]
    assert seq[0].weight.shape == (3, 2)  # (nout, nin)
    for j, neuron in enumerate(first.neurons):
        assert seq[0].bias[j].item() == neuron.b.data
        for i, w in enumerate(neuron.w):
            assert seq[0].weight[j, i].item() == w.data
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]


def test_scalar_round_trip_keeps_every_number(torch):
    model = nn.MLP(4, [6, 5, 3], activation="tanh", init="kaiming", seed=7)
    back = from_torch(to_torch(model), engine="scalar")
    assert isinstance(back, nn.MLP)
    assert back.config() == {**model.config(), "init": back.config()["init"]}
    assert back.state_dict() == model.state_dict()  # exact, every float


def test_tensor_round_trip_keeps_every_number(torch):
    model = tnn.MLP(4, [6, 3], activation="relu", seed=8)
    back = from_torch(to_torch(model))  # engine="tensor" is the default
    assert isinstance(back, tnn.MLP) and back.nouts == [6, 3]
    assert back.layers[0].weight.shape == (4, 6)  # ours: (nin, nout)
    for a, b in zip(model.parameters(), back.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_engines_agree_through_torch(torch):
    """scalar -> torch -> tensor gives the tensor engine's own conversion, number for number."""
    scalar = nn.MLP(3, [4, 2], activation="tanh", seed=9)
    via_torch = from_torch(to_torch(scalar), engine="tensor")
    direct = tnn.from_scalar(scalar)
    for a, b in zip(direct.parameters(), via_torch.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    X = np.random.default_rng(3).normal(size=(6, 3))
    np.testing.assert_allclose(ours(via_torch, X), ours(scalar, X), rtol=0, atol=1e-12)


def test_torch_round_trip_keeps_every_number(torch):
    torch.manual_seed(0)
    seq = torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.ReLU(),
        torch.nn.Linear(8, 2),
    )  # fmt: skip
    model = from_torch(seq, engine="scalar")
    assert isinstance(model, nn.MLP) and model.nouts == [8, 8, 2] and model.activation == "relu"
    again = to_torch(model)
    for a, b in zip(seq.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)
    X = np.random.default_rng(1).normal(size=(10, 3))
    np.testing.assert_allclose(ours(model, X), theirs(torch, seq, X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("engine", ["scalar", "tensor"])
def test_from_torch_mixed_activations_gives_sequential(torch, engine):
    seq = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Sequential(torch.nn.Linear(3, 3)),
        torch.nn.Sigmoid(), torch.nn.Identity(), torch.nn.Linear(3, 1, bias=False),
    )  # fmt: skip
    model = from_torch(seq, engine=engine)
    assert isinstance(model, nn.Sequential)
    X = np.random.default_rng(2).normal(size=(7, 2))
    np.testing.assert_allclose(ours(model, X), theirs(torch, seq, X), rtol=0, atol=1e-12)


def test_from_torch_float32_weights_are_widened_exactly(torch):
    lin = torch.nn.Linear(2, 2, dtype=torch.float32)
    model = from_torch(torch.nn.Sequential(lin), engine="scalar")
    expected = lin.weight.detach().double().numpy()
    got = np.array([[w.data for w in n.w] for n in model.layers[0].neurons])
    np.testing.assert_array_equal(got, expected)


def test_from_torch_names_first_unsupported_layer(torch):
    seq = torch.nn.Sequential(
        torch.nn.Linear(2, 4), torch.nn.Dropout(0.1), torch.nn.Conv1d(1, 1, 1)
    )
    with pytest.raises(ValueError, match=r"'1' of type Dropout"):
        from_torch(seq, engine="scalar")


def test_from_torch_mismatched_linear_names_both_shapes(torch):
    seq = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Linear(5, 1))
    with pytest.raises(ValueError, match=r"\(4, 2\).*\(1, 5\)"):
        from_torch(seq, engine="scalar")


def test_from_torch_rejects_bad_engine_and_non_module(torch):
    seq = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with pytest.raises(ValueError, match="unknown engine 'gpu'"):
        from_torch(seq, engine="gpu")
    with pytest.raises(TypeError, match="got list"):
        from_torch([1, 2], engine="scalar")
    with pytest.raises(ValueError, match="no Linear"):
        from_torch(torch.nn.Sequential(torch.nn.ReLU()), engine="scalar")


def test_to_torch_rejects_unknown_module(torch):
    class Odd(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(ValueError, match="cannot convert a Odd"):
        to_torch(nn.Sequential(nn.Linear(2, 2, seed=0), Odd()))


def test_exported_model_keeps_training_in_torch(torch):
    """The README recipe: export, then train with a torch optimizer; gradients flow."""
    model = nn.MLP(2, [8, 1], seed=0)
    seq = to_torch(model)
    opt = torch.optim.SGD(seq.parameters(), lr=0.1)
    X = torch.randn(32, 2, dtype=torch.float64)
    y = (X[:, :1] > 0).double() * 2 - 1
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = torch.relu(1 - y * seq(X)).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    back = from_torch(seq, engine="scalar")  # and back again, with the trained weights
    np.testing.assert_allclose(
        ours(back, X.numpy()), theirs(torch, seq, X.numpy()), rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("fn", ["to_torch", "from_torch"])
def test_without_torch_import_error_says_how_to_install(monkeypatch, fn):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    arg = nn.MLP(2, [1], seed=0) if fn == "to_torch" else object()
    with pytest.raises(ImportError, match=r"pip install minitorch_nn\[torch\]"):
        {"to_torch": to_torch, "from_torch": from_torch}[fn](arg)


def test_importing_interop_does_not_import_torch():
    code = "import sys, minitorch_nn.io.interop; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert out.stdout.strip() == "False"
