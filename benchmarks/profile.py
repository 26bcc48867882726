"""Where a training step of the scalar engine spends its time: cProfile over the demo recipe.

``python -m benchmarks.profile [--steps N] [--engine] [--out PATH]`` prints the top functions
by own time (and writes them to PATH) for N steps of the minitorch_nn scalar engine on the
demo recipe (n = 100, H = 16): through the public API (nn.MLP + losses + optim.SGD, the
benchmark's first row) or, with ``--engine``, the engine written directly.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
from pathlib import Path

from .peers import ScalarEngine, ScalarNN
from .workload import Recipe, make_problem


def profile_scalar(steps: int = 10, top: int = 20, engine: bool = False) -> str:
    """The cProfile table (sorted by own time) of ``steps`` demo-recipe steps."""
    problem = make_problem(Recipe())
    impl = ScalarEngine(problem) if engine else ScalarNN(problem)
    impl.step(0)  # warm up: first-call costs are not the steady state
    profiler = cProfile.Profile()
    profiler.enable()
    for k in range(1, steps + 1):
        impl.step(k)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--engine", action="store_true", help="the engine without nn/losses")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    text = profile_scalar(args.steps, engine=args.engine)
    print(text)
    if args.out is not None:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
