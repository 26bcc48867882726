"""One implementation in a process of its own: ``python -m benchmarks.worker PEER PROBLEM.npz``.

The parent (:mod:`.harness`) talks to it over stdin/stdout, one line at a time:

- the worker builds the implementation, then writes ``ready`` (or ``error: ...``);
- the parent writes ``run J SECONDS STEPS`` (a turn); the worker runs training steps J,
  J+1, ... back to back until SECONDS have passed and STEPS are done, each timed with
  ``perf_counter`` around exactly that step (the collector in its normal state) and followed
  by the implementation's untimed ``after_step()``, and writes ``SECONDS LOSS`` for each on
  one line (or ``error: ...``). Step J is step J mod ``steps`` of the recipe: after the last
  step the implementation is built again from the same starting weights (untimed) and the
  recipe starts over, so that a fast implementation is timed for as long as a slow one;
- ``quit`` (or end of input) ends it.

The worker imports only what its implementation needs (numpy for the problem's arrays, then
whatever the implementation imports itself); the parent sets the thread counts of the
numerical libraries in its environment before it starts (see :func:`.harness.worker_env`).
"""

from __future__ import annotations

import gc
import os
import sys
import time
import traceback


def main(argv: list[str]) -> int:
    peer_name, problem_path = argv
    # The protocol owns the real stdout; anything an implementation prints goes to stderr.
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    sys.stdout = sys.stderr

    from .peers import PEER_BY_NAME
    from .workload import load_problem

    problem = load_problem(problem_path)
    factory = PEER_BY_NAME[peer_name].factory
    steps = problem.recipe.steps
    try:
        impl = factory(problem)
    except Exception as exc:
        traceback.print_exc()
        channel.write(f"error: {type(exc).__name__}: {exc}\n")
        return 1
    gc.collect()  # once, before the first step: the build's garbage is not a step's
    channel.write("ready\n")
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        j, seconds, at_least = int(command[1]), float(command[2]), int(command[3])
        done: list[str] = []
        try:
            turn_start = time.perf_counter()
            while True:
                k = j % steps
                if k == 0 and j > 0:  # the recipe again, from the same starting weights
                    impl.close()
                    impl = factory(problem)
                start = time.perf_counter()
                loss = impl.step(k)
                elapsed = time.perf_counter() - start
                impl.after_step()
                done.append(f"{elapsed!r} {float(loss)!r}")
                j += 1
                if len(done) >= at_least and time.perf_counter() - turn_start >= seconds:
                    break
        except Exception as exc:
            traceback.print_exc()
            channel.write(f"error: {type(exc).__name__}: {exc}\n")
            continue
        channel.write(" ".join(done) + "\n")
    impl.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
