"""The engine registry and the callback interface ``fit`` is built on."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from minitorch_nn.data import load_dataset
from minitorch_nn.engine import Value
from minitorch_nn.nn import MLP, Module
from minitorch_nn.tensor import Tensor
from minitorch_nn.tensor import nn as tnn
from minitorch_nn.train import (
    ENGINES,
    CallbackList,
    adapter_for,
    engine_of,
    engine_of_node,
    fit,
    get_engine,
)


def test_the_registry_lists_each_engine_once_with_its_pieces():
    assert list(ENGINES) == ["scalar", "tensor"]
    assert get_engine("scalar").mlp is MLP and get_engine("tensor").mlp is tnn.MLP
    assert get_engine("scalar").node_class() is Value
    assert get_engine("tensor").node_class() is Tensor
    assert get_engine("tensor").adapter().name == "tensor"
    with pytest.raises(
        ValueError, match="unknown engine 'gpu'; expected one of 'scalar', 'tensor'"
    ):
        get_engine("gpu")


def test_engines_are_recognised_by_node_class_not_by_module_name():
    class Impostor:  # claims the tensor engine's module, is no Tensor
        __module__ = "minitorch_nn.tensor.tensor"

    assert engine_of_node(Value(1.0)) == "scalar"
    assert engine_of_node(Tensor(np.zeros(2))) == "tensor"
    assert engine_of_node(Impostor()) is None
    assert engine_of_node(1.0) is None

    class Odd(Module):
        def parameters(self):
            return [Impostor()]

    with pytest.raises(TypeError, match="no engine adapter"):
        engine_of(Odd())


def test_conversion_goes_both_ways_and_keeps_the_numbers():
    scalar = MLP(2, [3, 1], seed=0)
    tensor = get_engine("tensor").convert(scalar)
    assert engine_of(tensor) == "tensor" and get_engine("tensor").convert(tensor) is tensor
    back = get_engine("scalar").convert(tensor)
    assert engine_of(back) == "scalar"
    assert [p.data for p in back.parameters()] == [p.data for p in scalar.parameters()]
    assert isinstance(adapter_for(scalar, "tensor").convert(scalar), tnn.MLP)


def test_training_on_the_scalar_engine_never_imports_the_tensor_engine():
    code = (
        "import sys\n"
        "from minitorch_nn.data import load_dataset\n"
        "from minitorch_nn.nn import MLP\n"
        "from minitorch_nn.train import fit, predict\n"
        "X, y = load_dataset('moons', n_samples=20, seed=0)\n"
        "model = MLP(2, [4, 1], seed=0)\n"
        "fit(model, X, y, epochs=2, verbose=False)\n"
        "predict(model, X)\n"
        "print(sorted(m for m in sys.modules if m.startswith('minitorch_nn.tensor')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


class Recorder:
    """A duck-typed callback (no Callback base) with only some hooks."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def on_train_begin(self, model, history) -> None:
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, model) -> None:
        self.calls.append(f"epoch_begin {epoch}")

    def on_loss(self, epoch, value) -> None:
        self.calls.append(f"loss {epoch}")

    def on_epoch_end(self, epoch, model, logs):
        self.calls.append(f"epoch_end {epoch} {sorted(logs)}")
        return epoch == 2

    def on_train_end(self, model, history) -> None:
        self.calls.append(f"train_end {len(history)}")


def test_fit_calls_each_hook_in_order_and_stops_on_request():
    X, y = load_dataset("moons", n_samples=30, seed=0)
    recorder = Recorder()
    history = fit(MLP(2, [4, 1], seed=0), X, y, epochs=5, batch_size=15, callbacks=[recorder],
                  verbose=False)  # fmt: skip
    keys = ["accuracy", "epoch", "loss", "lr", "seconds"]
    assert recorder.calls == [
        "train_begin",
        "epoch_begin 1", "loss 1", "loss 1", f"epoch_end 1 {keys}",
        "epoch_begin 2", "loss 2", "loss 2", f"epoch_end 2 {keys}",
        "train_end 2",
    ]  # fmt: skip
    assert history.stopped_early and len(history) == 2


def test_a_callback_list_skips_hooks_a_callback_lacks():
    class OnlyEnd:
        def __init__(self) -> None:
            self.seen: list[int] = []

        def on_epoch_end(self, epoch, model, logs):
            self.seen.append(epoch)

    only = OnlyEnd()
    hooks = CallbackList([only])
    hooks.on_epoch_begin(1, None)
    hooks.on_loss(1, 0.5)
    assert hooks.on_epoch_end(1, None, {}) is False
    hooks.close()
    assert only.seen == [1]
