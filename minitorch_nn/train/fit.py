"""``fit``: the only epoch loop in the package. One epoch, for every minibatch ``(X_b, y_b)``::

    outputs   = model(X_b)                        # engine-native, via the engine adapter
    objective = loss(outputs, targets(y_b)) + l2 * sum(p**2 for p in params)
    optimizer.zero_grad(); objective.backward(); optimizer.step()

Everything else (the learning rate schedule, the epoch's metrics, the NaN guard, History, the
progress bar, the caller's callbacks) is a :class:`~minitorch_nn.train.callbacks.Callback`.
Epochs are numbered from 1 in ``History`` and in callbacks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..data import DataLoader
from ..engine import no_grad
from ..optim import OPTIMIZERS
from .callbacks import (
    Callback,
    CallbackList,
    EpochMetrics,
    History,
    LearningRateScheduler,
    NanGuard,
    ProgressBar,
    Verbose,
    WriteBack,
)
from .engines import EngineAdapter, adapter_for, engine_of_node, weight_copier
from .metrics import (
    BINARY_LOSSES,
    MULTICLASS_LOSSES,
    LossSpec,
    check_arrays,
    check_targets,
    loss_targets,
)
from .step import InterruptGuard, collector_paused

# Learning rate used when ``fit`` gets an optimizer name and no ``lr`` (nor a schedule).
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "adam": 0.01, "adamw": 0.01, "rmsprop": 0.01}

_Split = tuple[np.ndarray, np.ndarray, np.ndarray]  # (X, loss targets, labels)


def fit(
    model: Any,
    X: Any,
    y: Any,
    loss: LossSpec = "hinge",
    optimizer: Any = "sgd",
    lr: float | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    lr_schedule: Callable[[int], float] | None = None,
    l2: float = 0.0,
    X_val: Any = None,
    y_val: Any = None,
    callbacks: Sequence[Any] = (),
    verbose: Verbose = True,
    seed: int | None = 0,
    nan_guard: bool = True,
    engine: str | EngineAdapter | None = None,
) -> History:
    """Train ``model`` on numpy ``X`` (n, nin) and labels ``y`` (n,); return the History.

    loss: "hinge" (y in {0,1} -> {-1,+1}, one output), "bce" (logits, one output), "mse"
    (one output, targets {-1,+1}), "cross_entropy" (k outputs, y in 0..k-1) or a callable
    ``loss(outputs, y)``. optimizer: a name from ``optim.OPTIMIZERS`` (built over the model's
    parameters with ``lr``, or ``DEFAULT_LR[name]``) or an optimizer holding them.
    lr_schedule(k) sets the learning rate before epoch k+1. ``l2`` adds l2 * sum(p**2) to the
    optimised objective; the logged "loss" is the data loss alone (see History).
    batch_size=None trains on the full batch, else shuffled minibatches drawn with ``seed``.
    verbose: True shows a progress bar when stderr is a terminal, "always" anyway, False never.
    A NaN or inf objective raises FloatingPointError naming the epoch unless nan_guard=False.
    Ctrl-C stops between optimizer steps, never inside one: the model is as the last finished
    step left it, and the History (``interrupted=True``) ends with a record of that model.
    engine: None trains on the model's own engine; another name (or an EngineAdapter) trains
    a converted copy, its weights copied back into ``model`` for callbacks after every epoch
    and when training ends, however it ends (pass the optimizer by name then).
    """
    X, y, val = _check_arguments(X, y, X_val, y_val, epochs, batch_size, lr, l2, loss)
    adapter = adapter_for(model, engine)
    trained = _convert(adapter, model)  # ``model`` itself, or a copy on the chosen engine
    loss_fn = adapter.loss_fn(loss) if isinstance(loss, str) else loss
    splits = _splits(loss, _n_outputs(adapter, model, trained, X), [(X, y), *val])
    params, history = trained.parameters(), History()
    opt = _make_optimizer(optimizer, model, trained, lr if lr_schedule is None else lr_schedule(0))
    history.params = _run_params(loss, optimizer, epochs, batch_size, l2, adapter, X)
    write_back = weight_copier(trained, model) if trained is not model else None
    metrics = EpochMetrics(adapter, trained, loss_fn, opt, splits[0], next(iter(splits[1:]), None))
    own = _own_callbacks(metrics, history, lr_schedule, nan_guard, ProgressBar(verbose, epochs))
    own += [WriteBack(write_back)] if callbacks and write_back is not None else []
    hooks = CallbackList([*own, *callbacks])
    hooks.on_train_begin(model, history)
    if hasattr(trained, "train"):
        trained.train()
    batches, epoch = _batches(X, splits[0][1], batch_size, seed), 0
    with InterruptGuard() as guard:  # holds a Ctrl-C that arrives inside opt.step()
        try:
            for epoch in range(1, epochs + 1):
                hooks.on_epoch_begin(epoch, model)
                for X_b, y_b in batches:
                    with collector_paused():
                        outputs = adapter.forward(trained, X_b)
                        data_loss = adapter.loss(loss_fn, outputs, y_b)
                        objective = data_loss + l2 * adapter.l2_penalty(params) if l2 else data_loss
                        hooks.on_loss(epoch, adapter.item(objective))
                        opt.zero_grad()
                        objective.backward()
                        guard.step(opt, epoch)
                if hooks.on_epoch_end(epoch, model, {"epoch": epoch}):
                    history.stopped_early = True
                    break
        except KeyboardInterrupt:
            history.interrupted = True
            if guard.last_epoch == epoch and len(history) < epoch:  # steps the History lacks
                history.on_epoch_end(epoch, model, metrics.logs(epoch))
            hooks.report_interrupt(epoch, epochs)
        finally:
            hooks.close()
            if write_back is not None:
                write_back()
    hooks.on_train_end(model, history)
    return history


# --------------------------------------------------------------------------- fit's helpers
def _check_arguments(
    X: Any,
    y: Any,
    X_val: Any,
    y_val: Any,
    epochs: Any,
    batch_size: Any,
    lr: Any,
    l2: Any,
    loss: LossSpec,
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """(X, y, [(X_val, y_val)] or []) checked, or ValueError naming the argument at fault."""
    X, y = check_arrays(X, y, "training data")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    val = []
    if X_val is not None:
        X_val, y_val = check_arrays(X_val, y_val, "validation data")
        if X_val.shape[1] != X.shape[1]:
            raise ValueError(
                f"X_val has {X_val.shape[1]} features but X has {X.shape[1]}; expected equal"
            )
        val.append((X_val, y_val))
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    if lr is not None and not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if not (math.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be >= 0, got {l2!r}")
    if isinstance(loss, str) and loss not in BINARY_LOSSES + MULTICLASS_LOSSES:
        raise ValueError(
            f"unknown loss {loss!r}; expected one of {list(BINARY_LOSSES + MULTICLASS_LOSSES)}"
            " or a callable"
        )
    return X, y, val


def _own_callbacks(
    metrics: EpochMetrics,
    history: History,
    lr_schedule: Callable[[int], float] | None,
    nan_guard: bool,
    bar: ProgressBar,
) -> list[Callback]:
    """fit's own callbacks, in the order they run: schedule, metrics, NaN guard, History, bar."""
    own: list[Callback] = (
        [LearningRateScheduler(metrics.optimizer, lr_schedule)] if lr_schedule else []
    )
    own.append(metrics)
    own += [NanGuard(metrics.optimizer)] if nan_guard else []
    return [*own, history, bar]


def _splits(
    loss: LossSpec, n_outputs: int, pairs: list[tuple[np.ndarray, np.ndarray]]
) -> list[_Split]:
    """(X, loss targets, labels) for the training data and the validation data if any."""
    splits = []
    for (X, y), what in zip(pairs, ["training data", "validation data"]):
        check_targets(loss, y, n_outputs, what)
        splits.append((X, loss_targets(loss, y), y))
    return splits


def plain_numbers(model: Any) -> list[str]:
    """Dotted names of plain numbers standing where a parameter stands in a sibling: in a list
    that also holds graph nodes, or as an attribute that is a node in another module of the
    same class (``neuron.b = 0.5``). Such numbers are constants to every engine."""
    found: list[str] = []
    node_attributes: dict[type, set[str]] = {}
    modules = model.named_modules() if hasattr(model, "named_modules") else []
    for _, module in modules:
        for key, value in vars(module).items():
            if engine_of_node(value) is not None:
                node_attributes.setdefault(type(module), set()).add(key)
    for name, module in modules:
        prefix = f"{name}." if name else ""
        for key, value in vars(module).items():
            if isinstance(value, (list, tuple)) and any(engine_of_node(v) for v in value):
                found += [f"{prefix}{key}.{i}" for i, v in enumerate(value) if _is_number(v)]
            elif _is_number(value) and key in node_attributes.get(type(module), set()):
                found.append(f"{prefix}{key}")
    return found


def _is_number(x: Any) -> bool:
    return isinstance(x, (float, int, np.number, np.ndarray)) and not isinstance(x, bool)


def _refuse_plain_numbers(model: Any, cause: BaseException | None = None) -> None:
    """TypeError naming the parameters of ``model`` replaced by plain numbers, if any."""
    names = plain_numbers(model)
    if names or cause is not None:
        shown = ", ".join(names[:5]) or "(none found among the attributes)"
        raise TypeError(
            f"the model holds plain numbers where parameters belong: {shown}; a parameter must "
            "be a graph node of its engine (Value or Tensor): to change its number set "
            "p.data = x instead of replacing p"
        ) from cause


def _convert(adapter: EngineAdapter, model: Any) -> Any:
    """``adapter.convert(model)``; TypeError when the model holds plain numbers in place of
    parameters (checked first, and again when the conversion fails)."""
    _refuse_plain_numbers(model)
    try:
        return adapter.convert(model)
    except (AttributeError, TypeError) as exc:
        if _holds_numbers(model):
            _refuse_plain_numbers(model, exc)
        raise


def _n_outputs(adapter: EngineAdapter, model: Any, trained: Any, X: np.ndarray) -> int:
    """The model's output count, from one forward pass on the first row; TypeError when that
    fails on a model holding plain numbers where parameters may belong."""
    try:
        with no_grad():
            return int(adapter.scores(adapter.forward(trained, X[:1])).shape[1])
    except (AttributeError, TypeError) as exc:
        if _holds_numbers(model):
            _refuse_plain_numbers(model, exc)
        raise


def _holds_numbers(model: Any) -> bool:
    """True when some module of ``model`` has a float or array attribute."""
    modules = model.modules() if hasattr(model, "modules") else []
    return any(
        isinstance(v, (float, np.floating, np.ndarray)) for m in modules for v in vars(m).values()
    )


def _make_optimizer(optimizer: Any, model: Any, trained: Any, lr: float | None) -> Any:
    """The optimizer named ``optimizer`` over ``trained``'s parameters, or ``optimizer`` itself
    (with ``lr`` set, if given) once it is known to hold ``model``'s parameters."""
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {optimizer!r}; expected one of {sorted(OPTIMIZERS)}"
            )
        rate = DEFAULT_LR.get(optimizer, 0.01) if lr is None else lr
        return OPTIMIZERS[optimizer](trained.parameters(), lr=rate)
    if trained is not model:
        raise ValueError(
            "fit trains a converted copy of this model on another engine, which an optimizer "
            f"instance ({type(optimizer).__name__}) cannot reach; pass the optimizer by name, "
            "or build the model on that engine"
        )
    held = getattr(optimizer, "params", None)
    if held is not None:
        own = {id(p) for p in model.parameters()}
        foreign = sum(id(p) not in own for p in held)
        if foreign or not held:
            raise ValueError(
                f"the optimizer holds {foreign} of its {len(held)} parameters from outside the "
                "model; expected an optimizer over model.parameters() (or a subset of them)"
            )
    if lr is not None:
        optimizer.lr = lr
    return optimizer


def _run_params(
    loss: LossSpec,
    optimizer: Any,
    epochs: int,
    batch_size: int | None,
    l2: float,
    adapter: EngineAdapter,
    X: np.ndarray,
) -> dict[str, Any]:
    """``History.params``: how the run was set up."""
    return {
        "loss": loss if isinstance(loss, str) else getattr(loss, "__name__", "callable"),
        "optimizer": optimizer if isinstance(optimizer, str) else type(optimizer).__name__,
        "epochs": epochs,
        "batch_size": batch_size,
        "l2": l2,
        "engine": adapter.name,
        "n_samples": int(X.shape[0]),
    }


def _batches(
    X: np.ndarray, y: np.ndarray, batch_size: int | None, seed: int | None
) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """The full batch, or a DataLoader (made once, so each epoch draws a new order)."""
    if batch_size is None or batch_size >= len(X):
        return [(X, y)]
    return DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=seed)
