"""The tensor engine through fit, predict, checkpoints, plots and the CLI: parity with the
scalar engine, micrograd's demo recipe, 10,000 moons, training on another engine."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_moons

from minitorch_nn import losses
from minitorch_nn.engine import is_grad_enabled
from minitorch_nn.io.checkpoint import load_model, save_model
from minitorch_nn.nn import MLP
from minitorch_nn.optim import SGD
from minitorch_nn.optim.schedules import linear_decay
from minitorch_nn.tensor import Tensor
from minitorch_nn.tensor import nn as tnn
from minitorch_nn.tensor.adapter import TensorAdapter
from minitorch_nn.train import (
    EngineAdapter,
    History,
    LambdaCallback,
    ScalarAdapter,
    adapter_for,
    copy_weights,
    decision_function,
    engine_of,
    evaluate,
    fit,
    predict,
    predict_proba,
)

ROOT = Path(__file__).resolve().parents[2]
MICROGRAD_FINAL_LOSS = 0.010978370135492717


def moons(n: int = 100, seed: int = 1337) -> tuple[np.ndarray, np.ndarray]:
    return make_moons(n_samples=n, noise=0.1, random_state=seed)


def tensor_grads(model: tnn.MLP) -> list[np.ndarray]:
    """Each layer's (weight, bias) gradients."""
    return [g for layer in model.layers for g in (layer.weight.grad, layer.bias.grad)]


def scalar_grads(model: MLP) -> list[np.ndarray]:
    """The scalar MLP's gradients laid out as the tensor layers': weight[i, j] = neuron j's
    w[i], bias[j] = neuron j's b."""
    out = []
    for layer in model.layers:
        out.append(np.array([[n.w[i].grad for n in layer.neurons] for i in range(layer.nin)]))
        out.append(np.array([n.b.grad for n in layer.neurons]))
    return out


def assert_same_weights(scalar: MLP, tensor: tnn.MLP, rtol: float = 0.0) -> None:
    converted = tnn.from_scalar(scalar)
    for a, b in zip(converted.parameters(), tensor.parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=rtol, atol=0)


# --------------------------------------------------------------------------- parity
@pytest.mark.parametrize("loss_name", ["hinge", "bce", "mse", "cross_entropy"])
def test_same_mlp_same_batch_gives_the_same_loss_and_gradients(loss_name: str) -> None:
    X, y = moons(12, seed=3)
    n_out = 2 if loss_name == "cross_entropy" else 1
    scalar = MLP(2, [16, 16, n_out], rng=random.Random(5))
    tensor = tnn.from_scalar(scalar)
    fn = {
        "hinge": losses.hinge_loss,
        "bce": losses.binary_cross_entropy_with_logits,
        "mse": losses.mse_loss,
        "cross_entropy": losses.cross_entropy,
    }[loss_name]
    targets = 2.0 * y - 1 if loss_name in ("hinge", "mse") else y

    scalar_out = fn([scalar(list(row)) for row in X], targets) + 1e-4 * losses.l2_penalty(
        scalar.parameters()
    )
    tensor_out = fn(tensor(Tensor(X)), targets) + 1e-4 * losses.l2_penalty(tensor.parameters())
    scalar_out.backward()
    tensor_out.backward()

    assert isinstance(tensor_out, Tensor)
    assert tensor_out.item() == pytest.approx(scalar_out.data, rel=1e-10, abs=0)
    for s, t in zip(scalar_grads(scalar), tensor_grads(tensor)):
        np.testing.assert_allclose(t, s, rtol=1e-10, atol=1e-14)


def demo_recipe(epochs: int) -> tuple[MLP, History]:
    """micrograd's demo recipe for ``epochs`` epochs, via fit on the tensor engine."""
    X, y = moons(100)
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))  # a scalar model, trained as a copy
    history = fit(
        model,
        X,
        y,
        loss="hinge",
        l2=1e-4,
        optimizer="sgd",
        lr_schedule=linear_decay(1.0, 0.1, 100),
        epochs=epochs,
        engine="tensor",
        verbose=False,
    )
    return model, history


def test_demo_recipe_through_fit_on_the_tensor_engine_reproduces_micrograd() -> None:
    model, history = demo_recipe(100)
    # History logs the data loss of the model at the end of each epoch; micrograd prints data
    # loss + 1e-4 * sum(p**2) at step 99, before that step's update, i.e. after 99 epochs.
    after_99, history_99 = demo_recipe(99)
    total = history_99["loss"][-1] + 1e-4 * sum(p.data**2 for p in after_99.parameters())
    assert math.isclose(total, MICROGRAD_FINAL_LOSS, rel_tol=1e-9, abs_tol=0.0)
    assert history["accuracy"][-1] == 1.0
    assert history.params["engine"] == "tensor" and len(history) == 100
    X, y = moons(100)
    assert accuracy_of(model, X, y) == 1.0  # the user's scalar model is the trained one


def accuracy_of(model: object, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(predict(model, X) == y))


def test_a_native_tensor_model_trains_exactly_like_its_scalar_twin() -> None:
    X, y = moons(30, seed=2)
    scalar = MLP(2, [8, 1], rng=random.Random(7))
    tensor = tnn.MLP(2, [8, 1], rng=random.Random(7))  # same draws as the scalar layers
    assert_same_weights(scalar, tensor)
    recipe = {"loss": "bce", "optimizer": "adam", "lr": 0.05, "epochs": 5, "verbose": False}
    h_scalar = fit(scalar, X, y, **recipe)
    h_tensor = fit(tensor, X, y, **recipe)
    assert h_tensor.params["engine"] == "tensor" and h_scalar.params["engine"] == "scalar"
    np.testing.assert_allclose(h_tensor["loss"], h_scalar["loss"], rtol=1e-10)
    assert_same_weights(scalar, tensor, rtol=1e-10)


# --------------------------------------------------------------------------- other engine
def test_engine_scalar_trains_a_tensor_model_through_a_copy_and_writes_back() -> None:
    X, y = moons(20, seed=4)
    tensor = tnn.MLP(2, [6, 1], seed=1)
    twin = tnn.MLP(2, [6, 1], seed=1)
    weight_object = tensor.layers[0].weight
    history = fit(tensor, X, y, epochs=4, lr=0.3, verbose=False, engine="scalar")
    fit(twin, X, y, epochs=4, lr=0.3, verbose=False)
    assert history.params["engine"] == "scalar"
    assert tensor.layers[0].weight is weight_object  # same objects, new numbers
    for a, b in zip(tensor.parameters(), twin.parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("how", ["stop", "interrupt", "error"])
def test_weights_are_written_back_when_training_ends_early(how: str) -> None:
    X, y = moons(20, seed=5)
    model = MLP(2, [4, 1], seed=2)
    reference = tnn.from_scalar(model)

    def end_at_two(epoch: int, m: object, logs: dict[str, float]) -> bool:
        if epoch == 2 and how == "interrupt":
            raise KeyboardInterrupt
        if epoch == 2 and how == "error":
            raise RuntimeError("boom")
        return epoch == 2

    callback = LambdaCallback(on_epoch_end=end_at_two)
    if how == "error":
        with pytest.raises(RuntimeError, match="boom"):
            fit(model, X, y, epochs=10, verbose=False, engine="tensor", callbacks=[callback])
    else:
        history = fit(model, X, y, epochs=10, verbose=False, engine="tensor", callbacks=[callback])
        assert len(history) == 2
        assert history.stopped_early == (how == "stop")
        assert history.interrupted == (how == "interrupt")
    fit(reference, X, y, epochs=2, verbose=False)
    assert_same_weights(model, reference, rtol=1e-12)


def test_callbacks_see_the_users_model_up_to_date() -> None:
    X, y = moons(20, seed=6)
    model = MLP(2, [4, 1], seed=3)
    seen: list[float] = []
    callback = LambdaCallback(
        on_epoch_end=lambda e, m, logs: seen.append(m.layers[0].neurons[0].w[0].data)
    )
    before = model.layers[0].neurons[0].w[0]
    fit(model, X, y, epochs=3, lr=0.5, verbose=False, engine="tensor", callbacks=[callback])
    assert len(set(seen)) == 3
    assert model.layers[0].neurons[0].w[0] is before and before.data == seen[-1]


def test_an_optimizer_instance_cannot_train_a_converted_copy() -> None:
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="pass the optimizer by name"):
        fit(model, *moons(10), optimizer=SGD(model.parameters(), lr=0.1), engine="tensor")


def test_copy_weights_checks_the_architecture() -> None:
    with pytest.raises(ValueError, match="same architecture"):
        copy_weights(tnn.MLP(2, [3, 1], seed=0), MLP(2, [3, 3, 1], seed=0))
    with pytest.raises(ValueError, match="same architecture"):
        copy_weights(tnn.MLP(2, [3, 1], seed=0), MLP(2, [4, 1], seed=0))


def test_adapters_and_engines() -> None:
    scalar, tensor = MLP(2, [3, 1], seed=0), tnn.MLP(2, [3, 1], seed=0)
    assert engine_of(scalar) == "scalar" and engine_of(tensor) == "tensor"
    assert isinstance(adapter_for(tensor), TensorAdapter)
    assert isinstance(adapter_for(scalar, "tensor"), TensorAdapter)
    assert isinstance(TensorAdapter(), EngineAdapter)
    assert TensorAdapter().convert(tensor) is tensor and ScalarAdapter().convert(scalar) is scalar
    assert isinstance(ScalarAdapter().convert(tensor), MLP)
    with pytest.raises(TypeError, match="expected a Tensor"):
        TensorAdapter().forward(lambda x: [1.0], np.zeros((1, 2)))


# --------------------------------------------------------------------------- prediction
def test_predictions_match_the_scalar_twin_and_record_no_graph() -> None:
    X, _ = moons(40, seed=8)
    scalar = MLP(2, [5, 3], seed=4)
    tensor = tnn.from_scalar(scalar)
    modes: list[bool] = []
    forward = tensor.forward
    tensor.forward = lambda x: (modes.append(is_grad_enabled()), forward(x))[1]  # type: ignore[method-assign]
    scores = decision_function(tensor, X)
    assert scores.shape == (40, 3)
    np.testing.assert_allclose(scores, decision_function(scalar, X), rtol=1e-12)
    np.testing.assert_array_equal(predict(tensor, X), predict(scalar, X))
    np.testing.assert_allclose(predict_proba(tensor, X), predict_proba(scalar, X), rtol=1e-12)
    np.testing.assert_allclose(decision_function(scalar, X, engine="tensor"), scores, rtol=1e-12)
    assert modes and not any(modes) and is_grad_enabled()
    assert all(p.grad is None for p in tensor.parameters())


# --------------------------------------------------------------------------- 10,000 points
def test_ten_thousand_moons_through_fit_on_the_tensor_engine() -> None:
    X, y = moons(10_000, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    history = fit(
        model,
        X,
        y,
        loss="hinge",
        l2=1e-4,
        lr_schedule=linear_decay(1.0, 0.1, 40),
        epochs=40,
        engine="tensor",
        verbose=False,
    )
    assert history["accuracy"][-1] > 0.97
    scores = decision_function(model, X, engine="tensor")  # the user's scalar model, trained
    assert np.mean((scores > 0) == y) > 0.97
    assert evaluate(model, X, y, engine="tensor")["accuracy"] > 0.97


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "minitorch_nn", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
        cwd=cwd,
    )


def test_cli_trains_ten_thousand_moons_on_the_tensor_engine(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = run_cli(
        "train",
        "--engine",
        "tensor",
        "--n-samples",
        "10000",
        "--epochs",
        "30",
        "--out",
        str(out),
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["engine"] == "tensor"
    assert metrics["model"]["type"] == "TensorMLP"
    assert metrics["accuracy"] > 0.97 and metrics["val_accuracy"] > 0.97
    for name in ("decision_boundary.png", "history.png", "model.safetensors"):
        assert (out / name).stat().st_size > 0
    model = load_model(out / "model.safetensors")
    assert isinstance(model, tnn.MLP)
    X, y = moons(500, seed=9)
    assert accuracy_of(model, X, y) > 0.95


def test_cli_builds_the_same_weights_on_both_engines() -> None:
    from minitorch_nn.cli import ENGINES, TrainConfig, build_parser
    from minitorch_nn.cli.train_command import build_model

    assert set(ENGINES) == {"scalar", "tensor"}
    args = build_parser().parse_args(["train", "--engine", "tensor"])
    assert args.engine == "tensor"
    scalar = build_model(TrainConfig(engine="scalar", hidden=[5]), 2, 1)
    tensor = build_model(TrainConfig(engine="tensor", hidden=[5]), 2, 1)
    assert isinstance(tensor, tnn.MLP) and isinstance(scalar, MLP)
    assert_same_weights(scalar, tensor)


# --------------------------------------------------------------------------- checkpoints
def test_a_tensor_model_round_trips_through_a_checkpoint(tmp_path: Path) -> None:
    model = tnn.MLP(2, [4, 3], activation="tanh", seed=11)
    path = save_model(model, tmp_path / "model.npz")
    loaded = load_model(path)
    assert isinstance(loaded, tnn.MLP) and loaded.config() == model.config()
    for (name, a), (name_b, b) in zip(model.named_parameters(), loaded.named_parameters()):
        assert name == name_b
        np.testing.assert_array_equal(a.data, b.data)
    X, _ = moons(20)
    np.testing.assert_array_equal(decision_function(loaded, X), decision_function(model, X))


def test_both_engines_write_the_same_format_arrays_per_named_parameter(tmp_path: Path) -> None:
    from safetensors.numpy import load_file  # checkpoints are safetensors, torch's names

    scalar = MLP(2, [3, 1], seed=0)
    files = {}
    for model, name in ((scalar, "scalar.st"), (tnn.from_scalar(scalar), "tensor.st")):
        files[name] = load_file(save_model(model, tmp_path / name))
    assert files["scalar.st"].keys() == {"0.weight", "0.bias", "2.weight", "2.bias"}
    for key, array in files["tensor.st"].items():
        assert array.dtype == np.float64
        np.testing.assert_array_equal(array, files["scalar.st"][key])
    assert files["scalar.st"]["0.weight"].shape == (3, 2)  # (nout, nin), as torch stores it
    assert files["scalar.st"]["0.weight"][2, 1] == scalar.layers[0].neurons[2].w[1].data


# --------------------------------------------------------------------------- plots
def test_plots_work_with_a_tensor_model() -> None:
    import matplotlib.pyplot as plt

    from minitorch_nn.plot import BoundaryRecorder, plot_decision_boundary, plot_history

    X, y = moons(60, seed=1)
    model = tnn.MLP(2, [8, 8, 1], seed=0)
    recorder = BoundaryRecorder(X, every=5, resolution=20)
    history = fit(model, X, y, epochs=10, lr=0.5, verbose=False, callbacks=[recorder])
    assert [epoch for epoch, _ in recorder.frames] == [0, 1, 6, 10]
    assert recorder.frames[-1][1].shape == (20, 20)
    ax = plot_decision_boundary(model, X, y, resolution=30)
    assert "acc" in ax.get_title().lower()
    assert len(plot_history(history)) == 2
    plt.close("all")


def test_sgd_updates_tensor_arrays_in_place_with_the_rules_numbers() -> None:
    """Plain SGD on Tensors writes p -= lr * g into the same array (as torch), with exactly
    sgd_update's numbers; an ordinary array parameter is still replaced, not written."""
    from minitorch_nn.optim import SGD, sgd_update

    rng = np.random.default_rng(7)
    p = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    p.grad = rng.normal(size=(4, 3))
    before, array = p.data.copy(), p.data
    expected, _ = sgd_update(before, p.grad, None, lr=0.37)
    SGD([p], lr=0.37).step()
    assert p.data is array and np.array_equal(p.data, expected)

    class Plain:
        def __init__(self) -> None:
            self.data, self.grad = before.copy(), np.ones((4, 3))

    q = Plain()
    kept = q.data
    SGD([q], lr=0.5).step()
    assert np.array_equal(kept, before) and np.array_equal(q.data, before - 0.5)
