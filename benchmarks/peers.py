"""The implementations measured side by side, each behind one small interface.

An implementation is built from a :class:`~benchmarks.workload.Problem` and offers
``step(k) -> loss`` (one full-batch training step of the demo recipe: forward, loss, backward,
SGD update; the loss returned is the one computed before the update, as the notebook prints
it) and ``after_step()`` (untimed housekeeping, e.g. the collection micrograd needs when its
collector is off).
"""

from __future__ import annotations

import gc
import importlib.util
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .workload import ALPHA, Problem


class Impl:
    """Base class: one implementation of the demo recipe's training step."""

    def step(self, k: int) -> float:
        raise NotImplementedError

    def after_step(self) -> None:
        """Untimed work between steps (nothing by default)."""

    def close(self) -> None:
        """Release whatever the implementation holds."""


@dataclass(frozen=True)
class Peer:
    """A named implementation: ``factory(problem)`` builds it; ``available()`` says why not."""

    name: str
    factory: Callable[[Problem], Impl]
    requires: tuple[str, ...] = ()
    note: str = ""

    def missing(self) -> str | None:
        """None when every required module imports, else a 'not available' reason."""
        for module in self.requires:
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                return f"not available ({module} is not installed)"
        return None


# ------------------------------------------------------------------ minitorch_nn scalar engine
def _load_scalar_model(model: Any, problem: Problem) -> None:
    """Copy the problem's starting weights into a scalar ``nn.MLP``."""
    for layer, W, bs in zip(model.layers, problem.weights, problem.biases):
        for neuron, row, b in zip(layer.neurons, W, bs):
            for w, value in zip(neuron.w, row):
                w.data = float(value)
            neuron.b.data = float(b)


class ScalarNN(Impl):
    """minitorch_nn's scalar engine through its public API, as a user writes the demo:
    ``nn.MLP``, ``losses.hinge_loss`` + ``1e-4 * losses.l2_penalty``, ``optim.SGD``."""

    def __init__(self, problem: Problem) -> None:
        from minitorch_nn import losses
        from minitorch_nn.nn import MLP
        from minitorch_nn.optim import SGD

        self.problem = problem
        self.losses = losses
        self.model = MLP(2, [problem.recipe.hidden, problem.recipe.hidden, 1])
        _load_scalar_model(self.model, problem)
        self.optimizer = SGD(self.model.parameters(), lr=1.0)
        self.inputs = problem.X.tolist()
        self.targets = problem.y.tolist()

    def step(self, k: int) -> float:
        losses, model, y = self.losses, self.model, self.targets
        scores = [model(x) for x in self.inputs]  # one Value per sample
        total_loss = losses.hinge_loss(scores, y) + ALPHA * losses.l2_penalty(model.parameters())
        self.optimizer.zero_grad()
        total_loss.backward()
        self.optimizer.lr = self.problem.recipe.lr(k)
        self.optimizer.step()
        return total_loss.data


class ScalarNNPaused(ScalarNN):
    """:class:`ScalarNN` with Python's cyclic collector paused during each step
    (``train.collector_paused``), as ``fit`` runs a step: the engine's own cost."""

    def step(self, k: int) -> float:
        from minitorch_nn.train import collector_paused

        with collector_paused():
            return super().step(k)


class ScalarEngine(Impl):
    """minitorch_nn's scalar ``Value`` engine written directly in micrograd's style (one
    fused ``dot`` + relu node per neuron, one ``vsum`` per sum): the engine without the layers
    above it."""

    def __init__(self, problem: Problem) -> None:
        from minitorch_nn.engine import Value

        self.problem = problem
        self.X = problem.X.tolist()
        self.y = [float(v) for v in problem.y]
        self.layers = [
            [([Value(w) for w in row], Value(b)) for row, b in zip(W, bs)]
            for W, bs in zip(problem.weights, problem.biases)
        ]
        self.params = [p for layer in self.layers for ws, b in layer for p in (*ws, b)]

    def forward(self, x: list[Any]) -> Any:
        from minitorch_nn.engine import dot

        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            activation = "relu" if i < last else None  # one fused node per neuron
            x = [dot(ws, x, b, activation=activation) for ws, b in layer]
        return x[0]

    def step(self, k: int) -> float:
        from minitorch_nn.engine import vsum

        scores = [self.forward(x) for x in self.X]
        losses = [(1.0 + -yi * s).relu() for yi, s in zip(self.y, scores)]
        data_loss = vsum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * vsum([p * p for p in self.params])
        total = data_loss + reg_loss
        for p in self.params:
            p.grad = 0.0
        total.backward()
        lr = self.problem.recipe.lr(k)
        for p in self.params:
            p.data -= lr * p.grad
        return total.data


# ------------------------------------------------------------------ minitorch_nn tensor engine
class TensorNN(Impl):
    """minitorch_nn's numpy Tensor engine through its public API, as a user writes the demo:
    ``tensor.nn.MLP`` on the whole batch, ``losses.hinge_loss`` + ``1e-4 *
    losses.l2_penalty`` (the same functions as the scalar row; they take Tensors),
    ``optim.SGD``."""

    def __init__(self, problem: Problem) -> None:
        from minitorch_nn import losses
        from minitorch_nn.optim import SGD
        from minitorch_nn.tensor.nn import MLP

        self.problem = problem
        self.losses = losses
        self.model = MLP(2, [problem.recipe.hidden, problem.recipe.hidden, 1], seed=0)
        for layer, W, b in zip(self.model.layers, problem.weights, problem.biases):
            layer.weight.data[...] = W.T  # neuron j is column j
            layer.bias.data[...] = b
        self.params = self.model.parameters()
        self.optimizer = SGD(self.params, lr=1.0)
        self.X = np.ascontiguousarray(problem.X, dtype=np.float64)
        self.y = problem.y.astype(np.float64)

    def step(self, k: int) -> float:
        losses = self.losses
        scores = self.model(self.X)  # (n, 1)
        total_loss = losses.hinge_loss(scores, self.y) + ALPHA * losses.l2_penalty(self.params)
        self.optimizer.zero_grad()
        total_loss.backward()
        self.optimizer.lr = self.problem.recipe.lr(k)
        self.optimizer.step()
        return float(total_loss.data)


# ------------------------------------------------------------------ micrograd 0.1.0
class Micrograd(Impl):
    """micrograd's demo notebook code. ``numpy_inputs`` feeds numpy scalars as the notebook
    does (every node's data becomes a numpy float64); otherwise Python floats. With
    ``gc_off`` the cyclic collector is disabled during the step; ``after_step`` then runs one
    ``gc.collect()``, untimed, only to keep the process's memory bounded (its reference cycles
    would otherwise add tens of MiB per step)."""

    def __init__(self, problem: Problem, numpy_inputs: bool, gc_off: bool) -> None:
        # The notebook's process: numpy, sklearn (its data) and micrograd; no torch.
        import sklearn.datasets  # noqa: F401
        from micrograd import nn

        self.problem = problem
        self.gc_off = gc_off
        random.seed(1337)
        self.model = nn.MLP(2, [problem.recipe.hidden, problem.recipe.hidden, 1])
        self.Value = nn.Value
        if numpy_inputs:
            self.X, self.y = problem.X, problem.y
        else:
            self.X, self.y = problem.X.tolist(), problem.y.tolist()

    def loss(self) -> tuple[Any, float]:
        Value, model = self.Value, self.model
        inputs = [list(map(Value, xrow)) for xrow in self.X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(self.y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    def step(self, k: int) -> float:
        if self.gc_off:
            gc.disable()
        try:
            total_loss, _ = self.loss()
            self.model.zero_grad()
            total_loss.backward()
            learning_rate = 1.0 - 0.9 * k / self.problem.recipe.steps
            for p in self.model.parameters():
                p.data -= learning_rate * p.grad
            return float(total_loss.data)
        finally:
            if self.gc_off:
                gc.enable()

    def after_step(self) -> None:
        if self.gc_off:
            gc.collect()  # untimed: the cycles the step left behind (its memory would explode)


# ------------------------------------------------------------------ hand-written numpy
class NumpyHandwritten(Impl):
    """Forward and backward written out with numpy matrices (float64)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.X = np.ascontiguousarray(problem.X, dtype=np.float64)
        self.y = problem.y.astype(np.float64)
        self.W = [W.copy() for W in problem.weights]
        self.b = [b.copy() for b in problem.biases]

    def step(self, k: int) -> float:
        W, b, y = self.W, self.b, self.y
        n = len(y)
        acts = [self.X]
        pre = []
        h = self.X
        for i in range(len(W)):
            z = h @ W[i].T + b[i]
            pre.append(z)
            h = np.maximum(z, 0.0) if i < len(W) - 1 else z
            acts.append(h)
        scores = h[:, 0]
        margins = 1.0 - y * scores
        data_loss = np.maximum(margins, 0.0).sum() * (1.0 / n)
        reg_loss = ALPHA * sum(float((Wi * Wi).sum() + (bi * bi).sum()) for Wi, bi in zip(W, b))
        loss = float(data_loss + reg_loss)
        # backward
        g = ((margins > 0.0) * -y * (1.0 / n))[:, None]  # d loss / d scores, (n, 1)
        lr = self.problem.recipe.lr(k)
        for i in range(len(W) - 1, -1, -1):
            gW = g.T @ acts[i] + 2 * ALPHA * W[i]
            gb = g.sum(axis=0) + 2 * ALPHA * b[i]
            if i > 0:
                g = (g @ W[i]) * (pre[i - 1] > 0)
            W[i] -= lr * gW
            b[i] -= lr * gb
        return loss


# ------------------------------------------------------------------ PyTorch
class Torch(Impl):
    """PyTorch CPU, float64, one thread, autograd, manual SGD."""

    def __init__(self, problem: Problem) -> None:
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        self.problem = problem
        self.X = torch.tensor(problem.X, dtype=torch.float64)
        self.y = torch.tensor(problem.y, dtype=torch.float64)
        self.W = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in problem.weights]
        self.b = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in problem.biases]
        self.params = [p for pair in zip(self.W, self.b) for p in pair]

    def step(self, k: int) -> float:
        torch = self.torch
        h = self.X
        last = len(self.W) - 1
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            h = torch.addmm(b, h, W.t())
            if i < last:
                h = torch.relu(h)
        margins = 1.0 - self.y * h[:, 0]
        data_loss = torch.relu(margins).sum() * (1.0 / len(self.y))
        reg_loss = ALPHA * sum((p * p).sum() for p in self.params)
        loss = data_loss + reg_loss
        for p in self.params:
            p.grad = None
        loss.backward()
        lr = self.problem.recipe.lr(k)
        with torch.no_grad():
            for p in self.params:
                p.sub_(lr * p.grad)  # type: ignore[operator]
        return float(loss.item())


# ------------------------------------------------------------------ the table of peers

SCALAR = "minitorch_nn scalar (nn.MLP + losses + optim.SGD)"
SCALAR_PAUSED = "minitorch_nn scalar, collector paused per step (as fit runs it)"
SCALAR_ENGINE = "minitorch_nn scalar engine (Value/dot/vsum, micrograd style)"
TENSOR = "minitorch_nn tensor engine"
MG_NOTEBOOK = "micrograd 0.1.0 (notebook: numpy scalars)"
MG_FLOATS = "micrograd 0.1.0 (Python floats)"
MG_GC_OFF = "micrograd 0.1.0 (Python floats, gc.disable())"
TORCH = "PyTorch (CPU, float64, 1 thread)"
NUMPY = "numpy (hand-written forward/backward)"

PEERS: list[Peer] = [
    Peer(SCALAR, ScalarNN, ("minitorch_nn.nn", "minitorch_nn.losses", "minitorch_nn.optim")),
    Peer(SCALAR_PAUSED, ScalarNNPaused, ("minitorch_nn.train",)),
    Peer(SCALAR_ENGINE, ScalarEngine, ("minitorch_nn.engine",)),
    Peer(TENSOR, TensorNN, ("minitorch_nn.tensor.nn",)),
    Peer(MG_NOTEBOOK, lambda p: Micrograd(p, numpy_inputs=True, gc_off=False), ("micrograd",)),
    Peer(MG_FLOATS, lambda p: Micrograd(p, numpy_inputs=False, gc_off=False), ("micrograd",)),
    Peer(
        MG_GC_OFF,
        lambda p: Micrograd(p, numpy_inputs=False, gc_off=True),
        ("micrograd",),
        "collector off during the step; gc.collect() between steps, untimed",
    ),
    Peer(TORCH, Torch, ("torch",)),
    Peer(NUMPY, NumpyHandwritten, ("numpy",)),
]
PEER_BY_NAME = {peer.name: peer for peer in PEERS}
