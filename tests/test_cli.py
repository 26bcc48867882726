"""The ``minitorch-nn`` command: an end-to-end run in a subprocess, and every error exit."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from minitorch_nn import __version__
from minitorch_nn.cli import MAX_PARAMETERS, MAX_SAMPLES, TrainConfig, main
from minitorch_nn.data import list_datasets, load_dataset, train_test_split
from minitorch_nn.io.checkpoint import load_model
from minitorch_nn.train import evaluate, fit

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
    for name in ("decision_boundary.png", "history.png", "metrics.json", "model.safetensors"):
        path = out / name
        assert path.stat().st_size > 1000, name
        assert str(path) in result.stdout  # the summary says where the files are
    assert (out / "decision_boundary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["accuracy"] >= 0.97
    assert 0.0 <= metrics["val_accuracy"] <= 1.0
    assert metrics["epochs"] == 60 and len(metrics["history"]) == 60
    assert metrics["config"]["loss"] == "hinge" and metrics["config"]["lr"] == 1.0
    assert metrics["config"]["hidden"] == [8, 8]
    assert metrics["config"]["validation_fraction"] == 0.25
    assert metrics["seconds"] > 0
    assert "Traceback" not in result.stderr
    model = load_model(out / "model.safetensors")
    assert model.config() == metrics["model"]


def test_every_report_of_a_run_gives_the_same_final_numbers(tmp_path, capsys, monkeypatch):
    # the final loss is defined once (History's last record: the model at the end of the last
    # epoch); the summary, metrics.json, both pictures and the saved model agree on it
    import minitorch_nn.plot as plot

    texts: dict[str, list[str]] = {}
    save_figure = plot.save_figure

    def record_texts(fig, path, **kwargs):
        figure = fig.figure if hasattr(fig, "figure") else fig
        texts[Path(path).name] = [
            t.get_text() for ax in figure.axes for t in [ax.title, *ax.get_legend().get_texts()]
        ]
        return save_figure(fig, path, **kwargs)

    monkeypatch.setattr(plot, "save_figure", record_texts)
    out = tmp_path / "run"
    args = ["train", "--n-samples", "60", "--epochs", "15", "--hidden", "6", "--seed", "3"]
    assert main([*args, "--batch-size", "16", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    final = metrics["history"][-1]
    assert {k: metrics[k] for k in ("loss", "accuracy", "val_loss", "val_accuracy")} == {
        k: final[k] for k in ("loss", "accuracy", "val_loss", "val_accuracy")
    }
    # the saved model, evaluated on the same split, gives exactly these numbers
    X, y = load_dataset("moons", 60, 0.1, seed=3)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, seed=3)
    model = load_model(out / "model.safetensors")
    assert evaluate(model, X_train, y_train) == {
        "loss": metrics["loss"],
        "accuracy": metrics["accuracy"],
    }
    assert evaluate(model, X_val, y_val)["loss"] == metrics["val_loss"]
    loss, acc = f"{metrics['loss']:.4g}", f"{metrics['accuracy']:.1%}"
    val_loss, val_acc = f"{metrics['val_loss']:.4g}", f"{metrics['val_accuracy']:.1%}"
    summary = capsys.readouterr().out
    assert f"final loss {loss}, accuracy {acc}; validation loss {val_loss}, accuracy {val_acc}" in (
        summary
    )
    boundary = texts["decision_boundary.png"][0]
    assert f"loss {loss}" in boundary and f"accuracy {acc} train, {val_acc} validation" in boundary
    history_legend = texts["history.png"]
    assert f"train (final {loss})" in history_legend
    assert f"validation (final {val_loss})" in history_legend
    assert f"validation (final {val_acc})" in history_legend
    words = summary.split("Wrote:")[0] + boundary + " ".join(history_legend)
    assert re.search(r"\btest\b", words) is None  # one word for the held-out set: validation


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
            "--validation-fraction",
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
    assert metrics["val_accuracy"] is None and metrics["val_loss"] is None
    with Image.open(out / "training.gif") as gif:  # as large as the picture, last frame held
        assert gif.size == Image.open(out / "decision_boundary.png").size
        durations = []
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
    assert gif.n_frames == 4  # before training and epochs 1, 2, 3
    assert durations[-1] >= durations[0] + 1900


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
        (["train", "--lr", "-0.5"], "--lr: expected a finite number > 0, got '-0.5'"),
        (["train", "--lr", "nan"], "--lr: expected a finite number > 0"),
        (["train", "--lr", "inf"], "--lr: expected a finite number > 0, got 'inf'"),
        (["train", "--noise", "inf"], "--noise: expected a number from 0 to 100"),
        (["train", "--noise", "1e300"], "--noise: expected a number from 0 to 100"),
        (["train", "--l2", "-1"], "--l2: expected a number from 0 to 10"),
        (["train", "--l2", "1e308"], "--l2: expected a number from 0 to 10"),
        (["train", "--hidden", "16", "0"], "--hidden: expected an integer from 1"),
        (["train", "--epochs", "0"], "--epochs: expected an integer from 1"),
        (["train", "--n-samples", "many"], "--n-samples: expected an integer from 1"),
        (
            ["train", "--n-samples", "1"],
            # ceil(0.25 * 37) = 10 validation points is the first split with 10 of each
            "leaves 0 training and 1 validation point; each set needs at least 10; "
            "use --n-samples 37 or more",
        ),
        (
            ["train", "--dataset", "spiral", "--n-samples", "2", "--validation-fraction", "0"],
            "spiral has 3 classes and needs a point of each; use --n-samples 3 or more",
        ),
        (["train", "--n-samples", "3"], "leaves 2 training and 1 validation point;"),
        (
            ["train", "--n-samples", "20", "--validation-fraction", "0.9"],
            "leaves 2 training and 18 validation points; each set needs at least 10; "
            "use --n-samples 100 or more",
        ),
        (
            ["train", "--n-samples", "20", "--validation-fraction", "0.9999999"],
            "no --n-samples within the limit works",
        ),
        (["train", "--seed", "4294967296"], "--seed: expected an integer from 0 to 4294967295"),
        (["train", "--seed", "-1"], "--seed: expected an integer from 0 to 4294967295"),
        (
            ["train", "--validation-fraction", "1.5"],
            "--validation-fraction: expected a fraction in [0, 1)",
        ),
        (["train", "--test-size", "0.2"], "unrecognized arguments: --test-size"),
        (["train", "--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
        (["train", "--engine", "gpu"], "invalid choice: 'gpu'"),
        (["train", "--dataset", "spiral", "--loss", "hinge"], "use --loss cross_entropy"),
        (["train", "--bogus"], "unrecognized arguments: --bogus"),
        (["playground", "--port", "70000"], "--port: expected a port number from 1 to 65535"),
        (["playground", "--port", "0"], "--port: expected a port number from 1 to 65535"),
        (["playground", "--host", "no such host!"], "--host: expected an IP address or a host"),
        ([], "required: {train,datasets,playground}"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, message, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # nothing may be written: checked below
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert message in lines[0]
    assert lines[0].startswith("minitorch-nn")
    assert captured.out == "" and not any(tmp_path.iterdir())  # refused before any work


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--n-samples", "1000000000000"], f"to {MAX_SAMPLES:,} (the limit)"),
        (["--hidden", "100000", "100000"], f"the limit is {MAX_PARAMETERS:,}"),
        (["--hidden", "1000", "1000", "1000"], f"the limit is {MAX_PARAMETERS:,}"),
        (["--n-samples", "1000000", "--hidden", "256", "256"], "GiB available"),
    ],
)
def test_resource_limits_are_refused_before_any_work(args, message):
    # in a subprocess: a limit that failed to hold would show as a traceback or a slow run
    result = run_cli("train", *args, "--out", "never-written")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert result.stdout == ""


def test_the_memory_estimate_scales_with_the_engine_and_batch(monkeypatch, tmp_path, capsys):
    from minitorch_nn import cli

    monkeypatch.setattr(cli, "_available_memory", lambda: 2**30)  # 1 GiB
    args = ["train", "--n-samples", "100000", "--hidden", "32", "32", "--out", str(tmp_path / "r")]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "on the scalar engine needs about" in capsys.readouterr().err
    # the same data in minibatches (or on the tensor engine) fits: the estimate lets it through
    config = cli._check_config(
        TrainConfig(n_samples=100_000, hidden=[32, 32], batch_size=64, out=str(tmp_path))
    )
    assert config.batch_size == 64
    cli._check_config(TrainConfig(n_samples=100_000, hidden=[32, 32], engine="tensor"))


def test_a_memory_error_anywhere_is_one_line(monkeypatch, tmp_path, capsys):
    import minitorch_nn.train as train

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(train, "fit", out_of_memory)
    status = main(["train", "--epochs", "1", "--quiet", "--out", str(tmp_path / "run")])
    assert status == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "out of memory" in lines[0]


def test_ctrl_c_during_training_writes_the_files_and_exits_130(monkeypatch, tmp_path, capsys):
    from minitorch_nn.train import LambdaCallback

    def interrupt_at_epoch_3(epoch, model, logs):
        if epoch == 3:
            raise KeyboardInterrupt

    real_fit = fit

    def fit_with_ctrl_c(*args, **kwargs):
        kwargs["callbacks"] = [*kwargs["callbacks"], LambdaCallback(interrupt_at_epoch_3)]
        return real_fit(*args, **kwargs)

    import minitorch_nn.train as train

    monkeypatch.setattr(train, "fit", fit_with_ctrl_c)
    out = tmp_path / "run"
    assert main(["train", "--epochs", "50", "--n-samples", "60", "--out", str(out)]) == 130
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] and metrics["epochs"] == 3
    assert metrics["loss"] == metrics["history"][-1]["loss"]
    assert (out / "model.safetensors").exists()
    assert "Done (interrupted): 3 epochs" in capsys.readouterr().out


def test_divergence_names_only_cli_flags(tmp_path, capsys):
    status = main(
        ["train", "--lr", "1e6", "--loss", "mse", "--epochs", "3", "--quiet"]
        + ["--out", str(tmp_path / "run")]
    )
    assert status == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "training diverged" in lines[0] and "--lr" in lines[0]
    assert "nan_guard" not in err


def test_help_gives_one_default_per_option_and_help_for_every_option(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    flat = " ".join(text.split())
    assert "(default: full) (default: None)" not in flat and "{'sgd'" not in flat
    for line in text.splitlines():
        assert line.count("default") <= 1, line
    options = "--dataset --n-samples --noise --validation-fraction --hidden --activation "
    options += "--engine --loss --optimizer --lr --schedule --l2 --epochs --batch-size --seed "
    for option in (options + "--out --gif --quiet").split():
        entry = re.search(rf"^  {option}\b.*?(?=^  -|\Z)", text, flags=re.M | re.S)
        assert entry is not None, option
        words = entry.group(0).split()
        assert len(words) > 3, f"{option} has no help text: {entry.group(0)!r}"
    assert f"{MAX_SAMPLES:,}" in flat and f"{MAX_PARAMETERS:,}" in flat  # the limits
    assert "sgd 1, momentum 0.1, adam 0.05" in flat  # the per-optimizer lr, readable


def test_playground_passes_its_options_to_serve(monkeypatch):
    import minitorch_nn.playground as playground

    calls = []
    monkeypatch.setattr(playground, "serve", lambda **kwargs: calls.append(kwargs))
    assert main(["playground"]) == 0
    assert main(["playground", "--port", "8123", "--host", "0.0.0.0", "--no-browser"]) == 0
    assert calls == [
        {"host": "127.0.0.1", "port": 8000, "open_browser": True},
        {"host": "0.0.0.0", "port": 8123, "open_browser": False},
    ]


def test_playground_that_cannot_listen_is_one_line(monkeypatch, capsys):
    import minitorch_nn.playground as playground

    def port_taken(**kwargs):
        raise OSError("cannot listen on 127.0.0.1:8000 (Address already in use)")

    monkeypatch.setattr(playground, "serve", port_taken)
    assert main(["playground", "--no-browser"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "Address already in use" in lines[0]


def test_other_commands_do_not_import_the_playground():
    code = "import sys; from minitorch_nn.cli import main; main(['datasets']); " + (
        "print('minitorch_nn.playground' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_a_split_message_suggests_only_what_would_work(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--dataset", "spiral", "--n-samples", "2"])
    # --validation-fraction 0 would still leave 2 points for 3 classes: not suggested
    assert capsys.readouterr().err.strip().endswith("use --n-samples 37 or more")
    with pytest.raises(SystemExit):
        main(["train", "--dataset", "spiral", "--n-samples", "5"])
    assert capsys.readouterr().err.strip().endswith("or --validation-fraction 0")


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
