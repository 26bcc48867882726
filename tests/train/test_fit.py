"""fit, History, callbacks, prediction: small datasets and few epochs so it runs in seconds."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from minitorch_nn.data import load_dataset
from minitorch_nn.engine import Value, is_grad_enabled
from minitorch_nn.io import ModelCheckpoint
from minitorch_nn.io.checkpoint import load_model
from minitorch_nn.losses import hinge_loss
from minitorch_nn.nn import MLP, Module
from minitorch_nn.optim import SGD
from minitorch_nn.optim.schedules import linear_decay
from minitorch_nn.train import (
    Callback,
    EarlyStopping,
    EngineAdapter,
    History,
    LambdaCallback,
    ScalarAdapter,
    accuracy,
    adapter_for,
    decision_function,
    evaluate,
    fit,
    loss_targets,
    predict,
    predict_proba,
)


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    return load_dataset("moons", n_samples=60, noise=0.1, seed=0)


def small_mlp(n_outputs: int = 1, hidden: int = 8, seed: int = 0) -> MLP:
    return MLP(2, [hidden, hidden, n_outputs], seed=seed)


# --------------------------------------------------------------------------- learning
def test_fit_learns_moons_with_adam(moons):
    X, y = moons
    model = small_mlp()
    history = fit(model, X, y, loss="hinge", optimizer="adam", lr=0.05, epochs=60, verbose=False)
    assert len(history) == 60
    assert history.last["accuracy"] >= 0.97
    assert history["loss"][-1] < history["loss"][0]
    assert accuracy(y, predict(model, X)) >= 0.97


def test_fit_learns_moons_with_the_demo_schedule(moons):
    X, y = moons
    model = MLP(2, [16, 16, 1], seed=0)
    schedule = linear_decay(1.0, 0.1, 60)
    history = fit(
        model, X, y, optimizer="sgd", lr_schedule=schedule, l2=1e-4, epochs=60, verbose=False
    )
    assert history.last["accuracy"] >= 0.97
    assert history["lr"][0] == pytest.approx(1.0)
    assert history["lr"][-1] == pytest.approx(1.0 - 0.9 * 59 / 60)


def test_fit_learns_circles():
    X, y = load_dataset("circles", n_samples=60, noise=0.1, seed=0)
    model = small_mlp()
    history = fit(model, X, y, optimizer="adam", lr=0.05, epochs=60, verbose=False)
    assert history.last["accuracy"] >= 0.97
    assert accuracy(y, predict(model, X)) >= 0.97


def test_spiral_with_cross_entropy_learns_well_above_chance():
    X, y = load_dataset("spiral", n_samples=60, noise=0.1, seed=0)  # 3 classes: chance 1/3
    model = small_mlp(n_outputs=3, hidden=12)
    history = fit(
        model, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=40, verbose=False
    )
    assert history.last["accuracy"] >= 0.7
    proba = predict_proba(model, X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(np.argmax(proba, axis=1), predict(model, X))
    assert decision_function(model, X).shape == (60, 3)


def test_bce_on_logits_and_minibatches_are_reproducible(moons):
    X, y = moons
    runs = []
    for _ in range(2):
        model = small_mlp(seed=3)
        h = fit(
            model,
            X,
            y,
            loss="bce",
            optimizer="adam",
            lr=0.05,
            epochs=8,
            batch_size=16,
            seed=7,
            verbose=False,
        )
        runs.append(h["loss"])
    assert runs[0] == runs[1]
    assert runs[0][-1] < runs[0][0]
    other = fit(
        small_mlp(seed=3),
        X,
        y,
        loss="bce",
        optimizer="adam",
        lr=0.05,
        epochs=8,
        batch_size=16,
        seed=8,
        verbose=False,
    )
    assert other["loss"] != runs[0]


def test_l2_shrinks_the_weights(moons):
    X, y = moons

    def squared_norm(model: MLP) -> float:
        return sum(p.data**2 for p in model.parameters())

    plain, decayed = small_mlp(), small_mlp()
    fit(plain, X, y, optimizer="sgd", lr=0.1, epochs=5, verbose=False)
    fit(decayed, X, y, optimizer="sgd", lr=0.1, epochs=5, l2=0.5, verbose=False)
    assert squared_norm(decayed) < squared_norm(plain)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_history_records_the_model_at_the_end_of_each_epoch(moons, batch_size):
    # the final loss is defined once: History.last is evaluate() of the trained model
    X, y = moons
    model = small_mlp()
    seen: list[dict[str, float]] = []
    record = LambdaCallback(on_epoch_end=lambda e, m, logs: seen.append(evaluate(m, X, y)))
    history = fit(
        model, X, y, lr=0.5, l2=1e-3, epochs=4, batch_size=batch_size, callbacks=[record],
        verbose=False,
    )  # fmt: skip
    assert history["loss"] == [s["loss"] for s in seen]
    assert history["accuracy"] == [s["accuracy"] for s in seen]
    assert history.last["loss"] == evaluate(model, X, y)["loss"]


def test_first_epoch_loss_is_the_loss_after_one_step(moons):
    X, y = moons
    model = small_mlp()
    before = evaluate(model, X, y)["loss"]
    scores = [model(x) for x in X]
    objective = hinge_loss(scores, 2.0 * y - 1.0)
    model.zero_grad()
    objective.backward()
    for p in model.parameters():
        p.data -= 0.5 * p.grad
    after = evaluate(model, X, y)["loss"]
    history = fit(small_mlp(), X, y, lr=0.5, epochs=1, verbose=False)
    assert history["loss"] == [pytest.approx(after, rel=1e-12)]
    assert after != pytest.approx(before)


def test_optimizer_instance_and_validation_metrics(moons):
    X, y = moons
    model = small_mlp()
    opt = SGD(model.parameters(), lr=0.2)
    history = fit(
        model, X[:40], y[:40], optimizer=opt, epochs=3, X_val=X[40:], y_val=y[40:], verbose=False
    )
    assert set(history.last) == {
        "epoch",
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
        "lr",
        "seconds",
    }
    assert history["lr"] == [0.2, 0.2, 0.2]
    assert history["epoch"] == [1, 2, 3]
    expected = evaluate(model, X[40:], y[40:], loss="hinge")
    assert history.last["val_accuracy"] == pytest.approx(expected["accuracy"])
    assert history.last["val_loss"] == pytest.approx(expected["loss"])


def test_custom_loss_callable_gets_outputs_and_raw_labels(moons):
    X, y = moons
    seen = {}

    def signed_hinge(outputs, labels):
        seen["labels"] = labels
        return hinge_loss(outputs, 2.0 * np.asarray(labels) - 1.0)

    history = fit(
        small_mlp(), X, y, loss=signed_hinge, optimizer="adam", lr=0.05, epochs=3, verbose=False
    )
    np.testing.assert_array_equal(seen["labels"], y)
    assert history.params["loss"] == "signed_hinge"


def test_loss_targets_map_labels_per_loss():
    y = np.array([0, 1, 1])
    np.testing.assert_array_equal(loss_targets("hinge", y), [-1.0, 1.0, 1.0])
    np.testing.assert_array_equal(loss_targets("mse", y), [-1.0, 1.0, 1.0])
    np.testing.assert_array_equal(loss_targets("bce", y), [0.0, 1.0, 1.0])
    assert loss_targets("cross_entropy", y).dtype.kind == "i"


# --------------------------------------------------------------------------- stopping
def test_early_stopping_stops_after_patience(moons):
    X, y = moons
    stopper = EarlyStopping(monitor="loss", patience=2, min_delta=1.0)  # nothing beats 1.0
    history = fit(
        small_mlp(), X, y, optimizer="sgd", lr=1e-9, epochs=50, callbacks=[stopper], verbose=False
    )
    assert len(history) == 4  # epoch 1 sets the best, epochs 2-4 fail to beat it
    assert history.stopped_early
    assert stopper.stopped_epoch == 4
    assert stopper.best_epoch == 1


def test_early_stopping_restores_best_weights(moons):
    X, y = moons
    model = small_mlp()

    def set_all_weights_to_50(epoch, m, logs):
        for p in m.parameters():
            p.data = 50.0

    spoil = LambdaCallback(on_epoch_end=set_all_weights_to_50)
    stopper = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    fit(
        model,
        X[:40],
        y[:40],
        optimizer="sgd",
        lr=1e-9,
        epochs=10,
        X_val=X[40:],
        y_val=y[40:],
        callbacks=[stopper, spoil],
        verbose=False,
    )
    # best was epoch 1, recorded before `spoil` set every weight to 50
    assert any(p.data != 50.0 for p in model.parameters())


def test_lambda_callback_can_stop_and_hooks_run_in_order(moons):
    X, y = moons
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, model, history):
            calls.append("begin")

        def on_epoch_end(self, epoch, model, logs):
            calls.append(epoch)

        def on_train_end(self, model, history):
            calls.append("end")

    stop_at_3 = LambdaCallback(on_epoch_end=lambda epoch, model, logs: epoch == 3)
    history = fit(small_mlp(), X, y, epochs=10, callbacks=[Recorder(), stop_at_3], verbose=False)
    assert calls == ["begin", 1, 2, 3, "end"]
    assert len(history) == 3 and history.stopped_early


def test_nan_loss_raises_naming_the_epoch(moons):
    X, y = moons
    calls = {"n": 0}

    def poisoned(outputs, targets):
        calls["n"] += is_grad_enabled()  # count training steps, not end-of-epoch evaluations
        loss = hinge_loss(outputs, 2.0 * np.asarray(targets) - 1.0)
        return loss * math.nan if calls["n"] == 3 else loss

    with pytest.raises(FloatingPointError, match="epoch 3"):
        fit(small_mlp(), X, y, loss=poisoned, epochs=5, verbose=False)


def test_nan_guard_checks_the_loss_at_the_end_of_the_last_epoch(moons):
    # the step's objective is finite, the model after the step is not: still a divergence
    X, y = moons
    calls = {"n": 0}

    def poisoned_after_step(outputs, targets):
        calls["n"] += not is_grad_enabled()  # end-of-epoch evaluations
        loss = hinge_loss(outputs, 2.0 * np.asarray(targets) - 1.0)
        return loss * math.inf if calls["n"] == 2 else loss

    with pytest.raises(FloatingPointError, match="after epoch 2"):
        fit(small_mlp(), X, y, loss=poisoned_after_step, epochs=2, verbose=False)


def test_nan_guard_can_be_switched_off_and_json_stays_valid(moons):
    X, y = moons
    model = small_mlp()
    history = fit(
        model,
        X,
        y,
        loss=lambda o, t: hinge_loss(o, 2.0 * t - 1.0) * math.inf,
        epochs=2,
        nan_guard=False,
        verbose=False,
    )
    assert len(history) == 2
    data = json.loads(history.to_json())
    assert data["epochs"][0]["loss"] is None  # inf/NaN are written as null


def test_keyboard_interrupt_keeps_best_checkpoint_and_returns_history(moons, tmp_path, capsys):
    X, y = moons
    path = tmp_path / "best.npz"

    def interrupt(epoch, model, logs):
        if epoch == 3:
            raise KeyboardInterrupt

    checkpoint = ModelCheckpoint(path, monitor="loss")
    model = small_mlp()
    history = fit(
        model,
        X,
        y,
        optimizer="adam",
        lr=0.05,
        epochs=20,
        callbacks=[checkpoint, LambdaCallback(on_epoch_end=interrupt)],
        verbose=False,
    )
    assert history.interrupted and not history.stopped_early
    assert len(history) == 3
    assert path.exists() and checkpoint.best_epoch in (1, 2, 3)
    assert str(path) in capsys.readouterr().err
    restored = load_model(path)
    assert restored.config() == model.config()


def test_model_checkpoint_saves_the_best_epoch(moons, tmp_path):
    X, y = moons
    checkpoint = ModelCheckpoint(tmp_path / "m.npz", monitor="accuracy")
    history = fit(
        small_mlp(),
        X,
        y,
        optimizer="adam",
        lr=0.05,
        epochs=6,
        callbacks=[checkpoint],
        verbose=False,
    )
    accs = history["accuracy"]
    assert checkpoint.best == max(accs)
    assert checkpoint.best_epoch == accs.index(max(accs)) + 1


# --------------------------------------------------------------------------- checks
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": [[0.0, math.nan], [1.0, 1.0]], "y": [0, 1]}, "NaN or inf"),
        ({"X": [[0.0, 0.0]], "y": [0, 1]}, "1 rows but y has 2"),
        ({"X": [0.0, 1.0], "y": [0, 1]}, "2-D"),
        ({"y": [0, 2]}, r"labels in \{0, 1\}"),
        ({"X_val": [[0.0, 0.0, 0.0]], "y_val": [1]}, "3 features"),
        ({"X_val": [[0.0, math.inf]], "y_val": [1]}, "validation data"),
        ({"X_val": [[0.0, 0.0]]}, "both X_val and y_val"),
        ({"loss": "cross_entropy", "y": [0, 3]}, "at least 4 model outputs"),
        ({"loss": "nope"}, "unknown loss"),
        ({"epochs": 0}, "epochs"),
        ({"lr": -1.0}, "lr"),
        ({"l2": -1.0}, "l2"),
        ({"optimizer": "nope"}, "unknown optimizer"),
        ({"verbose": "loud"}, "verbose"),
    ],
)
def test_bad_arguments_raise_before_training(kwargs, message):
    model = MLP(2, [2, 1] if kwargs.get("loss") != "cross_entropy" else [2, 2], seed=0)
    before = model.state_dict()
    args = {"X": [[0.0, 0.0], [1.0, 1.0]], "y": [0, 1], "epochs": 2, "verbose": False, **kwargs}
    with pytest.raises(ValueError, match=message):
        fit(model, **args)
    assert model.state_dict() == before


def test_progress_bar_only_on_request(moons, capsys):
    X, y = moons
    fit(small_mlp(), X[:10], y[:10], epochs=2, verbose=True)  # stderr is not a terminal here
    assert capsys.readouterr().err == ""
    fit(small_mlp(), X[:10], y[:10], epochs=2, verbose="always")
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err and "acc=" in err


# --------------------------------------------------------------------------- predict
def test_predict_runs_without_recording_a_graph():
    modes = []

    class Spy(Module):
        def __init__(self) -> None:
            self.w = Value(1.0)

        def forward(self, x):
            modes.append(is_grad_enabled())
            return [self.w * x[0]]

    X = np.array([[2.0, 0.0], [-1.0, 0.0]])
    np.testing.assert_array_equal(predict(Spy(), X), [1, 0])
    np.testing.assert_allclose(predict_proba(Spy(), X)[:, 1], 1 / (1 + np.exp([-2.0, 1.0])))
    assert modes and not any(modes)
    assert is_grad_enabled()


def test_adapter_is_chosen_from_the_model():
    assert isinstance(adapter_for(small_mlp()), ScalarAdapter)
    custom = ScalarAdapter()
    assert adapter_for(small_mlp(), custom) is custom
    assert isinstance(custom, EngineAdapter)
    with pytest.raises(ValueError, match="unknown engine"):
        adapter_for(small_mlp(), "gpu")

    class Odd(Module):
        def parameters(self):
            return [object()]

    with pytest.raises(TypeError, match="no engine adapter"):
        adapter_for(Odd())


def test_accuracy_and_its_errors():
    assert accuracy([0, 1, 1, 0], np.array([0, 1, 0, 0])) == 0.75
    with pytest.raises(ValueError, match="3 true labels and 2 predictions"):
        accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="no labels"):
        accuracy([], [])


# --------------------------------------------------------------------------- history
def test_history_to_dict_and_json(tmp_path, moons):
    X, y = moons
    history = fit(small_mlp(), X, y, epochs=3, verbose=False)
    data = history.to_dict()
    assert [e["epoch"] for e in data["epochs"]] == [1, 2, 3]
    assert data["stopped_early"] is False and data["interrupted"] is False
    assert data["params"]["engine"] == "scalar"
    path = tmp_path / "history.json"
    text = history.to_json(path)
    assert json.loads(path.read_text()) == json.loads(text) == data
    assert history["accuracy"] == [e["accuracy"] for e in history.epochs]
    with pytest.raises(KeyError, match="val_loss"):
        history["val_loss"]
    assert History().last == {}


def test_fit_pauses_the_cycle_collector_only_during_steps():
    import gc

    X, y = load_dataset("moons", n_samples=40, noise=0.1, seed=0)
    seen = []

    def loss(outputs, targets):
        seen.append(gc.isenabled())  # called in a training step or the epoch's evaluation
        return hinge_loss(outputs, 2.0 * targets - 1)

    assert gc.isenabled()
    fit(MLP(2, [4, 1], seed=0), X, y, loss=loss, epochs=2, verbose=False)
    assert seen and not any(seen)
    assert gc.isenabled()  # restored after training
    # The same pause for a hand-written loop; it restores the collector as it found it.
    from minitorch_nn.train import collector_paused

    with pytest.raises(RuntimeError, match="inside"), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("an error inside a step")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # was off before: stays off
    finally:
        gc.enable()
