"""The ``minitorch-nn`` command: an end-to-end run in a subprocess, and every error exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from minitorch_nn import __version__
from minitorch_nn.checkpoint import load_model
from minitorch_nn.cli import TrainConfig, main
from minitorch_nn.data import list_datasets

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m minitorch_nn ARGS`` with this checkout on PYTHONPATH."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "minitorch_nn", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def test_train_end_to_end_writes_every_file(tmp_path):
    out = tmp_path / "run"
    # the default recipe (hinge, SGD 1.0 -> 0.1, L2 1e-4) on a smaller problem, to keep it quick
    result = run_cli(
        "train", "--n-samples", "80", "--epochs", "60", "--hidden", "8", "8", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    for name in ("decision_boundary.png", "history.png", "metrics.json", "model.npz"):
        path = out / name
        assert path.stat().st_size > 1000, name
        assert str(path) in result.stdout  # the summary says where the files are
    assert (out / "decision_boundary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["train_accuracy"] >= 0.97
    assert 0.0 <= metrics["test_accuracy"] <= 1.0
    assert metrics["epochs"] == 60 and len(metrics["history"]) == 60
    assert metrics["config"]["loss"] == "hinge" and metrics["config"]["lr"] == 1.0
    assert metrics["config"]["hidden"] == [8, 8]
    assert metrics["seconds"] > 0
    assert "train accuracy" in result.stdout
    assert "Traceback" not in result.stderr
    model = load_model(out / "model.npz")
    assert model.config() == metrics["model"]


def test_gif_and_multiclass_in_process(tmp_path, capsys):
    out = tmp_path / "spiral"
    status = main(
        [
            "train",
            "--dataset",
            "spiral",
            "--n-samples",
            "30",
            "--epochs",
            "3",
            "--hidden",
            "4",
            "--optimizer",
            "adam",
            "--test-size",
            "0",
            "--gif",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    assert capsys.readouterr().out == ""  # --quiet
    assert (out / "training.gif").read_bytes()[:6] in (b"GIF89a", b"GIF87a")
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["loss"] == "cross_entropy"  # chosen for 3 classes
    assert metrics["model"]["nouts"] == [4, 3]
    assert metrics["test_accuracy"] is None


def test_defaults_are_the_documented_recipe():
    config = TrainConfig()
    assert (config.dataset, config.n_samples, config.hidden, config.epochs) == (
        "moons",
        200,
        [16, 16],
        100,
    )
    assert (config.optimizer, config.schedule, config.l2, config.engine) == (
        "sgd",
        "linear",
        1e-4,
        "scalar",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["train", "--lr", "-0.5"], "--lr: expected a number > 0, got '-0.5'"),
        (["train", "--lr", "nan"], "--lr: expected a number > 0"),
        (["train", "--hidden", "16", "0"], "--hidden: expected an integer >= 1, got '0'"),
        (["train", "--epochs", "0"], "--epochs: expected an integer >= 1"),
        (["train", "--n-samples", "many"], "--n-samples: expected an integer >= 1"),
        (["train", "--test-size", "1.5"], "--test-size: expected a fraction in [0, 1)"),
        (["train", "--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
        (["train", "--engine", "gpu"], "invalid choice: 'gpu'"),
        (["train", "--dataset", "spiral", "--loss", "hinge"], "use --loss cross_entropy"),
        (["train", "--bogus"], "unrecognized arguments: --bogus"),
        ([], "required: {train,datasets}"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert message in lines[0]
    assert lines[0].startswith("minitorch-nn")


def test_unwritable_out_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SystemExit) as exc:
        main(["train", "--epochs", "1", "--out", str(blocker / "run")])
    assert exc.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--out" in lines[0] and "cannot write" in lines[0]


@pytest.mark.parametrize("args", [["train", "--dataset", "mnist"], ["train", "--out", "{file}/x"]])
def test_error_exits_in_a_subprocess_have_no_traceback(args, tmp_path):
    (tmp_path / "file").write_text("")
    result = run_cli(*[a.format(file=tmp_path / "file") for a in args], cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"minitorch-nn {__version__}"


def test_datasets_lists_every_dataset(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.strip().splitlines()]
    assert listed == list_datasets()
