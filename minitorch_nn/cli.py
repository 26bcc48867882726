"""The ``minitorch-nn`` command (also ``python -m minitorch_nn``).

    minitorch-nn train [--dataset moons] [--hidden 16 16] [--epochs 100] [--out runs/moons] ...
    minitorch-nn datasets
    minitorch-nn --version

``train`` fits an MLP on a 2-D toy dataset and writes into ``--out``: decision_boundary.png,
history.png, metrics.json, model.npz (and training.gif with ``--gif``). The defaults are the
demo recipe on 150 training points of moons (hinge loss + 1e-4 L2, SGD with the learning rate
falling linearly from 1.0 to 0.1, 100 full-batch epochs), which reaches 100% training accuracy.
Bad arguments exit with status 2 and one line on stderr; a failed run exits with status 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from ._version import __version__

PROG = "minitorch-nn"
# engine name -> the module whose MLP runs on it (imported only when chosen)
ENGINES = {"scalar": "minitorch_nn.nn", "tensor": "minitorch_nn.tensor.nn"}
SCHEDULES = ("linear", "cosine", "constant")
# Learning rates that work for each optimizer on these toy problems (the demo uses SGD 1.0).
DEFAULT_LR = {"sgd": 1.0, "momentum": 0.1, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.01}
GRID_RESOLUTION = 100  # decision-boundary picture: 100 x 100 forward passes
GIF_RESOLUTION = 50
GIF_FRAMES = 20


class UsageError(Exception):
    """A bad argument found after parsing: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (no usage dump) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# --------------------------------------------------------------------------- argument types
def _number(kind: type, test: Any, expected: str) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if (isinstance(value, float) and not np.isfinite(value)) or not test(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive_int = _number(int, lambda v: v >= 1, "an integer >= 1")
_nonnegative_int = _number(int, lambda v: v >= 0, "an integer >= 0")
_positive_float = _number(float, lambda v: v > 0, "a number > 0")
_nonnegative_float = _number(float, lambda v: v >= 0, "a number >= 0")
_fraction = _number(float, lambda v: 0 <= v < 1, "a fraction in [0, 1)")


# --------------------------------------------------------------------------- configuration
@dataclass
class TrainConfig:
    """Everything ``minitorch-nn train`` needs; written into metrics.json."""

    dataset: str = "moons"
    n_samples: int = 200
    noise: float = 0.1
    test_size: float = 0.25
    hidden: list[int] = field(default_factory=lambda: [16, 16])
    activation: str = "relu"
    loss: str | None = None  # None: hinge for two classes, cross_entropy for more
    optimizer: str = "sgd"
    lr: float | None = None  # None: DEFAULT_LR[optimizer]
    schedule: str = "linear"
    l2: float = 1e-4
    epochs: int = 100
    batch_size: int | None = None
    seed: int = 0
    out: str | None = None  # None: runs/<dataset>
    engine: str = "scalar"
    gif: bool = False
    quiet: bool = False


def build_parser() -> argparse.ArgumentParser:
    from .data import list_datasets
    from .losses import LOSSES
    from .nn import ACTIVATIONS
    from .optim import OPTIMIZERS

    defaults = TrainConfig()
    parser = _Parser(prog=PROG, description="Train small neural networks on toy 2-D datasets.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{train,datasets}")
    commands.required = True

    train = commands.add_parser(
        "train",
        help="train an MLP and write pictures, metrics and the model",
        description="Train an MLP on a toy dataset; write decision_boundary.png, history.png, "
        "metrics.json and model.npz into --out.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data = train.add_argument_group("data")
    data.add_argument("--dataset", choices=list_datasets(), default=defaults.dataset)
    data.add_argument("--n-samples", type=_positive_int, default=defaults.n_samples)
    data.add_argument("--noise", type=_nonnegative_float, default=defaults.noise)
    data.add_argument(
        "--test-size",
        type=_fraction,
        default=defaults.test_size,
        help="fraction held out for testing (0: none)",
    )
    model = train.add_argument_group("model")
    model.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="+",
        default=defaults.hidden,
        metavar="SIZE",
        help="hidden layer sizes",
    )
    model.add_argument(
        "--activation",
        choices=[a for a in ACTIVATIONS if a is not None],
        default=defaults.activation,
    )
    model.add_argument(
        "--engine",
        choices=list(ENGINES),
        default=defaults.engine,
        help="scalar: one Value per number; tensor: numpy arrays, for thousands of points",
    )
    opt = train.add_argument_group("training")
    opt.add_argument(
        "--loss",
        choices=sorted(LOSSES),
        default=None,
        help="default: hinge for two classes, cross_entropy for more",
    )
    opt.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=defaults.optimizer)
    opt.add_argument(
        "--lr",
        type=_positive_float,
        default=None,
        help=f"initial learning rate (default per optimizer: {DEFAULT_LR})",
    )
    opt.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default=defaults.schedule,
        help="learning rate over epochs; linear falls to 0.1*lr",
    )
    opt.add_argument("--l2", type=_nonnegative_float, default=defaults.l2)
    opt.add_argument("--epochs", type=_positive_int, default=defaults.epochs)
    opt.add_argument(
        "--batch-size", type=_positive_int, default=None, help="minibatch size (default: full)"
    )
    opt.add_argument("--seed", type=_nonnegative_int, default=defaults.seed)
    output = train.add_argument_group("output")
    output.add_argument("--out", default=None, help="output directory (default: runs/DATASET)")
    output.add_argument("--gif", action="store_true", help="also write training.gif")
    output.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    commands.add_parser("datasets", help="list the datasets", description="List the datasets.")
    return parser


# --------------------------------------------------------------------------- train
def _check_config(config: TrainConfig, n_classes: int) -> TrainConfig:
    """Fill the defaults that depend on the data; UsageError for combinations that fail."""
    if config.loss is None:
        config.loss = "hinge" if n_classes == 2 else "cross_entropy"
    if config.loss != "cross_entropy" and n_classes != 2:
        raise UsageError(
            f"--loss {config.loss} is for two classes but dataset {config.dataset} has "
            f"{n_classes}; use --loss cross_entropy"
        )
    if config.lr is None:
        config.lr = DEFAULT_LR.get(config.optimizer, 0.01)
    if config.out is None:
        config.out = str(Path("runs") / config.dataset)
    return config


def _prepare_out(out: str) -> Path:
    """Create ``out`` and prove it is writable, or UsageError."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    return path


def _schedule(config: TrainConfig) -> Any:
    from .optim import schedules

    assert config.lr is not None
    if config.schedule == "linear":
        return schedules.linear_decay(config.lr, 0.1, config.epochs)
    if config.schedule == "cosine":
        return schedules.cosine(config.lr, config.epochs, lr_min=0.01 * config.lr)
    return schedules.constant(config.lr)


def _build_model(config: TrainConfig, nin: int, n_outputs: int) -> Any:
    """The one place the engine decides which MLP class to build (same weights on both
    engines for the same seed)."""
    mlp = importlib.import_module(ENGINES[config.engine]).MLP
    return mlp(nin, [*config.hidden, n_outputs], activation=config.activation, seed=config.seed)


def _split(config: TrainConfig, X: np.ndarray, y: np.ndarray) -> tuple[Any, Any, Any, Any]:
    if config.test_size == 0:
        return X, None, y, None
    from .data import train_test_split

    try:
        return tuple(train_test_split(X, y, test_size=config.test_size, seed=config.seed))  # type: ignore[return-value]
    except ValueError as exc:
        raise UsageError(f"--test-size {config.test_size}: {exc}") from None


def run_train(config: TrainConfig) -> dict[str, Any]:
    """Train as ``config`` says, write the files, return the metrics (also in metrics.json)."""
    from .checkpoint import save_model
    from .data import load_dataset
    from .train import evaluate, fit

    X, y = load_dataset(config.dataset, config.n_samples, config.noise, seed=config.seed)
    config = _check_config(config, int(y.max()) + 1)
    assert config.out is not None and config.loss is not None
    out = _prepare_out(config.out)
    X_train, X_test, y_train, y_test = _split(config, X, y)
    n_outputs = 1 if config.loss != "cross_entropy" else int(y.max()) + 1
    model = _build_model(config, X.shape[1], n_outputs)
    say = (lambda *a: None) if config.quiet else (lambda *a: print(*a, flush=True))
    say(
        f"Training MLP(2, {[*config.hidden, n_outputs]}, {config.activation}) with "
        f"{model.num_parameters()} parameters on {config.dataset}: {len(X_train)} train / "
        f"{0 if X_test is None else len(X_test)} test samples; loss {config.loss}, "
        f"{config.optimizer} lr {config.lr:g} ({config.schedule}), {config.epochs} epochs, "
        f"engine {config.engine}"
    )

    recorder = None
    callbacks: list[Any] = []
    if config.gif:
        from .plot import BoundaryRecorder

        every = max(1, config.epochs // GIF_FRAMES)
        recorder = BoundaryRecorder(X_train, every=every, resolution=GIF_RESOLUTION)
        callbacks.append(recorder)

    start = time.perf_counter()
    history = fit(
        model,
        X_train,
        y_train,
        loss=config.loss,
        optimizer=config.optimizer,
        lr=config.lr,
        epochs=config.epochs,
        batch_size=config.batch_size,
        lr_schedule=_schedule(config),
        l2=config.l2,
        X_val=X_test,
        y_val=y_test,
        callbacks=callbacks,
        verbose=not config.quiet,
        seed=config.seed,
    )
    seconds = time.perf_counter() - start
    train_metrics = evaluate(model, X_train, y_train, loss=config.loss)
    test_metrics = evaluate(model, X_test, y_test, loss=config.loss) if X_test is not None else None
    paths = _write_outputs(out, model, history, config, X_train, y_train, recorder, save_model)
    metrics = {
        "train_accuracy": train_metrics["accuracy"],
        "train_loss": train_metrics["loss"],
        "test_accuracy": None if test_metrics is None else test_metrics["accuracy"],
        "test_loss": None if test_metrics is None else test_metrics["loss"],
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
    test_text = "" if test_metrics is None else f", test accuracy {test_metrics['accuracy']:.1%}"
    stopped = " (interrupted)" if history.interrupted else ""
    say(
        f"Done{stopped}: {len(history)} epochs in {seconds:.1f} s; train accuracy "
        f"{train_metrics['accuracy']:.1%}{test_text}, train loss {train_metrics['loss']:.4g}"
    )
    say("Wrote:\n" + "\n".join(f"  {p}" for p in paths))
    return metrics


def _write_outputs(
    out: Path,
    model: Any,
    history: Any,
    config: TrainConfig,
    X: np.ndarray,
    y: np.ndarray,
    recorder: Any,
    save_model: Any,
) -> list[Path]:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")  # files only: never open a window
    from .plot import animate_training, plot_decision_boundary, plot_history, save_figure

    ax = plot_decision_boundary(model, X, y, resolution=GRID_RESOLUTION)
    ax.set_title(f"{config.dataset} (training data): {ax.get_title()}")
    paths = [save_figure(ax, out / "decision_boundary.png", close=True)]
    axes = plot_history(history)
    paths.append(save_figure(axes[0], out / "history.png", close=True))
    paths.append(save_model(model, out / "model.npz"))
    if recorder is not None:
        paths.append(animate_training(recorder, X, y, out / "training.gif"))
    return paths


# --------------------------------------------------------------------------- datasets
def run_datasets() -> None:
    from .data import describe_datasets

    for name, text in describe_datasets().items():
        print(f"{name:10s} {text}")


# --------------------------------------------------------------------------- entry point
def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 failed run, 2 bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "datasets":
        run_datasets()
        return 0
    options = {k: v for k, v in vars(args).items() if k != "command"}
    try:
        run_train(TrainConfig(**options))
    except UsageError as exc:
        parser.exit(2, f"{PROG}: error: {exc}\n")
    except (ValueError, FloatingPointError, OSError) as exc:
        print(f"{PROG}: training failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0
