"""``python -m benchmarks [--quick] [--budget SECONDS] [--out DIR]``: run the suite.

The budget (seconds) can also come from the environment: ``MINITORCH_BENCH_BUDGET``.
A full run takes about 10 minutes, ``--quick`` about 2.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from . import memory
from . import peers as P
from .harness import Scenario, run_scenario
from .machine import describe
from .report import Run, write
from .workload import Recipe, make_problem

FULL_BUDGET = 540.0
QUICK_BUDGET = 100.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"budget {QUICK_BUDGET:.0f} s")
    parser.add_argument("--budget", type=float, default=None, help="seconds for the timed runs")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    budget = args.budget
    if budget is None:
        env = os.environ.get("MINITORCH_BENCH_BUDGET")
        budget = float(env) if env else (QUICK_BUDGET if args.quick else FULL_BUDGET)
    if budget <= 0:
        parser.error(f"--budget must be positive, got {budget}")

    start = time.perf_counter()
    run = Run(machine=describe(), budget=budget)
    print(f"benchmarks: budget {budget:.0f} s on {run.machine['cpu']}", flush=True)

    demo_peers = tuple(peer.name for peer in P.PEERS)
    run.demo = run_scenario(Scenario((Recipe(),), demo_peers, 0.42 * budget, finish=(P.SCALAR,)))
    # The vectorised implementations again at every size, in rounds of their own: their
    # turns of a round run within about two seconds of each other (in the demo scenario,
    # micrograd's turns of several seconds lie between them); the tensor targets use these.
    vectorised = (P.TENSOR, P.TORCH, P.NUMPY)
    sizes = tuple(Recipe(n_samples=n) for n in (100, 1000, 10000))
    run.vectorised = run_scenario(Scenario(sizes, vectorised, 0.15 * budget))
    # The scalar engine at four sizes in the same rounds, so that load on the machine
    # changes all four alike and the costs compare.
    grown = tuple(Recipe(n_samples=n, hidden=h) for h in (16, 32) for n in (100, 200, 400))
    run.growth = run_scenario(Scenario(grown, (P.SCALAR, P.SCALAR_PAUSED), 0.25 * budget))

    problem = make_problem(Recipe())
    print("memory: backward peak, flatness over 100 steps, micrograd growth", flush=True)
    run.peak = memory.backward_peak(problem)
    if P.PEER_BY_NAME[P.MG_FLOATS].missing() is None:
        run.micrograd_peak = memory.micrograd_backward_peak(problem)
        run.micrograd_growth = memory.micrograd_growth(problem)
    run.flat = memory.flatness(problem, 100)
    print("chain: 1,000,000 nodes", flush=True)
    run.chain = memory.chain(1_000_000)

    run.seconds = time.perf_counter() - start
    md, png = write(run, args.out)
    print(md.read_text())
    print(f"wrote {md} and {png}")


if __name__ == "__main__":
    main()
