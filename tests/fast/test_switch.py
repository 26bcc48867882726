"""Fast paths change speed, not numbers: micrograd's demo recipe on both engines, with the
fast paths on and off (``minitorch_nn.fast.disabled``), gives the same losses and weights bit
for bit; and the switch really turns them off."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import make_moons

from minitorch_nn import Value, fast, losses
from minitorch_nn.fast import scalar as fast_scalar
from minitorch_nn.nn import MLP
from minitorch_nn.optim import SGD
from minitorch_nn.optim.flat import find_flat
from minitorch_nn.optim.schedules import linear_decay
from minitorch_nn.tensor import Tensor
from minitorch_nn.tensor import nn as tnn


def _moons() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_moons(n_samples=100, noise=0.1, random_state=1337)
    return X, (y * 2 - 1).astype(np.float64)


def _one(out: Any) -> Value:
    return out if isinstance(out, Value) else out[0]


def _scalar_recipe(steps: int) -> tuple[list[float], list[float]]:
    """Losses per step and the final weights of the demo recipe on the scalar engine."""
    X, y = _moons()
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    optimizer = SGD(model.parameters(), lr=1.0)
    schedule = linear_decay(1.0, 0.1, 100)
    inputs = [list(row) for row in X]
    history = []
    for k in range(steps):
        scores = [_one(model(x)) for x in inputs]
        loss = losses.hinge_loss(scores, y) + 1e-4 * losses.l2_penalty(model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = schedule(k)
        optimizer.step()
        history.append(loss.data)
    return history, [p.data for p in model.parameters()]


def _tensor_recipe(steps: int) -> tuple[list[float], np.ndarray]:
    X, y = _moons()
    model = tnn.MLP(2, [16, 16, 1], rng=random.Random(1337))
    optimizer = SGD(model.parameters(), lr=1.0)
    schedule = linear_decay(1.0, 0.1, 100)
    history = []
    for k in range(steps):
        scores = model(Tensor(X))  # (100, 1)
        loss = losses.hinge_loss(scores, y) + 1e-4 * losses.l2_penalty(model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = schedule(k)
        optimizer.step()
        history.append(loss.item())
    return history, np.concatenate([p.data.reshape(-1) for p in model.parameters()])


def test_scalar_demo_recipe_is_bit_identical_without_fast_paths() -> None:
    fast_losses, fast_weights = _scalar_recipe(100)
    with fast.disabled():
        generic_losses, generic_weights = _scalar_recipe(100)
    assert fast_losses == generic_losses
    assert fast_weights == generic_weights
    assert fast_losses[-1] == pytest.approx(0.010978370135492717, rel=1e-9, abs=0.0)


def test_tensor_demo_recipe_is_bit_identical_without_fast_paths() -> None:
    fast_losses, fast_weights = _tensor_recipe(100)
    with fast.disabled():
        generic_losses, generic_weights = _tensor_recipe(100)
    assert fast_losses == generic_losses
    assert np.array_equal(fast_weights, generic_weights)
    assert fast_losses[-1] == pytest.approx(0.010978370135492717, rel=1e-9, abs=0.0)


def test_tensor_engine_on_a_tall_batch_without_fast_paths() -> None:
    """A (4097, 2) batch takes the recycled arrays and the wide bias add: the same forward and
    gradients bit for bit."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4097, 2))
    results = []
    for off in (False, True):
        model = tnn.MLP(2, [16, 16, 1], rng=random.Random(3))
        with fast.disabled() if off else _nothing():
            out = model(Tensor(X))
            (out * out).sum().backward()
        results.append([out.data.copy(), *(p.grad.copy() for p in model.parameters())])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


class _nothing:  # noqa: N801 - a null context manager
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_the_switch_turns_the_fast_paths_off(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = fast_scalar.backward
    monkeypatch.setattr(fast_scalar, "backward", lambda *a: (calls.append(1), original(*a)))
    x = Value(2.0)
    (x * x).backward()
    with fast.disabled():
        assert not fast.enabled()
        y = Value(2.0)
        (y * y).backward()
    assert fast.enabled() and calls == [1] and x.grad == y.grad == 4.0
    model = tnn.MLP(2, [4, 1], seed=0)
    assert find_flat(model.parameters()) is not None
    with fast.disabled():
        assert find_flat(model.parameters()) is None


_WITHOUT_FAST = """
import random, sys
# only the checkout on PYTHONPATH: no editable-install finder to fill in a missing folder
sys.meta_path[:] = [f for f in sys.meta_path if "Editable" not in repr(f)]
import numpy as np
from sklearn.datasets import make_moons
import minitorch_nn
from minitorch_nn import losses
from minitorch_nn.nn import MLP
from minitorch_nn.optim import SGD
from minitorch_nn.tensor import Tensor
from minitorch_nn.tensor import nn as tnn
has_fast = "minitorch_nn.fast" in sys.modules
assert has_fast == (sys.argv[1] == "with"), (has_fast, sys.argv[1])
X, y = make_moons(n_samples=100, noise=0.1, random_state=1337)
y = (y * 2 - 1).astype(np.float64)
out = []
for engine in ("scalar", "tensor"):
    model = (MLP if engine == "scalar" else tnn.MLP)(2, [16, 16, 1], rng=random.Random(1337))
    optimizer = SGD(model.parameters(), lr=1.0)
    for k in range(10):
        if engine == "scalar":
            scores = [model(list(x)) for x in X]
            scores = [s if not isinstance(s, list) else s[0] for s in scores]
        else:
            scores = model(Tensor(X))
        loss = losses.hinge_loss(scores, y) + 1e-4 * losses.l2_penalty(model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * k / 100
        optimizer.step()
        out.append(float(loss.data if engine == "scalar" else loss.item()))
print(repr(out))
"""


def test_deleting_the_fast_folder_changes_no_number(tmp_path: Path) -> None:
    """A copy of the package without minitorch_nn/fast trains the demo recipe (10 steps, both
    engines) to the same losses, bit for bit, as this one with its fast paths."""
    import minitorch_nn

    package = Path(minitorch_nn.__file__).parent
    copy = tmp_path / "minitorch_nn"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "playground"))
    shutil.rmtree(copy / "fast")
    runs = []
    for root, fast_folder in ((tmp_path, "without"), (package.parent, "with")):
        result = subprocess.run(
            [sys.executable, "-c", _WITHOUT_FAST, fast_folder],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append(result.stdout)
    assert runs[0] == runs[1] != ""
