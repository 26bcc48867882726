"""Run implementations side by side on one recipe: one worker process each, taking turns.

Every implementation trains from the same data and weights, in a worker process of its own
(:mod:`.worker`, started with ``python -m benchmarks.worker``) that imports only what it
needs: micrograd's imports numpy and sklearn as its notebook does (no torch), PyTorch's
imports torch (one thread), ours import numpy and minitorch_nn. So no implementation pays
for another's heap or garbage, and each one's cyclic garbage collector runs in its normal
state (on, default thresholds) over its own process, as in a user's script.

Each round gives every implementation still going a turn, one worker at a time (the others
wait on their input), rotating the order each round so that none always goes first: the
worker runs training steps back to back, as a training loop does, for at least
``Scenario.turn`` seconds and ``Scenario.turn_steps`` steps (the first step of a turn finds
the caches full of the previous worker's data; most of a turn's steps do not), and times
each step itself (``perf_counter`` around exactly one
training step, no forced collections). A fast implementation starts the recipe over from
the same starting weights when it reaches the end, so every implementation is timed across
the whole budget and load on the machine falls on all alike. After the budget, only the
``finish`` peers go on (to the end of the recipe's first pass) and any below ``min_steps``.
Each result keeps the losses of its first pass, so a fast but wrong implementation shows.

Workers run their numerical libraries on one thread (OPENBLAS/OMP/MKL_NUM_THREADS=1 set in
their environment before numpy loads; ``torch.set_num_threads(1)``), and without
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, which slow a current numpy where they are set.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .peers import PEER_BY_NAME
from .workload import Recipe, make_problem, save_problem

SINGLE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    """One implementation on one recipe."""

    peer: str
    recipe: Recipe
    times: list[float] = field(default_factory=list)  # seconds per timed step, in order
    rounds: list[int] = field(default_factory=list)  # the round each timed step ran in
    losses: list[float] = field(default_factory=list)  # the first pass's losses, by step
    status: str = "ok"  # or "not available (...)" / "error: ..."

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.times)

    @property
    def steps(self) -> int:
        """Steps of the recipe's first pass done (the losses compared with other rows)."""
        return len(self.losses)

    @property
    def timed(self) -> int:
        """Steps timed, over every pass."""
        return len(self.times)

    @property
    def median(self) -> float:
        """Median seconds per step (the very first step left out: first-call costs)."""
        times = self.times[1:] if len(self.times) > 2 else self.times
        return statistics.median(times)

    def round_medians(self) -> dict[int, float]:
        """Median seconds per step of each round's turn (the very first step left out)."""
        by_round: dict[int, list[float]] = {}
        for t, r in list(zip(self.times, self.rounds))[1:]:
            by_round.setdefault(r, []).append(t)
        return {r: statistics.median(ts) for r, ts in by_round.items()}

    @property
    def mean(self) -> float:
        """Mean seconds per step (the first left out): shows amortised collector pauses."""
        times = self.times[1:] if len(self.times) > 2 else self.times
        return statistics.fmean(times)

    @property
    def last_loss(self) -> float:
        return self.losses[-1]


@dataclass(frozen=True)
class Scenario:
    """Implementations x recipes run in the same rounds, within ``budget`` seconds."""

    recipes: tuple[Recipe, ...]
    peers: tuple[str, ...]
    budget: float
    finish: tuple[str, ...] = ()  # peers that always run every step (whatever the budget)
    min_steps: int = 3
    turn: float = 0.25  # seconds: each turn runs steps back to back for at least this long
    turn_steps: int = 3  # and at least this many, so a turn's first (cold) step is not the median


def worker_env() -> dict[str, str]:
    """The environment of a worker: one thread for BLAS/OpenMP/MKL, no OpenBLAS core-type
    override, and this checkout on the import path."""
    env = dict(os.environ)
    for name in SINGLE_THREAD:
        env[name] = "1"
    for name in UNSET:
        env.pop(name, None)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
    return env


class Worker:
    """One implementation on one recipe in its own process (see :mod:`.worker`)."""

    def __init__(self, peer: str, problem_path: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", peer, problem_path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=worker_env(),
            cwd=ROOT,
            text=True,
            bufsize=1,
        )

    def _reply(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        return line or f"error: worker exited (code {self.proc.poll()})"

    def ready(self) -> str:
        """'ready', or the reason the implementation could not be built."""
        return self._reply()

    def turn(self, first: int, seconds: float, steps: int) -> list[tuple[float, float]]:
        """(seconds, loss) of each training step the worker ran in one turn: steps ``first``,
        ``first + 1``, ... back to back until ``seconds`` have passed and ``steps`` are done."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"run {first} {seconds!r} {steps}\n")
        self.proc.stdin.flush()
        reply = self._reply()
        if reply.startswith("error"):
            raise RuntimeError(reply)
        numbers = [float(x) for x in reply.split()]
        return list(zip(numbers[0::2], numbers[1::2]))

    def close(self) -> None:
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_scenario(scenario: Scenario, log: bool = True) -> list[Result]:
    """Run every (peer, recipe) of ``scenario`` with alternating steps; one Result each."""
    pairs = [(name, recipe) for recipe in scenario.recipes for name in scenario.peers]
    results = [Result(name, recipe) for name, recipe in pairs]
    workers: list[Worker | None] = []
    with tempfile.TemporaryDirectory(prefix="minitorch-bench-") as tmp:
        paths = {}
        for j, recipe in enumerate(scenario.recipes):
            paths[recipe] = os.path.join(tmp, f"problem{j}.npz")
            save_problem(make_problem(recipe), paths[recipe])
        for (name, recipe), result in zip(pairs, results):
            reason = PEER_BY_NAME[name].missing()
            if reason is not None:
                result.status = reason
                workers.append(None)
                continue
            workers.append(Worker(name, paths[recipe]))
        for i, worker in enumerate(workers):
            if worker is not None and (status := worker.ready()) != "ready":
                results[i].status = status
                worker.close()
                workers[i] = None
    active = [i for i, worker in enumerate(workers) if worker is not None]
    deadline = time.perf_counter() + scenario.budget

    def needs_more(i: int) -> bool:
        """After the deadline a worker goes on only to finish what it must: min_steps, or
        the recipe's whole first pass for the ``finish`` peers."""
        result = results[i]
        must = result.recipe.steps if result.peer in scenario.finish else scenario.min_steps
        return result.timed < must

    rnd = 0
    while active:
        if time.perf_counter() > deadline:
            active = [i for i in active if needs_more(i)]
        order = active[rnd % len(active) :] + active[: rnd % len(active)] if active else []
        for i in order:
            worker, result = workers[i], results[i]
            assert worker is not None
            try:
                done = worker.turn(result.timed, scenario.turn, scenario.turn_steps)
            except (RuntimeError, ValueError, OSError) as exc:
                result.status = f"error at step {result.timed}: {exc}"
                active.remove(i)
                continue
            for elapsed, loss in done:
                if len(result.losses) < result.recipe.steps:
                    result.losses.append(loss)
                result.times.append(elapsed)
                result.rounds.append(rnd)
        rnd += 1
    for worker in workers:
        if worker is not None:
            worker.close()
    if log:
        for result in results:
            line = (
                f"{result.status}"
                if not result.ok
                else (
                    f"{result.median * 1e3:10.3f} ms/step  ({result.timed} steps timed, "
                    f"loss at step {result.steps - 1}: {result.last_loss!r})"
                )
            )
            print(f"  [{result.recipe.label}] {result.peer:55s} {line}", flush=True)
    return results


def paired_ratio(a: Result, b: Result) -> float:
    """a's time per step over b's: in every round where both had a turn, the ratio of their
    medians in that round, and then the median of those ratios. Turns of one round run
    seconds apart, so a drift in the machine's speed over the run (other tenants, clock
    changes) falls on both sides of each ratio alike."""
    mine, theirs = a.round_medians(), b.round_medians()
    ratios = [mine[r] / theirs[r] for r in mine if r in theirs]
    if not ratios:
        return a.median / b.median
    return statistics.median(ratios)
