"""Outgrowing one machine: a model of ours trained by PyTorch's DistributedDataParallel.

    python examples/distributed_torch.py [--out runs/examples/distributed] [--epochs 30]
                                         [--resolution 150] [--processes 2]

An ``MLP`` built here goes to PyTorch with ``to_torch``, is trained by ``--processes`` local
processes (``torch.multiprocessing``, the gloo backend, 127.0.0.1 only) and comes back with
``from_torch``. Every process sees the same global batches and takes its share of each; DDP
averages the gradients, so all processes take the step one process would take on the whole
batch. The script checks that against a single-process run of the same batches and writes
decision_boundary.png and history.png into --out. Needs torch: ``pip install
'minitorch_nn[torch]'``. On several machines the same worker runs with MASTER_ADDR set to the
first machine's address, one process per core or GPU.
"""

from __future__ import annotations

import argparse
import copy
import os
import socket
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

from minitorch_nn.data import load_dataset, train_test_split
from minitorch_nn.io import from_torch, to_torch
from minitorch_nn.nn import MLP
from minitorch_nn.train import accuracy, predict

History = dict[str, list[float]]


@dataclass(frozen=True)
class Recipe:
    """How to train: the same in every process and in the single-process reference."""

    epochs: int = 30
    batch_size: int = 32  # the global batch, split between the processes
    lr: float = 0.1
    momentum: float = 0.9
    seed: int = 0  # decides the order of the samples in each epoch


def global_batches(n_samples: int, batch_size: int, epoch: int, seed: int) -> list[np.ndarray]:
    """The sample indices of each global batch of ``epoch``: a permutation drawn from
    (seed, epoch), cut into batches of ``batch_size`` (the last one may be smaller)."""
    order = np.random.default_rng([seed, epoch]).permutation(n_samples)
    return [order[i : i + batch_size] for i in range(0, n_samples, batch_size)]


def run_epochs(
    net: Any, X: np.ndarray, y: np.ndarray, recipe: Recipe, rank: int = 0, world_size: int = 1
) -> History:
    """Train ``net`` (a torch module, or DDP around one) on this process's share of every
    global batch; the loss and accuracy on the whole training set after each epoch.

    Process ``rank`` takes ``batch[rank::world_size]`` and minimises
    (world_size / B) * sum of its samples' BCE-with-logits losses (B: the global batch size).
    DDP averages the gradients over the processes, 1/world_size * sum over ranks, which gives
    (1/B) * sum over the whole batch: the gradient of the batch's mean loss, whatever the
    shares' sizes. With world_size 1 this is plain minibatch SGD."""
    module = net.module if isinstance(net, DistributedDataParallel) else net
    X_all = torch.from_numpy(X)  # (n, nin) float64
    t_all = torch.from_numpy(y).to(torch.float64).reshape(-1, 1)  # (n, 1) targets in {0, 1}
    optimizer = torch.optim.SGD(net.parameters(), lr=recipe.lr, momentum=recipe.momentum)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    history: History = {"loss": [], "accuracy": []}
    for epoch in range(recipe.epochs):
        for batch in global_batches(len(X), recipe.batch_size, epoch, recipe.seed):
            share = torch.from_numpy(batch[rank::world_size])
            logits = net(X_all[share])  # (share, 1)
            loss = bce(logits, t_all[share], reduction="sum") * (world_size / len(batch))
            optimizer.zero_grad()
            loss.backward()  # under DDP: gradients averaged over the processes here
            optimizer.step()
        with torch.no_grad():
            logits = module(X_all)  # (n, 1)
            history["loss"].append(bce(logits, t_all).item())
            history["accuracy"].append(((logits > 0) == (t_all > 0.5)).double().mean().item())
    return history


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _worker(
    rank: int,
    world_size: int,
    port: int,
    net: Any,
    X: np.ndarray,
    y: np.ndarray,
    recipe: Recipe,
    result_path: str,
) -> None:
    """One process: join the group, train its copy of ``net`` under DDP; rank 0 saves the
    trained weights and the history to ``result_path``."""
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    # gloo's connections between the processes: over the loopback interface, not the address
    # the host name resolves to
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo0" if sys.platform == "darwin" else "lo")
    torch.set_num_threads(1)  # one core per process
    # torch.multiprocessing hands tensors to the processes in shared memory: without a copy
    # every process would step the same weights (the parent's too)
    net = copy.deepcopy(net)
    dist.init_process_group("gloo", rank=rank, world_size=world_size, timeout=timedelta(seconds=60))
    try:
        ddp = DistributedDataParallel(net)  # copies rank 0's weights to every process
        history = run_epochs(ddp, X, y, recipe, rank, world_size)
        if rank == 0:
            torch.save({"state": net.state_dict(), "history": history}, result_path)
    finally:
        dist.destroy_process_group()


def train_distributed(
    net: Any, X: np.ndarray, y: np.ndarray, recipe: Recipe, world_size: int = 2
) -> tuple[Any, History]:
    """A trained copy of the torch module ``net`` and its history, trained by ``world_size``
    processes on this machine."""
    if recipe.batch_size < world_size:
        raise ValueError(
            f"batch_size {recipe.batch_size} < {world_size} processes: every process needs "
            "a share of each batch"
        )
    with tempfile.TemporaryDirectory() as tmp:
        result_path = str(Path(tmp) / "rank0.pt")
        args = (world_size, free_port(), net, X, y, recipe, result_path)
        mp.spawn(_worker, args=args, nprocs=world_size, join=True)
        result = torch.load(result_path)
    trained = copy.deepcopy(net)
    trained.load_state_dict(result["state"])
    return trained, result["history"]


def train_single(net: Any, X: np.ndarray, y: np.ndarray, recipe: Recipe) -> tuple[Any, History]:
    """The reference: a trained copy of ``net`` after the same global batches in one process."""
    trained = copy.deepcopy(net)
    return trained, run_epochs(trained, X, y, recipe)


def max_difference(a: Any, b: Any) -> float:
    """The largest absolute difference between two models' parameters (our models)."""
    return max(
        float(np.max(np.abs(np.asarray(p.data) - np.asarray(q.data))))
        for p, q in zip(a.parameters(), b.parameters())
    )


def main(argv: list[str] | None = None) -> None:
    # plotting only here: the worker processes import this file, and need none of it
    import matplotlib

    matplotlib.use("Agg")  # write files, open no window
    from minitorch_nn.plot import plot_decision_boundary, plot_history, save_figure

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/examples/distributed"))
    parser.add_argument("--epochs", type=int, default=Recipe.epochs)
    parser.add_argument("--resolution", type=int, default=150)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)

    X, y = load_dataset("moons", n_samples=200, noise=0.1, seed=0)  # (200, 2), (200,)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    recipe = Recipe(epochs=args.epochs)
    model = MLP(2, [16, 16, 1], seed=0)  # ours: one logit per sample
    net = to_torch(model)  # torch.nn.Sequential, float64, the same weights

    start = time.perf_counter()
    trained_net, history = train_distributed(net, X_train, y_train, recipe, args.processes)
    seconds = time.perf_counter() - start
    trained = from_torch(trained_net)  # back to minitorch_nn (tensor engine)
    reference = from_torch(train_single(net, X_train, y_train, recipe)[0])

    test_accuracy = accuracy(y_test, predict(trained, X_test))
    print(f"DDP, {args.processes} processes, gloo on 127.0.0.1: {seconds:.1f} s, {asdict(recipe)}")
    print(f"train accuracy {history['accuracy'][-1]:.1%}, loss {history['loss'][-1]:.4f}")
    print(f"test accuracy {test_accuracy:.1%} (our model, back from torch)")
    difference = max_difference(trained, reference)
    print(f"largest weight difference to one process on the same batches: {difference:.1e}")

    args.out.mkdir(parents=True, exist_ok=True)
    ax = plot_decision_boundary(trained, X_train, y_train, resolution=args.resolution)
    print("wrote", save_figure(ax, args.out / "decision_boundary.png", close=True))
    print("wrote", save_figure(plot_history(history)[0], args.out / "history.png", close=True))


if __name__ == "__main__":
    main()
