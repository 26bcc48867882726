"""The ``minitorch-nn`` command (also ``python -m minitorch_nn``): the parser and :func:`main`.

    minitorch-nn train [--dataset moons] [--hidden 16 16] [--epochs 100] [--out runs/moons] ...
    minitorch-nn datasets
    minitorch-nn playground [--port 8000] [--host 127.0.0.1] [--no-browser]
    minitorch-nn --version

``train`` fits an MLP on a 2-D toy dataset and writes pictures, metrics and the model
(train_command.py); its defaults are the demo recipe (config.py). This module holds the parser
and :func:`main`, which maps every outcome to one exit status and at most one line on stderr:
a bad argument, found by the argument types (limits.py) or the checks before any work starts
(checks.py), exits with 2; a failed run (diverged, out of memory, a file that cannot be
written) with 1; Ctrl-C with 130, after writing the files of what was trained.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from .._version import __version__
from ..data import list_datasets
from ..losses import LOSSES
from ..nn import ACTIVATIONS
from ..optim import OPTIMIZERS
from ..train.engines import ENGINES
from . import limits
from .checks import UsageError
from .commands import run_datasets, run_playground
from .config import DEFAULT_LR, SCHEDULES, TrainConfig
from .limits import MAX_EPOCHS, MAX_L2, MAX_NOISE, MAX_PARAMETERS, MAX_SAMPLES, MIN_VALIDATION
from .train_command import describe_final, run_train

__all__ = [
    "ENGINES",
    "MAX_PARAMETERS",
    "MAX_SAMPLES",
    "PROG",
    "TrainConfig",
    "UsageError",
    "build_parser",
    "describe_final",
    "main",
    "run_train",
]

PROG = "minitorch-nn"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (no usage dump) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``minitorch-nn`` parser: ``train``, ``datasets`` and ``playground``."""
    parser = _Parser(prog=PROG, description="Train small neural networks on toy 2-D datasets.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{train,datasets,playground}")
    commands.required = True
    _add_train_command(commands)
    commands.add_parser("datasets", help="list the datasets", description="List the datasets.")
    _add_playground_command(commands)
    return parser


def _add_train_command(commands: Any) -> None:
    """``train``: every flag of :class:`TrainConfig`, its type holding it to its limit."""
    defaults = TrainConfig()
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
        type=limits.sample_count,
        default=defaults.n_samples,
        metavar="N",
        help=f"points to generate, training and validation together (default: %(default)s, "
        f"at most {MAX_SAMPLES:,})",
    )
    data.add_argument(
        "--noise",
        type=limits.noise,
        default=defaults.noise,
        help="standard deviation of the noise added to the points (default: %(default)s, at "
        f"most {MAX_NOISE:g})",
    )
    data.add_argument(
        "--validation-fraction",
        type=limits.fraction,
        default=defaults.validation_fraction,
        metavar="F",
        help="fraction held out as the validation set, never trained on; 0 for none "
        "(default: %(default)s)",
    )
    model = train.add_argument_group("model")
    model.add_argument(
        "--hidden",
        type=limits.hidden_size,
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
        type=limits.positive_float,
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
        type=limits.l2,
        default=defaults.l2,
        help="weight of the L2 penalty l2 * sum(p**2) added to the loss (default: %(default)s, "
        f"at most {MAX_L2:g})",
    )
    opt.add_argument(
        "--epochs",
        type=limits.epoch_count,
        default=defaults.epochs,
        help=f"passes over the training set (default: %(default)s, at most {MAX_EPOCHS:,})",
    )
    opt.add_argument(
        "--batch-size",
        type=limits.positive_int,
        default=None,
        help="minibatch size (default: the whole training set)",
    )
    opt.add_argument(
        "--seed",
        type=limits.seed,
        default=defaults.seed,
        help="seed of the data, the split, the initial weights and the batch order "
        "(default: %(default)s)",
    )
    output = train.add_argument_group("output")
    output.add_argument("--out", default=None, help="output directory (default: runs/DATASET)")
    output.add_argument("--gif", action="store_true", help="also write training.gif")
    output.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def _add_playground_command(commands: Any) -> None:
    """``playground``: where the server listens and whether to open a browser tab."""
    play = commands.add_parser(
        "playground",
        help="serve the playground in the browser",
        description="Serve the playground (train networks in the browser on our engine) until "
        "Ctrl-C.",
    )
    play.add_argument(
        "--port", type=limits.port, default=8000, help="port to listen on (default: %(default)s)"
    )
    play.add_argument(
        "--host",
        type=limits.host,
        default="127.0.0.1",
        help="address to listen on; anything but 127.0.0.1 lets other machines in "
        "(default: %(default)s)",
    )
    play.add_argument("--no-browser", action="store_true", help="do not open a browser tab")


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
