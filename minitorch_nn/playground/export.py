"""Export a playground run: the ``minitorch-nn train`` command, a Python script, a checkpoint.

The script reproduces the run exactly (the same data, features, network, loss, optimizer and
number of epochs); the command is the closest the CLI can do, with a ``# note:`` line for
each difference. The checkpoint is the live model as a safetensors file's bytes; nothing
stays on disk.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..io.checkpoint import save_model
from .engines import engine
from .settings import ACTIVATIONS, N_POINTS, Config

# the playground's datasets the CLI also has, by the CLI's name
_CLI_DATASETS = {"circle": "circles", "xor": "xor", "spiral": "spiral", "moons": "moons"}


def command(c: Config, epochs: int) -> str:
    """The ``minitorch-nn train`` command closest to ``epochs`` epochs of the run ``c``,
    after a ``# note:`` line for each thing the CLI does differently."""
    notes = []
    if c.dataset not in _CLI_DATASETS:
        notes.append(f"the CLI has no {c.dataset!r} dataset (moons is used)")
    if c.dataset == "spiral":
        notes.append("the CLI's spiral has 3 arms and cross-entropy; here 2 arms")
    if c.features != ["x1", "x2"]:
        notes.append(f"the CLI trains on x1, x2 only, not {', '.join(c.features)}")
    if c.reg == "l1":
        notes.append("the CLI has no L1 regularization")
    notes.append("the CLI's data are not scaled onto [-6, 6]^2, nor noise a percentage")
    args = [
        "minitorch-nn train",
        f"--dataset {_CLI_DATASETS.get(c.dataset, 'moons')}",
        f"--n-samples {N_POINTS}",
        f"--noise {c.noise / 100 * 0.3:.3g}",
        f"--validation-fraction {1 - c.ratio / 100:.2f}",
    ]
    if c.hidden:
        args.append("--hidden " + " ".join(str(n) for n in c.hidden))
    args += [
        f"--activation {ACTIVATIONS[c.activation] or 'relu'}",
        f"--engine {c.engine}",
        f"--loss {c.loss}",
        f"--optimizer {c.optimizer}",
        f"--lr {c.lr:g}",
        "--schedule constant",
        f"--l2 {c.reg_rate if c.reg == 'l2' else 0:g}",
        f"--epochs {max(epochs, 1)}",
        f"--batch-size {c.batch}",
        f"--seed {c.seed}",
    ]
    if c.activation == "linear":
        notes.append("the CLI has no linear activation (relu is used)")
    if not c.hidden:
        notes.append("the CLI needs a hidden layer")
    if c.problem == "regression":
        notes = ["the CLI trains classifiers only; use the Python script"]
    head = "".join(f"# note: {note}\n" for note in notes)
    return head + " \\\n    ".join(args) + "\n"


def script(c: Config, epochs: int) -> str:
    """A Python script that trains ``epochs`` epochs of the run ``c`` from scratch and prints
    the train and test loss."""
    labels = "y"
    if c.problem == "classification":
        labels = "y.astype(float)" if c.loss == "bce" else "2.0 * y - 1.0"
    l1 = c.reg == "l1" and c.reg_rate > 0
    l2 = c.reg_rate if c.reg == "l2" else 0.0
    lines = [
        f'"""A minitorch_nn playground run: {c.dataset}, hidden {c.hidden}, {c.activation}, '
        f'{c.optimizer} lr={c.lr:g}, {epochs} epochs."""',
        "",
        "from minitorch_nn.losses import LOSSES",
        "from minitorch_nn.playground.datasets import features, make_dataset, split",
        f"from {engine(c.engine).module} import MLP",
        "from minitorch_nn.train import evaluate, fit",
        "",
        f"X, y = make_dataset({c.dataset!r}, n_samples={N_POINTS}, noise={c.noise}, seed={c.seed})",
        f"X_train, y_train, X_test, y_test = split(features(X, {c.features!r}), {labels}, "
        f"{c.ratio})",
        f"model = MLP({len(c.features)}, {[*c.hidden, 1]!r}, "
        f"activation={ACTIVATIONS[c.activation]!r}, seed={c.seed})",
        f"data_loss = LOSSES[{c.loss!r}]",
    ]
    if l1:
        lines += [
            "",
            "",
            "def loss(outputs, targets):",
            f'    """The data loss + {c.reg_rate:g} * sum |p| (L1)."""',
            "    params = model.parameters()",
            f"    penalty = {engine(c.engine).l1_source}",
            f"    return data_loss(outputs, targets) + {c.reg_rate!r} * penalty",
            "",
            "",
        ]
    lines += [
        f"fit(model, X_train, y_train, loss={'loss' if l1 else 'data_loss'}, "
        f"optimizer={c.optimizer!r}, lr={c.lr!r},",
        f"    epochs={max(epochs, 1)}, batch_size={c.batch}, l2={l2!r}, seed={c.seed})",
        'print("train loss", evaluate(model, X_train, y_train, loss=data_loss)["loss"])',
        'print("test loss", evaluate(model, X_test, y_test, loss=data_loss)["loss"])',
        "",
    ]
    return "\n".join(lines)


def checkpoint_bytes(model: Any) -> bytes:
    """``model`` as a checkpoint file's bytes (written to a temporary file, then deleted)."""
    with tempfile.TemporaryDirectory(prefix="minitorch-playground-") as folder:
        path = save_model(model, Path(folder) / "model.safetensors")
        return path.read_bytes()
