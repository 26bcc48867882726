"""Training and prediction under hostile use: Ctrl-C inside an optimizer step, optimizers over
another model's parameters, bad prediction inputs, parameters replaced by plain floats."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from minitorch_nn.data import load_dataset
from minitorch_nn.nn import MLP
from minitorch_nn.optim import SGD, Adam
from minitorch_nn.tensor import nn as tnn
from minitorch_nn.train import (
    LambdaCallback,
    decision_function,
    evaluate,
    fit,
    predict,
    predict_proba,
)

BUILDERS = {"scalar": MLP, "tensor": tnn.MLP}


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    return load_dataset("moons", n_samples=40, noise=0.1, seed=0)


def weights(model) -> list[np.ndarray]:
    return [np.array(p.data, dtype=np.float64, copy=True) for p in model.parameters()]


# --------------------------------------------------------------------------- Ctrl-C mid-step
class InterruptedSGD(SGD):
    """Plain SGD, p <- p - lr * grad, one parameter at a time; at step ``at`` a SIGINT is sent
    to this process after the first parameter is updated, as a user's Ctrl-C could land."""

    def __init__(self, params, lr: float, at: int | None) -> None:
        super().__init__(params, lr=lr)
        self.at, self.steps = at, 0

    def step(self) -> None:
        self.steps += 1
        for i, p in enumerate(self.params):
            p.data = p.data - self.lr * p.grad
            if i == 0 and self.steps == self.at:
                os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.parametrize("engine", ["scalar", "tensor"])
@pytest.mark.parametrize("at", [1, 3])
def test_ctrl_c_inside_a_full_batch_step_finishes_the_step(moons, engine, at, capsys):
    X, y = moons
    model = BUILDERS[engine](2, [6, 1], seed=0)
    opt = InterruptedSGD(model.parameters(), lr=0.3, at=at)
    history = fit(model, X, y, optimizer=opt, epochs=10, verbose=False)
    assert history.interrupted and opt.steps == at
    reference = BUILDERS[engine](2, [6, 1], seed=0)
    expected = fit(
        reference,
        X,
        y,
        optimizer=InterruptedSGD(reference.parameters(), lr=0.3, at=None),
        epochs=at,
        verbose=False,
    )
    for got, want in zip(weights(model), weights(reference)):
        np.testing.assert_array_equal(got, want)  # exactly after `at` steps, not torn
    assert len(history) == at  # and the History describes that model
    assert history["loss"] == expected["loss"]
    assert history.last["loss"] == evaluate(model, X, y)["loss"]
    assert f"interrupted during epoch {at}/10" in capsys.readouterr().err


def test_ctrl_c_inside_a_minibatch_step_records_the_model_it_leaves(moons):
    X, y = moons
    model = MLP(2, [6, 1], seed=0)
    opt = InterruptedSGD(model.parameters(), lr=0.3, at=6)  # 4 steps per epoch: epoch 2
    history = fit(model, X, y, optimizer=opt, epochs=5, batch_size=10, verbose=False)
    assert history.interrupted and opt.steps == 6
    assert [e["epoch"] for e in history.epochs] == [1, 2]
    assert history.last["loss"] == evaluate(model, X, y)["loss"]


def test_ctrl_c_when_training_a_converted_copy_writes_whole_steps_back(moons):
    X, y = moons
    model = MLP(2, [6, 1], seed=0)
    sent = []

    def ctrl_c(epoch, m, logs):
        if epoch == 2:
            sent.append(epoch)
            os.kill(os.getpid(), signal.SIGINT)

    history = fit(
        model, X, y, epochs=6, engine="tensor", callbacks=[LambdaCallback(ctrl_c)], verbose=False
    )
    assert sent == [2] and history.interrupted and len(history) == 2
    assert history.last["loss"] == pytest.approx(evaluate(model, X, y)["loss"], rel=1e-12)


def test_fit_puts_back_the_sigint_handler_it_found(moons):
    X, y = moons
    calls = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        model = MLP(2, [4, 1], seed=0)
        opt = InterruptedSGD(model.parameters(), lr=0.3, at=2)
        history = fit(model, X, y, optimizer=opt, epochs=3, verbose=False)
        assert calls == [signal.SIGINT]  # the caller's handler ran, after the step
        assert not history.interrupted and len(history) == 3  # it chose not to stop
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler)
        handler(signal.SIGINT, None)
        assert calls == [signal.SIGINT] * 2
    finally:
        signal.signal(signal.SIGINT, previous)
    assert signal.getsignal(signal.SIGINT) is previous


def test_a_step_that_raises_leaves_ctrl_c_working_again(moons):
    X, y = moons

    class Broken(SGD):
        def step(self) -> None:
            raise RuntimeError("broken step")

    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(RuntimeError, match="broken step"):
        fit(model, X, y, optimizer=Broken(model.parameters(), lr=0.1), epochs=2, verbose=False)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --------------------------------------------------------------------------- foreign optimizers
@pytest.mark.parametrize("engine", ["scalar", "tensor"])
@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1), lambda ps: Adam(ps, lr=0.01)])
def test_an_optimizer_over_another_models_parameters_is_refused(moons, engine, make):
    X, y = moons
    model, other = (BUILDERS[engine](2, [4, 1], seed=s) for s in (0, 1))
    before = weights(model)
    with pytest.raises(ValueError, match="from outside the model"):
        fit(model, X, y, optimizer=make(other.parameters()), epochs=2, verbose=False)
    for got, want in zip(weights(model), before):
        np.testing.assert_array_equal(got, want)


def test_an_optimizer_mixing_own_and_foreign_parameters_is_refused(moons):
    X, y = moons
    model, other = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=1)
    mixed = SGD(model.parameters()[:3] + other.parameters()[:2], lr=0.1)
    with pytest.raises(ValueError, match="holds 2 of its 5 parameters from outside"):
        fit(model, X, y, optimizer=mixed, epochs=1, verbose=False)


def test_an_optimizer_over_some_of_the_models_parameters_trains_those(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    last = model.layers[-1].parameters()
    before = weights(model)
    fit(model, X, y, optimizer=SGD(last, lr=0.5), epochs=3, verbose=False)
    after = weights(model)
    changed = [not np.array_equal(a, b) for a, b in zip(before, after)]
    n_last = len(last)
    assert not any(changed[:-n_last]) and any(changed[-n_last:])


# --------------------------------------------------------------------------- prediction inputs
PREDICTORS = [predict, predict_proba, decision_function]


@pytest.mark.parametrize("engine", ["scalar", "tensor"])
@pytest.mark.parametrize("predictor", PREDICTORS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_prediction_refuses_nan_and_inf_rows_by_number(engine, predictor, bad):
    model = BUILDERS[engine](2, [4, 1], seed=0)
    X = np.zeros((6, 2))
    X[2, 1] = X[5, 0] = bad
    with pytest.raises(ValueError, match=r"NaN or inf at rows \[2, 5\]"):
        predictor(model, X)


@pytest.mark.parametrize("predictor", PREDICTORS)
def test_one_sample_is_a_2d_row_as_fit_takes_it(predictor):
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError, match=r"one sample is X.reshape\(1, -1\)"):
        predictor(model, np.array([0.5, -0.5]))
    with pytest.raises(ValueError, match=r"one sample is X.reshape\(1, -1\)"):
        fit(model, np.array([0.5, -0.5]), np.array([1]), epochs=1, verbose=False)
    one = predictor(model, np.array([[0.5, -0.5]]))
    assert len(one) == 1


@pytest.mark.parametrize("engine", ["scalar", "tensor"])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_zero_rows_give_empty_results_of_the_usual_shape(engine, n_outputs):
    model = BUILDERS[engine](2, [4, n_outputs], seed=0)
    empty = np.zeros((0, 2))
    n_classes = 2 if n_outputs == 1 else n_outputs
    labels = predict(model, empty)
    assert labels.shape == (0,) and labels.dtype == np.int64
    assert predict_proba(model, empty).shape == (0, n_classes)
    assert decision_function(model, empty).shape == ((0,) if n_outputs == 1 else (0, n_outputs))
    with pytest.raises(ValueError, match="at least one sample"):
        fit(model, empty, np.zeros(0, dtype=int), epochs=1, verbose=False)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.zeros((2, 2, 2)), "must be 2-D"),
        (np.array([["a", "b"]]), "real numbers"),
        (np.array([[1 + 2j, 0]]), "real numbers"),
        ([[0.0, 1.0], [2.0]], "2-D array of numbers"),
        (np.zeros((3, 0)), "no features"),
        ([[0.0, None]], r"NaN or inf at rows \[0\]"),
    ],
)
def test_prediction_refuses_what_fit_refuses(X, message):
    model = MLP(2, [4, 1], seed=0)
    for predictor in PREDICTORS:
        with pytest.raises(ValueError, match=message):
            predictor(model, X)
    with pytest.raises(ValueError, match=message):
        fit(model, X, np.zeros(len(X), dtype=int), epochs=1, verbose=False)


def test_prediction_accepts_what_fit_accepts(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    as_lists = predict(model, X.tolist())
    as_ints = predict(model, np.round(X).astype(np.int32))
    np.testing.assert_array_equal(as_lists, predict(model, X))
    np.testing.assert_array_equal(as_ints, predict(model, np.round(X)))
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        predict(model, np.zeros((4, 3)))


# --------------------------------------------------------------------------- plain floats
def test_a_weight_replaced_by_a_float_is_named(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    model.layers[0].neurons[1].w[0] = 0.5
    with pytest.raises(TypeError, match=r"plain numbers where parameters belong: layers\.0\."):
        fit(model, X, y, epochs=1, verbose=False)


def test_a_bias_replaced_by_a_float_is_named(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    model.layers[1].neurons[0].b = 0.0
    with pytest.raises(TypeError, match=r"layers\.1\.neurons\.0\.b.*p\.data = x"):
        fit(model, X, y, epochs=1, verbose=False)


@pytest.mark.parametrize("layer", [0, 1])
def test_a_tensor_weight_replaced_by_an_array_is_named(moons, layer):
    X, y = moons
    model = tnn.MLP(2, [4, 1], seed=0)
    shape = np.shape(model.layers[layer].weight.data)
    model.layers[layer].weight = np.zeros(shape)
    with pytest.raises(TypeError, match=rf"layers\.{layer}\.weight"):
        fit(model, X, y, epochs=1, verbose=False)


def test_every_parameter_replaced_by_floats_is_a_clear_error(moons):
    X, y = moons
    model = MLP(2, [2, 1], seed=0)
    for layer in model.layers:
        for neuron in layer.neurons:
            neuron.w = [float(w.data) for w in neuron.w]
            neuron.b = float(neuron.b.data)
    assert model.parameters() == []
    with pytest.raises(TypeError, match="plain numbers where parameters belong"):
        fit(model, X, y, epochs=1, verbose=False)


@pytest.mark.parametrize("engine", ["scalar", "tensor"])
def test_plain_numbers_are_named_before_converting_to_another_engine(moons, engine):
    X, y = moons
    model = BUILDERS[engine](2, [4, 1], seed=0)
    if engine == "scalar":
        model.layers[0].neurons[1].b = 0.5
    else:
        model.layers[0].bias = np.zeros(4)
    other = "tensor" if engine == "scalar" else "scalar"
    with pytest.raises(TypeError, match=r"plain numbers where parameters belong: layers\.0\."):
        fit(model, X, y, epochs=1, engine=other, verbose=False)
