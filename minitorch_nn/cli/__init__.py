"""The ``minitorch-nn`` command (also ``python -m minitorch_nn``).

    minitorch-nn train [--dataset moons] [--hidden 16 16] [--epochs 100] [--out runs/moons] ...
    minitorch-nn datasets
    minitorch-nn playground [--port 8000] [--host 127.0.0.1] [--no-browser]
    minitorch-nn --version

``train`` fits an MLP on a 2-D toy dataset and writes into ``--out``: decision_boundary.png,
history.png, metrics.json, model.safetensors (and training.gif with ``--gif``). The defaults are
the demo recipe on 150 training points of moons (hinge loss + 1e-4 L2, SGD with the learning
rate falling linearly from 1.0 to 0.1, 100 full-batch epochs), which reaches 100% training
accuracy; a quarter of the points is held out as the validation set.

Every number it reports comes from the run's History: the loss and accuracy of the model as it
is at the end of each epoch (``train.History``). The last record is "the final loss": the
summary line, metrics.json, history.png, the pictures and the GIF all show it.

Every argument is checked before any work starts, including the limits (at most
``MAX_SAMPLES`` points, ``MAX_PARAMETERS`` parameters, ``MAX_EPOCHS`` epochs, and a training
step that fits in the memory available): a bad one exits with status 2 and one line on stderr.
A failed run (diverged, out of memory, a file that cannot be written) exits with status 1 and
one line; Ctrl-C exits with 130.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import socket
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from .._version import __version__

PROG = "minitorch-nn"
# engine name -> the module whose MLP runs on it (imported only when chosen)
ENGINES = {"scalar": "minitorch_nn.nn", "tensor": "minitorch_nn.tensor.nn"}
SCHEDULES = ("linear", "cosine", "constant")
# Learning rates that work for each optimizer on these toy problems (the demo uses SGD 1.0).
DEFAULT_LR = {"sgd": 1.0, "momentum": 0.1, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.01}
GRID_RESOLUTION = 100  # decision-boundary picture and GIF frames: 100 x 100 grid points
GIF_FRAMES = 20
# Limits, checked before any work (documented in ``train --help`` and the README).
MAX_SAMPLES = 1_000_000
MAX_PARAMETERS = 1_000_000
MAX_EPOCHS = 100_000  # History and metrics.json keep one record per epoch
MAX_NOISE = 100.0  # beyond it the points are noise; far beyond, coordinates overflow
MAX_L2 = 10.0  # beyond it the penalty alone decides the weights (all near 0)
MAX_SEED = 2**32 - 1  # numpy's and scikit-learn's seed range
MIN_VALIDATION = 10  # fewer validation points cannot measure accuracy finer than 10%
MIN_TRAINING = 10
# Bytes a training step holds, per sample: the scalar engine keeps about one graph node
# reference and local gradient per parameter (measured 33-110 B per parameter and sample);
# the tensor engine a few float64 arrays per layer width.
SCALAR_BYTES_PER_PARAMETER_AND_SAMPLE = 128
TENSOR_BYTES_PER_UNIT_AND_SAMPLE = 64


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
        if (isinstance(value, float) and not math.isfinite(value)) or not test(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive_int = _number(int, lambda v: v >= 1, "an integer >= 1")
_samples = _number(
    int, lambda v: 1 <= v <= MAX_SAMPLES, f"an integer from 1 to {MAX_SAMPLES:,} (the limit)"
)
_epochs = _number(
    int, lambda v: 1 <= v <= MAX_EPOCHS, f"an integer from 1 to {MAX_EPOCHS:,} (the limit)"
)
_hidden_size = _number(
    int, lambda v: 1 <= v <= MAX_PARAMETERS, f"an integer from 1 to {MAX_PARAMETERS:,}"
)
_seed = _number(int, lambda v: 0 <= v <= MAX_SEED, f"an integer from 0 to {MAX_SEED}")
_port = _number(int, lambda v: 1 <= v <= 65535, "a port number from 1 to 65535")


def _host(text: str) -> str:
    """An address the playground can listen on: an IP address or a name that resolves."""
    try:
        socket.getaddrinfo(text, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise argparse.ArgumentTypeError(
            f"expected an IP address or a host name that resolves, got {text!r}"
        ) from None
    return text


_positive_float = _number(float, lambda v: v > 0, "a finite number > 0")
_noise = _number(float, lambda v: 0 <= v <= MAX_NOISE, f"a number from 0 to {MAX_NOISE:g}")
_l2 = _number(float, lambda v: 0 <= v <= MAX_L2, f"a number from 0 to {MAX_L2:g}")
_fraction = _number(float, lambda v: 0 <= v < 1, "a fraction in [0, 1)")


# --------------------------------------------------------------------------- configuration
@dataclass
class TrainConfig:
    """Everything ``minitorch-nn train`` needs; written into metrics.json."""

    dataset: str = "moons"
    n_samples: int = 200
    noise: float = 0.1
    validation_fraction: float = 0.25
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
    from ..data import list_datasets
    from ..losses import LOSSES
    from ..nn import ACTIVATIONS
    from ..optim import OPTIMIZERS

    defaults = TrainConfig()
    parser = _Parser(prog=PROG, description="Train small neural networks on toy 2-D datasets.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{train,datasets,playground}")
    commands.required = True

    lr_defaults = ", ".join(f"{name} {lr:g}" for name, lr in DEFAULT_LR.items())
    train = commands.add_parser(
        "train",
        help="train an MLP and write pictures, metrics and the model",
        description="Train an MLP on a toy dataset; write decision_boundary.png, history.png, "
        "metrics.json and model.safetensors (and training.gif with --gif) into --out. "
        "Every loss and accuracy reported is that of the model at the end of its epoch; the "
        "last epoch's are the final ones.",
        epilog=f"Limits: --n-samples at most {MAX_SAMPLES:,}; at most {MAX_PARAMETERS:,} "
        f"parameters; --epochs at most {MAX_EPOCHS:,}; a training step must fit in the memory "
        "available (estimated before training: use --batch-size or --engine tensor for large "
        f"runs); a validation set needs at least {MIN_VALIDATION} points. Bad values exit "
        "with status 2 before any work starts.",
    )
    data = train.add_argument_group("data")
    data.add_argument(
        "--dataset",
        choices=list_datasets(),
        default=defaults.dataset,
        help="which toy dataset (see `minitorch-nn datasets`; default: %(default)s)",
    )
    data.add_argument(
        "--n-samples",
        type=_samples,
        default=defaults.n_samples,
        metavar="N",
        help=f"points to generate, training and validation together (default: %(default)s, "
        f"at most {MAX_SAMPLES:,})",
    )
    data.add_argument(
        "--noise",
        type=_noise,
        default=defaults.noise,
        help="standard deviation of the noise added to the points (default: %(default)s, at "
        f"most {MAX_NOISE:g})",
    )
    data.add_argument(
        "--validation-fraction",
        type=_fraction,
        default=defaults.validation_fraction,
        metavar="F",
        help="fraction held out as the validation set, never trained on; 0 for none "
        "(default: %(default)s)",
    )
    model = train.add_argument_group("model")
    model.add_argument(
        "--hidden",
        type=_hidden_size,
        nargs="+",
        default=defaults.hidden,
        metavar="SIZE",
        help="hidden layer sizes (default: 16 16)",
    )
    model.add_argument(
        "--activation",
        choices=[a for a in ACTIVATIONS if a is not None],
        default=defaults.activation,
        help="activation after each hidden layer (default: %(default)s)",
    )
    model.add_argument(
        "--engine",
        choices=list(ENGINES),
        default=defaults.engine,
        help="scalar: one Value per number; tensor: numpy arrays, for thousands of points "
        "(default: %(default)s)",
    )
    opt = train.add_argument_group("training")
    opt.add_argument(
        "--loss",
        choices=sorted(LOSSES),
        default=None,
        help="loss function (default: hinge for two classes, cross_entropy for more)",
    )
    opt.add_argument(
        "--optimizer",
        choices=sorted(OPTIMIZERS),
        default=defaults.optimizer,
        help="optimizer (default: %(default)s)",
    )
    opt.add_argument(
        "--lr",
        type=_positive_float,
        default=None,
        help=f"initial learning rate (default by optimizer: {lr_defaults})",
    )
    opt.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default=defaults.schedule,
        help="learning rate over the epochs; linear falls to 0.1 * lr, cosine to 0.01 * lr "
        "(default: %(default)s)",
    )
    opt.add_argument(
        "--l2",
        type=_l2,
        default=defaults.l2,
        help="weight of the L2 penalty l2 * sum(p**2) added to the loss (default: %(default)s, "
        f"at most {MAX_L2:g})",
    )
    opt.add_argument(
        "--epochs",
        type=_epochs,
        default=defaults.epochs,
        help=f"passes over the training set (default: %(default)s, at most {MAX_EPOCHS:,})",
    )
    opt.add_argument(
        "--batch-size",
        type=_positive_int,
        default=None,
        help="minibatch size (default: the whole training set)",
    )
    opt.add_argument(
        "--seed",
        type=_seed,
        default=defaults.seed,
        help="seed of the data, the split, the initial weights and the batch order "
        "(default: %(default)s)",
    )
    output = train.add_argument_group("output")
    output.add_argument("--out", default=None, help="output directory (default: runs/DATASET)")
    output.add_argument("--gif", action="store_true", help="also write training.gif")
    output.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    commands.add_parser("datasets", help="list the datasets", description="List the datasets.")

    play = commands.add_parser(
        "playground",
        help="serve the playground in the browser",
        description="Serve the playground (train networks in the browser on our engine) until "
        "Ctrl-C.",
    )
    play.add_argument(
        "--port", type=_port, default=8000, help="port to listen on (default: %(default)s)"
    )
    play.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        help="address to listen on; anything but 127.0.0.1 lets other machines in "
        "(default: %(default)s)",
    )
    play.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    return parser


# --------------------------------------------------------------------------- checks
def _n_classes(dataset: str) -> int:
    """The number of classes of ``dataset`` as the CLI loads it (a 12-point sample)."""
    from ..data import load_dataset

    _, y = load_dataset(dataset, 12, 0.0, seed=0)
    return int(y.max()) + 1


def _n_parameters(sizes: list[int]) -> int:
    """Weights and biases of an MLP with layer sizes ``sizes`` (inputs first)."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))


def _available_memory() -> int | None:
    """Bytes the system can still give (MemAvailable in /proc/meminfo), or None if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _step_bytes(config: TrainConfig, sizes: list[int], n_train: int) -> int:
    """A rough upper bound of the memory one training step (or the epoch's evaluation) holds."""
    batch = n_train if config.batch_size is None else min(config.batch_size, n_train)
    n_params = _n_parameters(sizes)
    if config.engine == "scalar":
        return batch * (n_params * SCALAR_BYTES_PER_PARAMETER_AND_SAMPLE + 4096)
    units = sum(sizes)
    return max(batch, n_train) * units * TENSOR_BYTES_PER_UNIT_AND_SAMPLE + 64 * n_params


def _split_sizes(n_samples: int, fraction: float) -> tuple[int, int]:
    """(training, validation) point counts, as ``data.train_test_split`` makes them."""
    n_val = math.ceil(fraction * n_samples)
    return n_samples - n_val, n_val


def _check_split(config: TrainConfig, n_classes: int) -> None:
    """UsageError unless ``--n-samples`` gives one point per class and, with a validation
    set, at least MIN_VALIDATION validation and MIN_TRAINING training points. The message
    names the smallest ``--n-samples`` that works."""
    fraction = config.validation_fraction
    need_train = n_classes if fraction == 0 else max(MIN_TRAINING, n_classes)
    need_val = 0 if fraction == 0 else MIN_VALIDATION

    def enough(n: int) -> bool:
        n_train, n_val = _split_sizes(n, fraction)
        return n_train >= need_train and n_val >= need_val

    if enough(config.n_samples):
        return
    smallest = next((n for n in range(n_classes, MAX_SAMPLES + 1) if enough(n)), None)
    n_train, n_val = _split_sizes(config.n_samples, fraction)
    if fraction == 0:
        why = f"{config.dataset} has {n_classes} classes and needs a point of each"
    else:
        why = (
            f"--validation-fraction {fraction:g} leaves {n_train} training and {n_val} "
            f"validation point{'' if n_val == 1 else 's'}; each set needs at least "
            f"{need_train if n_train < need_train else need_val}"
        )
    fix = (
        f"use --n-samples {smallest} or more"
        if smallest is not None
        else "no --n-samples within the limit works; lower --validation-fraction"
    )
    if fraction and smallest is not None and config.n_samples >= n_classes:
        fix += ", or --validation-fraction 0"  # which this count satisfies
    raise UsageError(f"--n-samples {config.n_samples}: {why}; {fix}")


def _check_config(config: TrainConfig) -> TrainConfig:
    """Fill the defaults that depend on the data; UsageError for any value or combination a
    deeper layer would refuse, or that is beyond a limit. Does no work."""
    n_classes = _n_classes(config.dataset)
    _check_split(config, n_classes)
    if config.loss is None:
        config.loss = "hinge" if n_classes == 2 else "cross_entropy"
    if config.loss != "cross_entropy" and n_classes != 2:
        raise UsageError(
            f"--loss {config.loss} is for two classes but dataset {config.dataset} has "
            f"{n_classes}; use --loss cross_entropy"
        )
    n_outputs = 1 if config.loss != "cross_entropy" else n_classes
    sizes = [2, *config.hidden, n_outputs]
    n_params = _n_parameters(sizes)
    hidden = " ".join(map(str, config.hidden))
    if n_params > MAX_PARAMETERS:
        raise UsageError(
            f"--hidden {hidden} gives {n_params:,} parameters; the limit is {MAX_PARAMETERS:,}"
        )
    n_train, _ = _split_sizes(config.n_samples, config.validation_fraction)
    available = _available_memory()
    needed = _step_bytes(config, sizes, n_train)
    if available is not None and needed > 0.8 * available:
        raise UsageError(
            f"a training step on {n_train:,} points with --hidden {hidden} on the "
            f"{config.engine} engine needs about {needed / 2**30:.1f} GiB, more than the "
            f"{available / 2**30:.1f} GiB available; use --batch-size, --engine tensor, fewer "
            "samples or smaller layers"
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


# --------------------------------------------------------------------------- train
def _schedule(config: TrainConfig) -> Any:
    from ..optim import schedules

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
    if config.validation_fraction == 0:
        return X, None, y, None
    from ..data import train_test_split

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
    from ..data import load_dataset
    from ..train import fit

    config = _check_config(config)
    assert config.out is not None and config.loss is not None
    out = _prepare_out(config.out)
    X, y = load_dataset(config.dataset, config.n_samples, config.noise, seed=config.seed)
    X_train, X_val, y_train, y_val = _split(config, X, y)
    n_outputs = 1 if config.loss != "cross_entropy" else int(y.max()) + 1
    model = _build_model(config, X.shape[1], n_outputs)
    say = (lambda *a: None) if config.quiet else (lambda *a: print(*a, flush=True))
    say(
        f"Training MLP(2, {[*config.hidden, n_outputs]}, {config.activation}) with "
        f"{model.num_parameters()} parameters on {config.dataset}: {len(X_train)} training / "
        f"{0 if X_val is None else len(X_val)} validation points; loss {config.loss}, "
        f"{config.optimizer} lr {config.lr:g} ({config.schedule}), {config.epochs} epochs, "
        f"engine {config.engine}"
    )

    recorder = None
    callbacks: list[Any] = []
    if config.gif:
        from ..plot import BoundaryRecorder

        every = max(1, config.epochs // GIF_FRAMES)
        bounds_of = X if X_val is None else np.concatenate([X_train, X_val])
        recorder = BoundaryRecorder(bounds_of, every=every, resolution=GRID_RESOLUTION)
        callbacks.append(recorder)

    start = time.perf_counter()
    # Overflow is reported once, as a divergence (fit's nan guard), not as numpy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
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
        paths = _write_outputs(out, model, history, config, data, recorder)
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


def _write_outputs(
    out: Path,
    model: Any,
    history: Any,
    config: TrainConfig,
    data: tuple[Any, Any, Any, Any],
    recorder: Any,
) -> list[Path]:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")  # files only: never open a window
    from ..io.checkpoint import save_model
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


# --------------------------------------------------------------------------- other commands
def run_datasets() -> None:
    from ..data import describe_datasets

    for name, text in describe_datasets().items():
        print(f"{name:10s} {text}")


def run_playground(host: str, port: int, open_browser: bool) -> None:
    # The lazy import keeps the server code out of the other commands' start-up.
    from ..playground import serve

    serve(host=host, port=port, open_browser=open_browser)


# --------------------------------------------------------------------------- entry point
def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 failed run, 2 bad arguments,
    130 interrupted by Ctrl-C, after writing what was trained)."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command == "datasets":
            run_datasets()
            return 0
        if args.command == "playground":
            run_playground(args.host, args.port, not args.no_browser)
            return 0
        options = {k: v for k, v in vars(args).items() if k != "command"}
        metrics = run_train(TrainConfig(**options))
        if metrics["interrupted"]:  # Ctrl-C: the files are written, the run is not complete
            return 130
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except MemoryError:
        print(
            f"{PROG}: out of memory; try fewer --n-samples, smaller --hidden layers or "
            "--batch-size",
            file=sys.stderr,
        )
        return 1
    except FloatingPointError as exc:  # run_train's "training diverged: ..."
        print(f"{PROG}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as exc:
        print(f"{PROG}: failed: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0
