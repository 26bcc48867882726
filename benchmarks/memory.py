"""Memory and deep-graph measurements of the scalar engine.

- ``backward_peak``: tracemalloc's view of the demo recipe's graph (bytes held by the graph
  after the forward pass) and of the extra peak during ``backward()``.
- ``flatness``: process memory (RSS and pymalloc's allocated blocks) after each of 100
  training steps; a leak or a reference cycle shows as growth from step to step.
- ``micrograd_growth``: the same for micrograd with its collector off and no collection
  between steps (its closures tie every graph into cycles).
- ``chain``: time to build, backprop through and free a chain of 1,000,000 nodes.
"""

from __future__ import annotations

import gc
import math
import os
import sys
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

from .peers import Micrograd, ScalarNN
from .workload import ALPHA, Problem


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass(frozen=True)
class BackwardPeak:
    nodes: int
    graph_bytes: int  # held by the graph after forward
    backward_peak_bytes: int  # extra peak during backward, above the graph


def backward_peak(problem: Problem) -> BackwardPeak:
    """tracemalloc over one forward (graph size) and one backward (extra peak)."""
    from minitorch_nn import losses
    from minitorch_nn.autograd.graph import toposort

    impl = ScalarNN(problem)
    model = impl.model
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    scores = [model(x) for x in impl.inputs]
    total = losses.hinge_loss(scores, impl.targets) + ALPHA * losses.l2_penalty(model.parameters())
    del scores
    graph = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    total.backward()
    peak = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    nodes = len(toposort(total))
    return BackwardPeak(nodes, graph, peak)


def micrograd_backward_peak(problem: Problem) -> BackwardPeak:
    """The same measurement for micrograd (Python floats) on the same recipe."""
    impl = Micrograd(problem, numpy_inputs=False, gc_off=True)
    gc.collect()
    gc.disable()
    try:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        total, _ = impl.loss()
        graph = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        total.backward()
        peak = tracemalloc.get_traced_memory()[1] - start
        tracemalloc.stop()
        seen, stack = {id(total)}, [total]
        while stack:
            for child in stack.pop()._prev:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append(child)
        return BackwardPeak(len(seen), graph, peak)
    finally:
        del impl
        gc.enable()
        gc.collect()


@dataclass(frozen=True)
class Flatness:
    steps: int
    rss: list[int]  # after each step
    blocks: list[int]  # sys.getallocatedblocks() after each step
    times: list[float]  # seconds per step

    @property
    def rss_growth_per_step(self) -> float:
        """Least-squares slope of RSS over the second half of the steps (bytes/step)."""
        return _slope(self.rss[len(self.rss) // 2 :])

    @property
    def blocks_growth_per_step(self) -> float:
        return _slope(self.blocks[len(self.blocks) // 2 :])


def _slope(ys: list[int]) -> float:
    n = len(ys)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(ys) / n
    num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(ys))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den


def flatness(problem: Problem, steps: int = 100) -> Flatness:
    """RSS and allocated blocks after each of ``steps`` steps (collector left on)."""
    impl = ScalarNN(problem)
    gc.collect()
    rss, blocks, times = [], [], []
    for k in range(steps):
        start = time.perf_counter()
        impl.step(k % problem.recipe.steps)
        times.append(time.perf_counter() - start)
        rss.append(rss_bytes())
        blocks.append(sys.getallocatedblocks())
    return Flatness(steps, rss, blocks, times)


def micrograd_growth(problem: Problem, steps: int = 3) -> float:
    """RSS growth per step (bytes) of micrograd with gc.disable() and no collection."""
    impl = Micrograd(problem, numpy_inputs=False, gc_off=False)
    gc.collect()
    gc.disable()
    try:
        impl.step(0)
        start = rss_bytes()
        for k in range(1, steps + 1):
            impl.step(k)
        growth = (rss_bytes() - start) / steps
    finally:
        gc.enable()
        gc.collect()
    return growth


@dataclass(frozen=True)
class Chain:
    length: int
    build_seconds: float
    build_seconds_gc_off: float
    backward_seconds: float
    free_seconds: float
    grad_ok: bool


def _build_chain(x: Any, length: int, c: float) -> tuple[Any, float]:
    start = time.perf_counter()
    y = x
    for _ in range(length):
        y = y * c
    return y, time.perf_counter() - start


def chain(length: int = 1_000_000) -> Chain:
    """x -> x*c -> (x*c)*c -> ... (``length`` mul nodes); d/dx = c^length.

    Built twice: with the collector on (what a user sees) and off (the engine's own cost).
    """
    from minitorch_nn.engine import Value

    c = 1.0 + 1e-7
    gc.collect()
    gc.disable()
    try:
        y, build_gc_off = _build_chain(Value(1.0), length, c)
        del y
    finally:
        gc.enable()
    gc.collect()
    x = Value(1.0)
    y, build = _build_chain(x, length, c)
    start = time.perf_counter()
    y.backward()
    done = time.perf_counter()
    del y
    freed = time.perf_counter()
    ok = math.isclose(x.grad, c**length, rel_tol=1e-9)
    return Chain(length, build, build_gc_off, done - start, freed - done, ok)
