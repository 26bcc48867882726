"""examples/distributed_torch.py: DistributedDataParallel over gloo in 2 local processes
takes the same steps as one process on the same global batches."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from minitorch_nn.data import load_dataset
from minitorch_nn.io.interop import from_torch, to_torch
from minitorch_nn.nn import MLP
from minitorch_nn.train import decision_function

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def example(torch: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The example as a module; the worker processes find it on the same sys.path."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module("distributed_torch")


def test_every_sample_once_per_epoch_in_an_order_set_by_seed_and_epoch(example: Any) -> None:
    batches = example.global_batches(103, 25, epoch=3, seed=1)
    assert [len(b) for b in batches] == [25, 25, 25, 25, 3]
    assert sorted(np.concatenate(batches).tolist()) == list(range(103))
    again = example.global_batches(103, 25, epoch=3, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    other = example.global_batches(103, 25, epoch=4, seed=1)
    assert not np.array_equal(np.concatenate(batches), np.concatenate(other))


def test_two_processes_match_one_process_on_the_same_batches(example: Any, torch: Any) -> None:
    X, y = load_dataset("moons", n_samples=120, noise=0.1, seed=1)
    net = to_torch(MLP(2, [8, 8, 1], seed=3))
    start = {k: v.clone() for k, v in net.state_dict().items()}
    # 25 per global batch: shares of 13 and 12, and a last batch of 20 (10 and 10)
    recipe = example.Recipe(epochs=4, batch_size=25, lr=0.1, momentum=0.9, seed=2)

    ddp_net, ddp_history = example.train_distributed(net, X, y, recipe, world_size=2)
    one_net, one_history = example.train_single(net, X, y, recipe)

    # the processes trained copies: the model handed over keeps its weights
    assert all(torch.equal(start[k], v) for k, v in net.state_dict().items())
    trained, reference, untrained = from_torch(ddp_net), from_torch(one_net), from_torch(net)
    moved = 0.0
    for p, q, p0 in zip(trained.parameters(), reference.parameters(), untrained.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=0, atol=1e-9)
        moved = max(moved, float(np.max(np.abs(p.data - p0.data))))
    assert moved > 1e-2  # 20 steps changed the weights: the comparison above is not vacuous
    np.testing.assert_allclose(ddp_history["loss"], one_history["loss"], rtol=1e-9)
    assert ddp_history["accuracy"] == one_history["accuracy"]
    assert ddp_history["loss"][-1] < ddp_history["loss"][0]
    # the model brought back computes what the trained torch module computes
    with torch.no_grad():
        torch_scores = ddp_net(torch.from_numpy(X)).numpy()[:, 0]
    np.testing.assert_allclose(decision_function(trained, X), torch_scores, rtol=1e-12)


def test_a_batch_smaller_than_the_number_of_processes_is_refused(example: Any) -> None:
    X, y = load_dataset("moons", n_samples=20, noise=0.1, seed=1)
    recipe = example.Recipe(epochs=1, batch_size=1)
    with pytest.raises(ValueError, match="batch_size 1 < 2 processes"):
        example.train_distributed(to_torch(MLP(2, [2, 1], seed=0)), X, y, recipe, world_size=2)
