"""``minitorch-nn train``: load the data, build the model, fit it, write the files.

A run writes decision_boundary.png, history.png, metrics.json and model.safetensors (and
training.gif with ``--gif``) into ``--out``. Every number it reports comes from the run's
History: the loss and accuracy of the model as it is at the end of each epoch. The last record
is "the final loss": the summary line, metrics.json, history.png, the pictures and the GIF all
show it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .. import train as training  # looked up at call time: tests replace training.fit
from .._version import __version__
from ..data import load_dataset, train_test_split
from ..io.checkpoint import save_model
from ..optim import schedules
from ..train.engines import get_engine
from .checks import check_config, n_outputs, prepare_out
from .config import TrainConfig

GRID_RESOLUTION = 100  # decision-boundary picture and GIF frames: 100 x 100 grid points
GIF_FRAMES = 20


def lr_schedule(config: TrainConfig) -> Any:
    """The learning rate by epoch: linear falls to 0.1 * lr, cosine to 0.01 * lr."""
    assert config.lr is not None
    if config.schedule == "linear":
        return schedules.linear_decay(config.lr, 0.1, config.epochs)
    if config.schedule == "cosine":
        return schedules.cosine(config.lr, config.epochs, lr_min=0.01 * config.lr)
    return schedules.constant(config.lr)


def build_model(config: TrainConfig, nin: int, n_out: int) -> Any:
    """The MLP ``config`` asks for, on the engine the registry gives for ``--engine`` (the
    same weights on every engine for the same seed)."""
    mlp = get_engine(config.engine).mlp
    return mlp(nin, [*config.hidden, n_out], activation=config.activation, seed=config.seed)


def split(config: TrainConfig, X: np.ndarray, y: np.ndarray) -> tuple[Any, Any, Any, Any]:
    """(X_train, X_val, y_train, y_val); no validation set when the fraction is 0."""
    if config.validation_fraction == 0:
        return X, None, y, None
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=config.validation_fraction, seed=config.seed
    )
    return X_train, X_val, y_train, y_val


def describe_final(logs: dict[str, Any]) -> str:
    """The final numbers of a run, in the words and formats of the pictures: "final loss
    0.009266, accuracy 100.0%; validation loss 0.0213, accuracy 98.0%"."""
    if not logs:
        return "no epoch finished"
    text = f"final loss {logs['loss']:.4g}, accuracy {logs['accuracy']:.1%}"
    if logs.get("val_loss") is not None:
        text += f"; validation loss {logs['val_loss']:.4g}, accuracy {logs['val_accuracy']:.1%}"
    return text


def run_train(config: TrainConfig) -> dict[str, Any]:
    """Train as ``config`` says, write the files, return the metrics (also in metrics.json)."""
    config = check_config(config)
    assert config.out is not None and config.loss is not None
    out = prepare_out(config.out)
    X, y = load_dataset(config.dataset, config.n_samples, config.noise, seed=config.seed)
    X_train, X_val, y_train, y_val = split(config, X, y)
    n_out = n_outputs(config.loss, int(y.max()) + 1)
    model = build_model(config, X.shape[1], n_out)
    say = (lambda *a: None) if config.quiet else (lambda *a: print(*a, flush=True))
    say(
        f"Training MLP(2, {[*config.hidden, n_out]}, {config.activation}) with "
        f"{model.num_parameters()} parameters on {config.dataset}: {len(X_train)} training / "
        f"{0 if X_val is None else len(X_val)} validation points; loss {config.loss}, "
        f"{config.optimizer} lr {config.lr:g} ({config.schedule}), {config.epochs} epochs, "
        f"engine {config.engine}"
    )

    recorder = None
    callbacks: list[Any] = []
    if config.gif:
        # plot (and matplotlib) load only when a run draws: the other commands start without
        from ..plot import BoundaryRecorder

        every = max(1, config.epochs // GIF_FRAMES)
        bounds_of = X if X_val is None else np.concatenate([X_train, X_val])
        recorder = BoundaryRecorder(bounds_of, every=every, resolution=GRID_RESOLUTION)
        callbacks.append(recorder)

    start = time.perf_counter()
    # Overflow is reported once, as a divergence (fit's nan guard), not as numpy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            history = training.fit(
                model,
                X_train,
                y_train,
                loss=config.loss,
                optimizer=config.optimizer,
                lr=config.lr,
                epochs=config.epochs,
                batch_size=config.batch_size,
                lr_schedule=lr_schedule(config),
                l2=config.l2,
                X_val=X_val,
                y_val=y_val,
                callbacks=callbacks,
                verbose=not config.quiet,
                seed=config.seed,
            )
        except FloatingPointError as exc:
            reason = str(exc).split(";")[0]  # fit's advice names Python arguments, not flags
            other = "" if config.optimizer == "adam" else " or --optimizer adam"
            raise FloatingPointError(
                f"training diverged: {reason}; try a smaller --lr (it was {config.lr:g}){other}"
            ) from None
        seconds = time.perf_counter() - start
        final = history.to_dict()["epochs"][-1] if len(history) else {}
        data = (X_train, y_train, X_val, y_val)
        paths = write_pictures_and_model(out, model, history, config, data, recorder)
    metrics = {
        # the final numbers: History's last record, the model as plotted and saved
        "loss": final.get("loss"),
        "accuracy": final.get("accuracy"),
        "val_loss": final.get("val_loss"),
        "val_accuracy": final.get("val_accuracy"),
        "epochs": len(history),
        "seconds": round(seconds, 3),
        "interrupted": history.interrupted,
        "n_parameters": model.num_parameters(),
        "version": __version__,
        "config": asdict(config),
        "model": model.config(),
        "history": history.to_dict()["epochs"],
    }
    metrics_path = out / "metrics.json"
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n")
    paths.insert(2, metrics_path)
    stopped = " (interrupted)" if history.interrupted else ""
    say(f"Done{stopped}: {len(history)} epochs in {seconds:.1f} s; {describe_final(history.last)}")
    say("Wrote:\n" + "\n".join(f"  {p}" for p in paths))
    return metrics


def write_pictures_and_model(
    out: Path,
    model: Any,
    history: Any,
    config: TrainConfig,
    data: tuple[Any, Any, Any, Any],
    recorder: Any,
) -> list[Path]:
    """Write decision_boundary.png, history.png (after an epoch), model.safetensors and, with
    a recorder, training.gif into ``out``; return their paths in that order."""
    import matplotlib  # start-up time: only a run that draws loads it

    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")  # files only: never open a window
    from ..plot import (
        animate_training,
        frame_title,
        plot_decision_boundary,
        plot_history,
        save_figure,
    )

    X_train, y_train, X_val, y_val = data
    # the GIF's last frame and this picture show the same model under the same title
    title = f"{config.dataset}, {frame_title(len(history), history.last)}"
    ax = plot_decision_boundary(
        model, X_train, y_train, resolution=GRID_RESOLUTION, title=title, X_val=X_val, y_val=y_val
    )
    paths = [save_figure(ax, out / "decision_boundary.png", close=True)]
    if len(history):
        axes = plot_history(history)
        axes[0].figure.suptitle(f"{config.dataset}: training history")
        paths.append(save_figure(axes[0], out / "history.png", close=True))
    paths.append(save_model(model, out / "model.safetensors"))
    if recorder is not None:
        paths.append(
            animate_training(
                recorder, X_train, y_train, out / "training.gif", X_val=X_val, y_val=y_val
            )
        )
    return paths
