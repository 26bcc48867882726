"""Code written for micrograd runs on minitorch_nn with only its import lines changed.

``tests/micrograd_demo.py`` is micrograd's demo notebook and ``tests/micrograd_lecture.py`` the
training loop of its lecture, both with their imports pointed at minitorch_nn. The demo must
print micrograd's own numbers: same data, same starting weights from ``random.seed(1337)``,
same losses.
"""

from __future__ import annotations

import os
import random
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from minitorch_nn.engine import Value
from minitorch_nn.nn import MLP, Layer, Linear, Neuron

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# What micrograd's demo.ipynb printed (the outputs stored in its notebook).
MICROGRAD_FIRST_STEP = "step 0 loss 0.8958441028683222, accuracy 50.0%"
MICROGRAD_LAST_STEP = "step 99 loss 0.010978370135492717, accuracy 100.0%"


def run_alone(script: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter in ``cwd``, headless, the package importable."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, str(script)], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


def test_micrograds_demo_prints_micrograds_numbers(tmp_path: Path) -> None:
    source = (TESTS / "micrograd_demo.py").read_text()
    imports = [line for line in source.splitlines() if line.startswith("from minitorch_nn")]
    assert imports == [
        "from minitorch_nn.engine import Value",  # micrograd: from micrograd.engine import Value
        "from minitorch_nn.nn import Neuron, Layer, MLP",  # micrograd: from micrograd.nn ...
    ]
    result = run_alone(TESTS / "micrograd_demo.py", tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[1] == "number of parameters 337"
    steps = [line for line in lines if line.startswith("step ")]
    assert len(steps) == 100
    assert steps[0] == MICROGRAD_FIRST_STEP  # micrograd's starting weights
    assert steps[-1] == MICROGRAD_LAST_STEP  # and its last line, to the last digit


def test_lecture_loop_runs_and_its_loss_falls(capsys: pytest.CaptureFixture[str]) -> None:
    state = random.getstate()
    try:
        # With ReLU units and a step of 0.1 some starting weights leave every unit dead (the
        # loss then stays at 4.0); micrograd does the same from the same weights. 42 trains.
        random.seed(42)
        run = runpy.run_path(str(TESTS / "micrograd_lecture.py"))
    finally:
        random.setstate(state)
    printed = capsys.readouterr().out.splitlines()
    losses = [float(line.split()[1]) for line in printed]
    assert [int(line.split()[0]) for line in printed] == list(range(20))
    assert losses[-1] < 0.1 * losses[0]
    assert min(losses[-5:]) < min(losses[:5])
    assert all(isinstance(yout, Value) for yout in run["ypred"])  # one output: the Value
    assert isinstance(run["loss"], Value)


def test_same_starting_weights_as_micrograd_after_random_seed() -> None:
    state = random.getstate()
    try:
        random.seed(1337)
        expected = []  # micrograd's draw order: layer by layer, neuron by neuron, w then b = 0
        for nin, nout in [(2, 16), (16, 16), (16, 1)]:
            for _ in range(nout):
                expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
        random.seed(1337)
        model = MLP(2, [16, 16, 1])
    finally:
        random.setstate(state)
    assert [p.data for p in model.parameters()] == expected


def test_micrograds_names() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    # micrograd: Layer(sz[i], sz[i+1], nonlin=i != len(nouts)-1)
    assert [layer.activation for layer in model.layers] == ["relu", "relu", None]
    layer = Layer(3, 2, seed=0)  # micrograd's Layer defaults to ReLU neurons
    assert isinstance(layer, Linear) and layer.activation == "relu"
    assert Layer(3, 2, nonlin=False, seed=0).activation is None
    assert Neuron(3, nonlin=True, seed=0).activation == "relu"
    assert Value(-2.0).relu().data == 0.0 and Value(3.0).relu().data == 3.0
    out = model([0.5, -1.0])
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())
    assert len(model.parameters()) == 337
