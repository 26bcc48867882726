"""``minitorch-nn train``: an end-to-end run in a subprocess, the final numbers every report
gives, the GIF, and the exits of a failed or interrupted run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image

from minitorch_nn.cli import TrainConfig, main
from minitorch_nn.data import load_dataset, train_test_split
from minitorch_nn.io.checkpoint import load_model
from minitorch_nn.train import evaluate, fit


def test_train_end_to_end_writes_every_file(tmp_path, run_cli):
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
