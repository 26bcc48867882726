"""The checks a ``train`` run passes before any work starts, on the whole configuration.

The argument types (limits.py) hold each flag to its range; these checks hold the flags to
each other and to the data and the machine: enough points for the split, a loss that fits the
number of classes, at most ``MAX_PARAMETERS`` parameters, a training step that fits in the
memory available, an output directory that can be written. Each failure is a
:class:`UsageError`: one line on stderr, exit status 2.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from ..data import load_dataset
from .config import DEFAULT_LR, TrainConfig
from .limits import (
    MAX_PARAMETERS,
    MAX_SAMPLES,
    MIN_TRAINING,
    MIN_VALIDATION,
    SCALAR_BYTES_PER_PARAMETER_AND_SAMPLE,
    TENSOR_BYTES_PER_UNIT_AND_SAMPLE,
)


class UsageError(Exception):
    """A bad argument found after parsing: reported in one line, exit status 2."""


def n_classes(dataset: str) -> int:
    """The number of classes of ``dataset`` as the CLI loads it (a 12-point sample)."""
    _, y = load_dataset(dataset, 12, 0.0, seed=0)
    return int(y.max()) + 1


def n_parameters(sizes: list[int]) -> int:
    """Weights and biases of an MLP with layer sizes ``sizes`` (inputs first):
    sum over layers of (n_in + 1) * n_out."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))


def available_memory() -> int | None:
    """Bytes the system can still give (MemAvailable in /proc/meminfo), or None if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def step_bytes(config: TrainConfig, sizes: list[int], n_train: int) -> int:
    """A rough upper bound of the memory one training step (or the epoch's evaluation) holds."""
    batch = n_train if config.batch_size is None else min(config.batch_size, n_train)
    n_params = n_parameters(sizes)
    if config.engine == "scalar":
        return batch * (n_params * SCALAR_BYTES_PER_PARAMETER_AND_SAMPLE + 4096)
    units = sum(sizes)
    return max(batch, n_train) * units * TENSOR_BYTES_PER_UNIT_AND_SAMPLE + 64 * n_params


def split_sizes(n_samples: int, fraction: float) -> tuple[int, int]:
    """(training, validation) point counts, as ``data.train_test_split`` makes them:
    ceil(fraction * n_samples) validation points, the rest for training."""
    n_val = math.ceil(fraction * n_samples)
    return n_samples - n_val, n_val


def n_outputs(loss: str, classes: int) -> int:
    """The model's outputs: one score for the two-class losses, one per class for
    cross_entropy."""
    return classes if loss == "cross_entropy" else 1


def check_split(config: TrainConfig, classes: int) -> None:
    """UsageError unless ``--n-samples`` gives one point per class and, with a validation
    set, at least MIN_VALIDATION validation and MIN_TRAINING training points. The message
    names the smallest ``--n-samples`` that works."""
    fraction = config.validation_fraction
    need_train = classes if fraction == 0 else max(MIN_TRAINING, classes)
    need_val = 0 if fraction == 0 else MIN_VALIDATION

    def enough(n: int) -> bool:
        n_train, n_val = split_sizes(n, fraction)
        return n_train >= need_train and n_val >= need_val

    if enough(config.n_samples):
        return
    smallest = next((n for n in range(classes, MAX_SAMPLES + 1) if enough(n)), None)
    n_train, n_val = split_sizes(config.n_samples, fraction)
    if fraction == 0:
        why = f"{config.dataset} has {classes} classes and needs a point of each"
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
    if fraction and smallest is not None and config.n_samples >= classes:
        fix += ", or --validation-fraction 0"  # which this count satisfies
    raise UsageError(f"--n-samples {config.n_samples}: {why}; {fix}")


def check_config(config: TrainConfig) -> TrainConfig:
    """Fill the defaults that depend on the data; UsageError for any value or combination a
    deeper layer would refuse, or that is beyond a limit. Does no work."""
    classes = n_classes(config.dataset)
    check_split(config, classes)
    if config.loss is None:
        config.loss = "hinge" if classes == 2 else "cross_entropy"
    if config.loss != "cross_entropy" and classes != 2:
        raise UsageError(
            f"--loss {config.loss} is for two classes but dataset {config.dataset} has "
            f"{classes}; use --loss cross_entropy"
        )
    sizes = [2, *config.hidden, n_outputs(config.loss, classes)]
    n_params = n_parameters(sizes)
    hidden = " ".join(map(str, config.hidden))
    if n_params > MAX_PARAMETERS:
        raise UsageError(
            f"--hidden {hidden} gives {n_params:,} parameters; the limit is {MAX_PARAMETERS:,}"
        )
    n_train, _ = split_sizes(config.n_samples, config.validation_fraction)
    available = available_memory()
    needed = step_bytes(config, sizes, n_train)
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


def prepare_out(out: str) -> Path:
    """Create ``out`` and prove it is writable, or UsageError."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    return path
