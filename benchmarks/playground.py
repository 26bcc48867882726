"""``python -m benchmarks.playground [--seconds S] [--out FILE]``: is the playground alive?

The issue's targets for the default network (two hidden layers of 4, 500 points, tensor
engine): at least 30 epochs of training per second and 10 redraws per second of the output
and neuron heatmaps. Measured here, each over ``--seconds`` (default 5) per round, 3 rounds,
the median kept:

1. training alone: one ``Session.train`` call (fit with the callbacks that record the train
   and test loss after every epoch) for the whole measurement;
2. the server while a tab plays: a client posting ``/api/play`` as the page does, one request
   after another; epochs/s and frames/s (each frame is the heatmaps of the output and every
   neuron, the weights and the losses) as the page receives them;
3. a frame alone: ``Session.frame()`` and its JSON, per second;
4. in headless Chromium (when /usr/bin/chromium exists): the page's own redraw of a frame
   (decode, paint the output and every neuron's canvas, the points, links and the loss
   curve) per second, and epochs/s and redraws/s of a playing tab, end to end;
5. the scalar engine's training alone, for comparison (the page says it is slower);
6. memory of 100 sessions opened and dropped (tracemalloc).

Writes benchmarks/results/playground.md.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from minitorch_nn.playground import make_server
from minitorch_nn.playground.server import dumps
from minitorch_nn.playground.session import Session
from minitorch_nn.playground.settings import Config
from minitorch_nn.playground.store import SessionStore

from .machine import describe

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TARGET_EPOCHS, TARGET_REDRAWS = 30.0, 10.0


def interleaved(
    measures: dict[str, Callable[[], dict[str, float]]], n: int = 3
) -> dict[str, dict[str, float]]:
    """Each measurement's median over ``n`` rounds; every round runs every measurement once,
    so that a change in the machine's load over the run falls on all of them alike."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in measures}
    for n_round in range(n):
        for name, measure in measures.items():
            runs[name].append(measure())
            shown = ", ".join(f"{k} {v:.1f}" for k, v in runs[name][-1].items())
            print(f"  round {n_round + 1}, {name}: {shown}", flush=True)
    return {
        name: {key: statistics.median(run[key] for run in results) for key in results[0]}
        for name, results in runs.items()
    }


def training_alone(config: Config, seconds: float) -> dict[str, float]:
    session = Session(config)
    session.train(epochs=3)  # warm
    start = time.perf_counter()
    epochs = session.train(budget=seconds)  # one fit call, epoch after epoch
    return {"epochs_per_s": epochs / (time.perf_counter() - start)}


def frame_alone(seconds: float) -> dict[str, float]:
    session = Session(Config())
    session.train(epochs=20)
    start, frames, size = time.perf_counter(), 0, 0
    while time.perf_counter() - start < seconds:
        size = len(dumps(session.frame(session.epoch)))
        frames += 1
    return {"frames_per_s": frames / (time.perf_counter() - start), "bytes": float(size)}


def post(port: int, action: str, body: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", f"/api/{action}", json.dumps(body), {"Content-Type": "application/json"})
    reply = json.loads(conn.getresponse().read())
    conn.close()
    return reply


def server_playing(port: int, seconds: float) -> dict[str, float]:
    tab = f"bench-{time.monotonic_ns()}"
    post(port, "open", {"session": tab, "config": {}})
    epoch, frames = 0, 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        frame = post(port, "play", {"session": tab, "since": epoch})["frame"]
        epoch, frames = frame["epoch"], frames + 1
    elapsed = time.perf_counter() - start
    post(port, "close", {"session": tab})
    return {"epochs_per_s": epoch / elapsed, "frames_per_s": frames / elapsed}


def in_chromium(url: str, seconds: float) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 980})
        page.goto(url)
        page.wait_for_function("window.__playground.frame !== null", timeout=120_000)
        page.evaluate("window.__playground.redraw(5)")  # warm
        redraw_ms = statistics.median(
            page.evaluate("window.__playground.redraw(20)") for _ in range(5)
        )
        page.click("[data-testid=play]")
        page.wait_for_function("window.__playground.lastEpoch >= 3", timeout=120_000)
        epoch0, draws0 = page.evaluate("[window.__playground.lastEpoch, window.__playground.draws]")
        page.wait_for_timeout(seconds * 1000)
        epoch1, draws1 = page.evaluate("[window.__playground.lastEpoch, window.__playground.draws]")
        browser.close()
    return {
        "redraws_per_s": 1000.0 / redraw_ms,
        "playing_epochs_per_s": (epoch1 - epoch0) / seconds,
        "playing_redraws_per_s": (draws1 - draws0) / seconds,
    }


def memory_of_sessions(port: int, store: SessionStore, n: int = 100) -> dict[str, float]:
    for k in range(2):  # warm: imports and caches
        post(port, "open", {"session": f"warm-{k:04d}", "config": {}})
        post(port, "close", {"session": f"warm-{k:04d}"})
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for k in range(n):
        post(port, "open", {"session": f"mem-{k:04d}", "config": {"seed": k}})
        post(port, "step", {"session": f"mem-{k:04d}"})
    held = tracemalloc.get_traced_memory()[0] - base
    for k in range(n):
        post(port, "close", {"session": f"mem-{k:04d}"})
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return {"held_mb": held / 1e6, "kept_mb": kept / 1e6, "sessions_left": float(len(store))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.playground", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "playground.md"
    )
    args = parser.parse_args(argv)
    seconds = args.seconds
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    machine = describe()
    print(f"playground benchmark: {seconds:g} s per measurement on {machine['cpu']}", flush=True)

    store = SessionStore(max_sessions=200)
    server = make_server("127.0.0.1", 0, store=store)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        measures: dict[str, Callable[[], dict[str, float]]] = {
            "training alone": lambda: training_alone(Config(), seconds),
            "server playing": lambda: server_playing(port, seconds),
            "frame alone": lambda: frame_alone(seconds),
        }
        if CHROMIUM.exists():
            measures["Chromium"] = lambda: in_chromium(server.url, seconds)
        results = interleaved(measures)
        train, playing = results["training alone"], results["server playing"]
        frame, browser = results["frame alone"], results.get("Chromium")
        scalar = training_alone(Config(engine="scalar"), seconds)
        print(f"  scalar engine, training alone: {scalar['epochs_per_s']:.1f} epochs/s")
        memory = memory_of_sessions(port, store)
        print(f"  100 sessions: {memory['held_mb']:.2f} MB, {memory['kept_mb']:.3f} MB after")
    finally:
        server.shutdown()
        server.server_close()

    redraws = browser["playing_redraws_per_s"] if browser else playing["frames_per_s"]
    epochs = browser["playing_epochs_per_s"] if browser else playing["epochs_per_s"]
    rows = [
        (
            "training alone (Session.train, fit + callbacks)",
            f"{train['epochs_per_s']:.1f} epochs/s",
        ),
        (
            "server, one tab playing (POST /api/play in a loop)",
            f"{playing['epochs_per_s']:.1f} epochs/s, {playing['frames_per_s']:.1f} frames/s",
        ),
        (
            "one frame alone (heatmaps + weights + JSON)",
            f"{frame['frames_per_s']:.1f} frames/s, {frame['bytes'] / 1024:.1f} KiB each",
        ),
    ]
    if browser:
        rows += [
            ("Chromium: the page redraws a frame", f"{browser['redraws_per_s']:.1f} redraws/s"),
            (
                "Chromium: a tab playing, end to end",
                f"{browser['playing_epochs_per_s']:.1f} epochs/s, "
                f"{browser['playing_redraws_per_s']:.1f} redraws/s",
            ),
        ]
    rows += [
        (
            "scalar engine, training alone (for comparison)",
            f"{scalar['epochs_per_s']:.1f} epochs/s",
        ),
        (
            "100 sessions opened (one step each), then dropped",
            f"{memory['held_mb']:.2f} MB held, {memory['kept_mb']:.3f} MB left after "
            f"({100 * memory['kept_mb'] / memory['held_mb']:.1f}%)",
        ),
    ]
    where = "in Chromium" if browser else "over HTTP (no Chromium here)"
    lines = [
        "# Benchmarks: the playground",
        "",
        f"Machine: {machine['cpu']} ({machine['cores']} cores), {machine['os']}; "
        f"{machine['python']}, numpy {machine['numpy']}. Run took "
        f"{time.perf_counter() - began:.0f} s, {seconds:g} s per measurement. Load average "
        f"(1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after: the 2 cores are "
        "shared, and every number here scales with the CPU time the run got.",
        "",
        "Default network: 2 hidden layers of 4 (tanh), 500 points (250 train), batch 10, SGD "
        "lr 0.03, squared error, tensor engine. Medians of 3 rounds, each running every "
        "measurement in turn (the scalar row: one run). "
        "Produced by `python -m benchmarks.playground`.",
        "",
        "| measurement | result |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---:|---|",
        f"| >= {TARGET_EPOCHS:g} epochs/s of training, a tab playing {where} | "
        f"{epochs:.1f} | {'yes' if epochs >= TARGET_EPOCHS else 'no'} |",
        f"| >= {TARGET_REDRAWS:g} redraws/s of the output and neuron heatmaps, a tab playing "
        f"{where} | {redraws:.1f} | {'yes' if redraws >= TARGET_REDRAWS else 'no'} |",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
