"""Run implementations side by side on one recipe: alternating steps, a time budget, medians.

Every implementation trains from the same data and weights. Round k runs step k of every
implementation still going (the order rotates each round so that none always goes first),
timing each step alone. Objects that exist before the first step (modules such as torch,
data, models) are frozen with ``gc.freeze()`` and every step is preceded by an untimed
``gc.collect()``: no implementation pays for collecting another's garbage (micrograd leaves
tens of MiB of reference cycles per step) or for scanning the harness's imports, while the
collector's cost on an implementation's own objects within its step is timed. Slow
implementations stop once the scenario's budget is spent and they have done ``min_steps``
steps; fast ones run all of the recipe's steps. Each result
keeps the loss of its last step, so a fast but wrong implementation shows.
"""

from __future__ import annotations

import gc
import statistics
import time
import traceback
from dataclasses import dataclass, field

from .peers import PEER_BY_NAME, Impl, Peer
from .workload import Problem, Recipe, make_problem


@dataclass
class Result:
    """One implementation on one recipe."""

    peer: str
    recipe: Recipe
    times: list[float] = field(default_factory=list)  # seconds per step, in step order
    losses: list[float] = field(default_factory=list)
    status: str = "ok"  # or "not available (...)" / "error: ..."

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.times)

    @property
    def steps(self) -> int:
        return len(self.times)

    @property
    def median(self) -> float:
        """Median seconds per step (step 0 left out when there are others: first-call costs)."""
        return self.median_of(len(self.times))

    def median_of(self, steps: int) -> float:
        """Median over the first ``steps`` steps only (step 0 left out likewise): for a ratio
        against a peer that ran only those rounds, measured under the same conditions."""
        times = self.times[:steps]
        times = times[1:] if len(times) > 2 else times
        return statistics.median(times)

    @property
    def mean(self) -> float:
        """Mean seconds per step (step 0 left out likewise): shows amortised collector pauses."""
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


def _build(peer: Peer, problem: Problem, result: Result) -> Impl | None:
    reason = peer.missing()
    if reason is not None:
        result.status = reason
        return None
    try:
        return peer.factory(problem)
    except Exception as exc:  # a broken peer is reported, not fatal to the suite
        result.status = f"error: {type(exc).__name__}: {exc}"
        traceback.print_exc()
        return None


def run_scenario(scenario: Scenario, log: bool = True) -> list[Result]:
    """Run every (peer, recipe) of ``scenario`` with alternating steps; one Result each."""
    problems = {recipe: make_problem(recipe) for recipe in scenario.recipes}
    pairs = [(name, recipe) for recipe in scenario.recipes for name in scenario.peers]
    results = [Result(name, recipe) for name, recipe in pairs]
    impls: list[Impl | None] = [
        _build(PEER_BY_NAME[name], problems[recipe], result)
        for (name, recipe), result in zip(pairs, results)
    ]
    active = [i for i, impl in enumerate(impls) if impl is not None]
    # Freeze what exists now (modules, data, models) so that the collector's cost inside a
    # step is each implementation's own, not a scan of torch's objects; then collect before
    # every step (untimed, and cheap once the rest is frozen).
    gc.collect()
    gc.freeze()
    steps = max(recipe.steps for recipe in scenario.recipes)
    deadline = time.perf_counter() + scenario.budget
    for k in range(steps):
        active = [i for i in active if k < results[i].recipe.steps]
        if not active:
            break
        order = active[k % len(active) :] + active[: k % len(active)]
        for i in order:
            impl, result = impls[i], results[i]
            assert impl is not None
            gc.collect()  # untimed: no step pays for collecting another's garbage
            try:
                start = time.perf_counter()
                loss = impl.step(k)
                elapsed = time.perf_counter() - start
                impl.after_step()
            except Exception as exc:
                result.status = f"error at step {k}: {type(exc).__name__}: {exc}"
                traceback.print_exc()
                active.remove(i)
                continue
            result.times.append(elapsed)
            result.losses.append(loss)
        if time.perf_counter() > deadline and k + 1 >= scenario.min_steps:
            slow = [
                i
                for i in active
                if results[i].peer not in scenario.finish
                and results[i].median * (steps - k - 1) > 0.1 * scenario.budget
            ]
            for i in slow:  # out of budget: stop those that would need long to finish
                active.remove(i)
    gc.unfreeze()
    for impl in impls:
        if impl is not None:
            impl.close()
    if log:
        for result in results:
            line = (
                f"{result.status}"
                if not result.ok
                else (
                    f"{result.median * 1e3:10.3f} ms/step  ({result.steps} steps, "
                    f"loss at step {result.steps - 1}: {result.last_loss!r})"
                )
            )
            print(f"  [{result.recipe.label}] {result.peer:55s} {line}", flush=True)
    return results
