"""Hostile inputs and faults: random shapes and values for every loss, layer and optimizer;
damaged and malicious checkpoints; bad command lines; Ctrl-C during training; huge graphs;
graph memory returned without the cycle collector."""

from __future__ import annotations

import gc
import math
import os
import pickle
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minitorch_nn import losses, nn
from minitorch_nn.engine import Value, vsum
from minitorch_nn.io import ModelCheckpoint, checkpoint
from minitorch_nn.optim import OPTIMIZERS
from minitorch_nn.tensor import Tensor
from minitorch_nn.tensor import nn as tnn
from minitorch_nn.train import LambdaCallback, fit

ROOT = Path(__file__).resolve().parents[1]
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
any_finite = st.floats(allow_nan=False, allow_infinity=False)


def is_number(x: float) -> bool:
    return isinstance(x, float) and not math.isnan(x)


# --------------------------------------------------------------------------- losses
BINARY_TARGETS = {
    "mse": st.floats(-10, 10),
    "hinge": st.sampled_from([-1.0, 1.0]),
    "bce": st.floats(0, 1),
}


@pytest.mark.parametrize("name", sorted(BINARY_TARGETS))
@FAST
@given(data=st.data(), n=st.integers(1, 8))
def test_binary_losses_finite_in_finite_out(name, data, n):
    preds = [Value(v) for v in data.draw(st.lists(finite, min_size=n, max_size=n))]
    targets = data.draw(st.lists(BINARY_TARGETS[name], min_size=n, max_size=n))
    loss = losses.LOSSES[name]([[p] for p in preds], targets)
    loss.backward()
    assert math.isfinite(loss.data)
    assert all(math.isfinite(p.grad) for p in preds)


@pytest.mark.parametrize("name", ["hinge", "bce", "cross_entropy"])
@FAST
@given(data=st.data(), n=st.integers(1, 5))
def test_margin_losses_never_nan_for_any_finite_float(name, data, n):
    """hinge, bce and cross-entropy are linear for large scores: finite for any finite input."""
    k = 3 if name == "cross_entropy" else 1
    rows = [[Value(v) for v in data.draw(st.lists(any_finite, min_size=k, max_size=k))]]
    rows = rows * n
    if name == "cross_entropy":
        targets = data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    else:
        targets = data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n))
        targets = [2 * t - 1 for t in targets] if name == "hinge" else targets
    loss = losses.LOSSES[name](rows, targets)
    assert is_number(loss.data)  # may be huge (1e308-scale inputs), never NaN


@FAST
@given(data=st.data(), n=st.integers(1, 6), k=st.integers(1, 5))
def test_cross_entropy_finite_in_finite_out(data, n, k):
    rows = [
        [Value(v) for v in data.draw(st.lists(finite, min_size=k, max_size=k))] for _ in range(n)
    ]
    targets = data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    loss = losses.cross_entropy(rows, targets)
    loss.backward()
    assert math.isfinite(loss.data) and loss.data >= 0
    assert all(math.isfinite(v.grad) for row in rows for v in row)


@FAST
@given(data=st.data(), n=st.integers(1, 6))
def test_binary_cross_entropy_on_probabilities(data, n):
    probs = [Value(v) for v in data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))]
    targets = data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    loss = losses.binary_cross_entropy(probs, targets)
    assert math.isfinite(loss.data)
    loss.backward()  # log(0) is clamped at -100 and has no gradient there
    assert all(not math.isnan(p.grad) for p in probs)


@pytest.mark.parametrize("name", ["mse", "hinge", "bce", "cross_entropy"])
@FAST
@given(n=st.integers(1, 6), m=st.integers(0, 6))
def test_losses_mismatched_batch_names_both_sizes(name, n, m):
    if n == m:
        m += 1
    preds = [[Value(0.0), Value(1.0)] if name == "cross_entropy" else [Value(0.0)]] * n
    with pytest.raises(ValueError, match=rf"{n} predictions but {m} targets"):
        losses.LOSSES[name](preds, [1] * m)


@pytest.mark.parametrize("name", ["mse", "hinge", "bce", "cross_entropy"])
def test_losses_empty_batch_is_a_clear_error(name):
    with pytest.raises(ValueError, match="empty batch"):
        losses.LOSSES[name]([], [])


def _tensor_losses():
    from minitorch_nn.losses import tensor as tensor_losses  # noqa: PLC0415 - lands with fit

    return tensor_losses


@pytest.mark.parametrize("name", sorted(BINARY_TARGETS))
@FAST
@given(data=st.data(), n=st.integers(1, 8))
def test_tensor_binary_losses_finite_in_finite_out(name, data, n):
    preds = Tensor(
        np.array(data.draw(st.lists(finite, min_size=n, max_size=n))).reshape(n, 1),
        requires_grad=True,
    )
    targets = np.array(data.draw(st.lists(BINARY_TARGETS[name], min_size=n, max_size=n)))
    loss = _tensor_losses().LOSSES[name](preds, targets)
    loss.backward()
    assert math.isfinite(loss.item())
    assert np.all(np.isfinite(preds.grad))


@FAST
@given(data=st.data(), n=st.integers(1, 6), k=st.integers(1, 5))
def test_tensor_cross_entropy_finite_in_finite_out(data, n, k):
    values = data.draw(st.lists(finite, min_size=n * k, max_size=n * k))
    logits = Tensor(np.array(values).reshape(n, k), requires_grad=True)
    targets = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    loss = _tensor_losses().cross_entropy(logits, targets)
    loss.backward()
    assert math.isfinite(loss.item()) and loss.item() >= 0
    assert np.all(np.isfinite(logits.grad))


@pytest.mark.parametrize("name", ["mse", "hinge", "bce", "cross_entropy"])
@FAST
@given(n=st.integers(1, 6), m=st.integers(0, 6))
def test_tensor_losses_mismatched_batch_names_both_sizes(name, n, m):
    if n == m:
        m += 1
    preds = Tensor(np.zeros((n, 2 if name == "cross_entropy" else 1)))
    with pytest.raises(ValueError, match=rf"{n} predictions but {m} targets"):
        _tensor_losses().LOSSES[name](preds, np.ones(m))


def test_losses_reject_nan_targets():
    with pytest.raises(ValueError, match="target 0"):
        losses.hinge_loss([Value(1.0)], [float("nan")])
    with pytest.raises(ValueError, match="target 0"):
        losses.binary_cross_entropy_with_logits([Value(1.0)], [float("nan")])


# --------------------------------------------------------------------------- layers
@FAST
@given(
    data=st.data(), nin=st.integers(1, 5), nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3)
)
def test_scalar_mlp_finite_in_finite_out(data, nin, nouts):
    activation = data.draw(st.sampled_from([None, "relu", "tanh", "sigmoid"]))
    model = nn.MLP(nin, nouts, activation=activation, seed=data.draw(st.integers(0, 99)))
    x = data.draw(st.lists(st.floats(-1e3, 1e3), min_size=nin, max_size=nin))
    out = model(x)
    if nouts[-1] == 1:  # one output: the Value itself (micrograd's convention)
        assert isinstance(out, Value)
        out = [out]
    assert len(out) == nouts[-1]
    vsum(out).backward()
    assert all(math.isfinite(v.data) for v in out)
    assert all(math.isfinite(p.grad) for p in model.parameters())


@FAST
@given(nin=st.integers(1, 6), given_n=st.integers(0, 8))
def test_scalar_layers_wrong_input_size_names_both(nin, given_n):
    if given_n == nin:
        given_n += 1
    for layer in (nn.Neuron(nin, seed=0), nn.Linear(nin, 2, seed=0), nn.MLP(nin, [2], seed=0)):
        with pytest.raises(ValueError, match=rf"expected {nin} inputs, got {given_n}"):
            layer([0.5] * given_n)


@FAST
@given(data=st.data(), n=st.integers(1, 6), nin=st.integers(1, 5), nout=st.integers(1, 4))
def test_tensor_layers_finite_in_finite_out(data, n, nin, nout):
    activation = data.draw(st.sampled_from([None, "relu", "tanh", "sigmoid"]))
    model = tnn.MLP(nin, [3, nout], activation=activation, seed=0)
    X = np.array(data.draw(st.lists(st.floats(-1e3, 1e3), min_size=n * nin, max_size=n * nin)))
    out = model(X.reshape(n, nin))
    assert out.shape == (n, nout)
    out.sum().backward()
    assert np.all(np.isfinite(out.data))
    assert all(np.all(np.isfinite(p.grad)) for p in model.parameters())


@FAST
@given(nin=st.integers(1, 5), cols=st.integers(1, 7), n=st.integers(1, 4))
def test_tensor_linear_wrong_shape_names_both(nin, cols, n):
    if cols == nin:
        cols += 1
    layer = tnn.Linear(nin, 2, seed=0)
    with pytest.raises(ValueError, match=rf"\(n, {nin}\).*\({n}, {cols}\)"):
        layer(np.zeros((n, cols)))


# --------------------------------------------------------------------------- optimizers
OPTIMIZER_NAMES = sorted(OPTIMIZERS)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@FAST
@given(data=st.data(), size=st.integers(1, 5), steps=st.integers(1, 4))
def test_optimizers_finite_in_finite_out(name, data, size, steps):
    values = st.lists(st.floats(-1e6, 1e6), min_size=size, max_size=size)
    scalars = [Value(v) for v in data.draw(values)]
    array = Tensor(np.array(data.draw(values)), requires_grad=True)
    lr = data.draw(st.floats(1e-6, 1.0))
    opt = OPTIMIZERS[name]([*scalars, array], lr=lr)
    for _ in range(steps):
        for p in scalars:
            p.grad = data.draw(st.floats(-1e6, 1e6))
        array.grad = np.array(data.draw(values))
        opt.step()
    assert all(math.isfinite(p.data) for p in scalars)
    assert np.all(np.isfinite(array.data)) and array.data.shape == (size,)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@pytest.mark.parametrize("lr", [-1.0, float("nan")])
def test_optimizers_reject_bad_learning_rate(name, lr):
    with pytest.raises(ValueError, match="learning rate"):
        OPTIMIZERS[name]([Value(1.0)], lr=lr)


# --------------------------------------------------------------------------- checkpoints
# Damaged, malicious and amplifying checkpoint files, special files, kill -9 while saving:
# tests/io/test_hostile_checkpoint.py (by class) and tests/io/test_checkpoint.py.
def small_model(seed=0):
    return nn.MLP(2, [3, 1], seed=seed)


def test_different_architecture_is_a_value_error_and_leaves_model(tmp_path):
    path = tmp_path / "m.safetensors"
    checkpoint.save_model(nn.MLP(2, [4, 1], seed=0), path)
    target = small_model(seed=1)
    before = target.state_dict()
    with pytest.raises(ValueError, match="wrong architecture"):
        checkpoint.load_state_into(target, path)
    assert target.state_dict() == before


class Payload:
    """Unpickling this calls Path.touch(marker): proof that pickle code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_pickle_disguised_as_a_checkpoint_never_executes(tmp_path):
    marker = tmp_path / "PWNED"
    for name, payload in (
        ("model.safetensors", pickle.dumps(Payload(marker))),
        ("model.pt", b"PK\x03\x04" + pickle.dumps(Payload(marker))),  # torch.save's zip
    ):
        (tmp_path / name).write_bytes(payload)
        with pytest.raises(ValueError):
            checkpoint.load_model(tmp_path / name)
    assert not marker.exists()


# --------------------------------------------------------------------------- CLI
# One of each kind of failure (each run costs a Python start-up, so the list stays short).
BAD_ARGS = [
    [],  # no command
    ["bogus"],  # unknown command
    ["train", "--epochs", "ten"],  # not a number
    ["train", "--lr", "nan"],  # a number out of range
    ["train", "--dataset", "nope"],  # not a choice
    ["train", "--unknown-flag"],
]


def test_cli_bad_arguments_exit_2_with_one_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        (
            args,
            subprocess.Popen(
                [sys.executable, "-m", "minitorch_nn", *args, "--out", str(tmp_path / "o")]
                if args[:1] == ["train"] and "--hidden" not in args
                else [sys.executable, "-m", "minitorch_nn", *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=tmp_path,
            ),
        )
        for args in BAD_ARGS
    ]
    for args, proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 2, (args, out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1, (args, err)
        assert "error" in lines[0], (args, err)
        assert out == "", (args, out)


# --------------------------------------------------------------------------- Ctrl-C in fit
def test_ctrl_c_in_fit_keeps_best_checkpoint_and_says_where(tmp_path, capsys):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([0, 1, 1, 0])
    model = small_model(seed=0)
    path = tmp_path / "best.safetensors"
    ckpt = ModelCheckpoint(path, monitor="loss")
    saved = {}

    def remember(epoch, m, logs):
        saved[epoch] = m.state_dict()

    def hinge_until_ctrl_c(outputs, labels):
        if len(saved) == 4:
            raise KeyboardInterrupt  # Ctrl-C during the forward pass of epoch 5
        return losses.hinge_loss(outputs, [2 * t - 1 for t in labels])

    history = fit(
        model,
        X,
        y,
        loss=hinge_until_ctrl_c,
        lr=0.05,
        epochs=50,
        callbacks=[ckpt, LambdaCallback(on_epoch_end=remember)],
        verbose=False,
    )
    assert history.interrupted and len(history) == 4
    assert ckpt.best_epoch is not None
    assert checkpoint.load_model(path).state_dict() == saved[ckpt.best_epoch]
    err = capsys.readouterr().err
    assert "interrupted" in err and str(path) in err


# --------------------------------------------------------------------------- big graphs
def test_million_node_chain_backward():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    del y  # freeing a 1,000,000-deep chain must not overflow the C stack


def test_hundred_thousand_input_sums():
    xs = [Value(float(i)) for i in range(100_000)]
    total = vsum(xs)  # one n-ary node
    total.backward()
    assert total.data == sum(range(100_000)) and all(v.grad == 1.0 for v in xs)
    chained = sum(xs)  # Python's sum: a 100,000-deep chain of additions
    chained.backward()
    assert chained.data == total.data and all(v.grad == 2.0 for v in xs)


def _traced_graph_memory(build, repeats=5, release=lambda: None):
    """Build a graph, backward, drop the output, ``release()``; ``repeats`` times with the
    cycle collector off.

    Returns (bytes the graph held after backward, growth of traced memory from the second
    drop to the last, objects gc then finds unreachable). CPython keeps up to 2,000 freed
    tuples of each size in free lists, so the first two drops do not return every byte; a graph
    kept alive would instead add its full size on every repeat.
    """
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        after_drop = []
        held = 0
        for _ in range(repeats):
            out = build()
            out.backward()
            held = max(held, tracemalloc.get_traced_memory()[0] - base)
            del out
            release()
            after_drop.append(tracemalloc.get_traced_memory()[0] - base)
        unreachable = gc.collect()
    finally:
        tracemalloc.stop()
        gc.enable()
    assert after_drop[0] < 0.3 * held, (held, after_drop)  # most of it back at once
    return held, after_drop[-1] - after_drop[1], unreachable


def test_scalar_graph_memory_returns_without_gc():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(30, 2)).tolist()
    y = [1.0 if a > 0 else -1.0 for a, _ in X]
    held, growth, unreachable = _traced_graph_memory(
        lambda: losses.hinge_loss([model(x) for x in X], y)
    )
    assert held > 500_000  # the graph of 30 forward passes: ~2,000 Values
    assert growth < 0.3 * held, (held, growth)  # a kept graph adds ~3x held
    assert unreachable == 0


def test_tensor_graph_memory_returns_without_gc():
    from minitorch_nn.fast.memory import CACHE
    from minitorch_nn.tensor import empty_cache

    model = tnn.MLP(2, [64, 64, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(2000, 2))

    def release():
        # The engine keeps freed large arrays for reuse (bounded, like torch's caching
        # allocator); let them go so that only a graph still alive would keep memory.
        assert CACHE.held_bytes <= CACHE.max_bytes
        empty_cache()

    held, growth, unreachable = _traced_graph_memory(lambda: (model(X) ** 2).mean(), 5, release)
    assert held > 1_000_000  # activations of (2000, 64) float64: 1 MB each
    assert growth < 0.3 * held, (held, growth)  # a kept graph adds ~3x held
    assert unreachable == 0


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@pytest.mark.parametrize("grad_shape", [(2,), (3, 3), (1,)])
def test_optimizer_grad_of_wrong_shape_names_both_shapes(name, grad_shape):
    """A gradient that does not fit its parameter must not broadcast into it silently."""
    p = Tensor(np.ones(3), requires_grad=True)
    opt = OPTIMIZERS[name]([p], lr=0.1)
    p.grad = np.ones(grad_shape)
    shape = re.escape(str(grad_shape))
    with pytest.raises(ValueError, match=rf"{shape}.*\(3,\)|\(3,\).*{shape}"):
        opt.step()
    assert p.data.shape == (3,)
