# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · The same model on two engines
#
# The scalar engine makes every number a `Value`: a forward pass of a 337-parameter MLP
# over 100 samples builds thousands of Python objects, and `backward()` visits each.
# The **tensor engine** (`minitorch_nn.tensor`) keeps whole arrays in one node: a layer
# is one node `x @ W + b`, and the local derivatives are numpy matrix products. Both
# engines run on the **same graph walk** (`autograd/graph.py`), so they compute the
# same numbers; only the size of a node differs.
#
# This notebook checks that claim (same forward, same loss, same gradients, the same
# training run down to the last digit) and measures what it buys.

# %%
import os
import random
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons

from minitorch_nn import losses
from minitorch_nn.autograd.graph import toposort
from minitorch_nn.nn import MLP
from minitorch_nn.optim import SGD
from minitorch_nn.optim.schedules import linear_decay
from minitorch_nn.plot import plot_decision_boundary
from minitorch_nn.tensor import Tensor
from minitorch_nn.losses import tensor as tensor_losses
from minitorch_nn.tensor.nn import from_scalar
from minitorch_nn.train import fit

QUICK = os.environ.get("MINITORCH_NN_NOTEBOOK_TEST") == "1"  # set when CI runs notebooks
warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm without widgets

# %% [markdown]
# ## One model, two engines
#
# `from_scalar` turns a scalar `MLP` into a tensor `MLP` with the same numbers. A scalar
# `Linear(nin, nout)` is a list of `nout` neurons, each with `nin` weights and a bias; the
# tensor `Linear` holds one `weight` array of shape `(nin, nout)` whose column $j$ is
# neuron $j$'s weights, and one `bias` of shape `(nout,)`.

# %%
scalar_model = MLP(2, [16, 16, 1], rng=random.Random(1337))  # micrograd's initial weights
tensor_model = from_scalar(scalar_model)
print("scalar:", scalar_model, "-", len(scalar_model.parameters()), "Value parameters")
print("tensor:", tensor_model, "-", len(tensor_model.parameters()), "Tensor parameters:",
      [p.shape for p in tensor_model.parameters()])
assert scalar_model.num_parameters() == tensor_model.num_parameters() == 337

first_scalar, first_tensor = scalar_model.layers[0], tensor_model.layers[0]
for j, neuron in enumerate(first_scalar.neurons):
    assert list(first_tensor.weight.data[:, j]) == [w.data for w in neuron.w]
    assert first_tensor.bias.data[j] == neuron.b.data
print("column j of the tensor weight == the weights of scalar neuron j: yes")

# %% [markdown]
# ## Same forward pass, same loss, same gradients
#
# The demo recipe's objective on 100 moons, labels $t_i \in \{-1, +1\}$:
# $$L = \frac{1}{n}\sum_i \max(0,\ 1 - t_i s_i) + 10^{-4} \sum_p p^2 .$$
# The scalar engine calls the model once per sample; the tensor engine once for the
# whole batch `(100, 2) -> (100, 1)`. After `backward()`, every gradient is compared:
# neuron $j$'s weight gradients against column $j$ of `weight.grad`.

# %%
X, y = make_moons(n_samples=100, noise=0.1, random_state=1337)  # micrograd's data
targets = 2 * y - 1  # {-1, +1}


def scalar_objective(model):
    scores = [model(list(row)) for row in X]  # 100 Values
    return losses.hinge_loss(scores, targets) + 1e-4 * losses.l2_penalty(model.parameters())


def tensor_objective(model):
    scores = model(Tensor(X))  # (100, 1)
    return tensor_losses.hinge_loss(scores, targets) + 1e-4 * tensor_losses.l2_penalty(
        model.parameters()
    )


scalar_loss, tensor_loss = scalar_objective(scalar_model), tensor_objective(tensor_model)
scalar_loss.backward()
tensor_loss.backward()
print(f"loss: scalar {scalar_loss.data!r}, tensor {tensor_loss.item()!r}")
assert np.isclose(scalar_loss.data, tensor_loss.item(), rtol=1e-12)

worst = 0.0
for s_layer, t_layer in zip(scalar_model.layers, tensor_model.layers):
    s_weight = np.array([[w.grad for w in n.w] for n in s_layer.neurons]).T  # (nin, nout)
    s_bias = np.array([n.b.grad for n in s_layer.neurons])
    assert np.allclose(t_layer.weight.grad, s_weight, rtol=1e-10, atol=1e-14)
    assert np.allclose(t_layer.bias.grad, s_bias, rtol=1e-10, atol=1e-14)
    worst = max(worst, np.abs(t_layer.weight.grad - s_weight).max())
print(f"all 337 gradients agree; largest difference {worst:.1e}")

n_scalar, n_tensor = len(toposort(scalar_loss)), len(toposort(tensor_loss))
print(f"nodes in the graph: scalar {n_scalar}, tensor {n_tensor}")
assert n_scalar > 100 * n_tensor

# %% [markdown]
# ## The demo recipe on both engines, step by step
#
# 100 full-batch steps of SGD with learning rate $1 - 0.9\,k/100$, the loop written out
# once per engine and timed per step. micrograd's published demo prints
# `step 99 loss 0.010978370135492717, accuracy 100.0%`; both engines must reproduce it.

# %%
MICROGRAD_FINAL_LOSS = 0.010978370135492717
schedule = linear_decay(1.0, 0.1, 100)


def train(model, objective, item, steps=100):
    optimizer = SGD(model.parameters(), lr=1.0)
    step_losses, step_seconds = [], []
    for k in range(steps):
        start = time.perf_counter()
        total = objective(model)
        optimizer.zero_grad()
        total.backward()
        optimizer.lr = schedule(k)
        optimizer.step()
        step_seconds.append(time.perf_counter() - start)
        step_losses.append(item(total))
    return step_losses, np.array(step_seconds)


scalar_model = MLP(2, [16, 16, 1], rng=random.Random(1337))
tensor_model = from_scalar(scalar_model)
scalar_losses, scalar_seconds = train(scalar_model, scalar_objective, lambda v: v.data)
tensor_losses_, tensor_seconds = train(tensor_model, tensor_objective, lambda t: t.item())

print(f"step 99 loss: scalar {scalar_losses[-1]!r}, tensor {tensor_losses_[-1]!r}")
assert np.isclose(scalar_losses[-1], MICROGRAD_FINAL_LOSS, rtol=1e-9, atol=0)
assert np.isclose(tensor_losses_[-1], MICROGRAD_FINAL_LOSS, rtol=1e-9, atol=0)
assert np.allclose(scalar_losses, tensor_losses_, rtol=1e-9)
print("all 100 step losses agree to 9 significant digits or better")

scalar_ms, tensor_ms = 1e3 * np.median(scalar_seconds), 1e3 * np.median(tensor_seconds)
print(f"median time per step: scalar {scalar_ms:.1f} ms, tensor {tensor_ms:.2f} ms "
      f"-> the tensor engine is {scalar_ms / tensor_ms:.0f}x faster on this machine")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].plot(scalar_losses, lw=4, alpha=0.4, label="scalar (Value)")
axes[0].plot(tensor_losses_, "k--", lw=1, label="tensor")
axes[0].set(title="loss per step: the curves coincide", xlabel="step", ylabel="loss",
            yscale="log")
axes[0].legend()
axes[1].bar(["scalar", "tensor"], [scalar_ms, tensor_ms], color=["tab:blue", "tab:orange"])
axes[1].set(title="median time per step (ms, log scale)", yscale="log")
for ax in axes:
    ax.grid(alpha=0.3)
plt.show()


# %% [markdown]
# ## Where the time goes
#
# A step's cost on the scalar engine is proportional to the number of `Value` nodes:
# about (samples × multiply-adds per sample), each a Python object created in the
# forward pass and visited in the backward pass. The tensor engine builds a handful of
# nodes whatever the batch size; the work per node is a numpy call, so its time stays
# nearly flat until the arrays are large enough for the arithmetic itself to count.

# %%
def seconds_per_step(n, engine, repeats=3):
    Xn, yn = make_moons(n_samples=n, noise=0.1, random_state=0)
    tn = 2 * yn - 1
    model = MLP(2, [16, 16, 1], seed=0)
    if engine == "tensor":
        model = from_scalar(model)
    optimizer = SGD(model.parameters(), lr=0.1)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        if engine == "tensor":
            scores = model(Tensor(Xn))
            total = tensor_losses.hinge_loss(scores, tn)
        else:
            total = losses.hinge_loss([model(list(row)) for row in Xn], tn)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return min(times)


scalar_sizes = [10, 30, 100] if QUICK else [10, 30, 100, 300]
tensor_sizes = [10, 30, 100, 300, 1000, 3000, 10000]
scalar_times = [seconds_per_step(n, "scalar") for n in scalar_sizes]
tensor_times = [seconds_per_step(n, "tensor") for n in tensor_sizes]
for n, s in zip(scalar_sizes, scalar_times):
    print(f"n = {n:>5}: scalar {1e3 * s:8.2f} ms/step")
for n, t in zip(tensor_sizes, tensor_times):
    print(f"n = {n:>5}: tensor {1e3 * t:8.2f} ms/step")

fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(scalar_sizes, 1e3 * np.array(scalar_times), "o-", label="scalar (Value)")
ax.loglog(tensor_sizes, 1e3 * np.array(tensor_times), "s-", label="tensor")
ax.set(xlabel="batch size n", ylabel="ms per training step", title="MLP(2, [16, 16, 1])")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.show()

# %% [markdown]
# ## `fit` on either engine
#
# `fit(..., engine="tensor")` trains any model on the tensor engine. Given a scalar model
# it trains a tensor copy and writes the weights back, so the scalar model you passed
# in is the trained one. Here: 10,000 moons in minibatches of 500.

# %%
X_big, y_big = make_moons(n_samples=10_000, noise=0.1, random_state=0)
model = MLP(2, [16, 16, 1], seed=0)  # a scalar model
epochs = 10 if QUICK else 30
history = fit(model, X_big, y_big, loss="hinge", optimizer="adam", lr=0.01, l2=1e-4,
              epochs=epochs, batch_size=500, engine="tensor", verbose=False)
last = history.last
print(f"{len(X_big)} samples, {epochs} epochs in {sum(history['seconds']):.1f} s: "
      f"loss {last['loss']:.4f}, accuracy {last['accuracy']:.1%}, "
      f"engine {history.params['engine']}")
scalar_estimate = scalar_times[-1] / scalar_sizes[-1] * len(X_big)  # linear in n
print(f"the scalar engine would need about {scalar_estimate:.0f} s per epoch here "
      f"(extrapolated from the timings above)")
assert last["accuracy"] > 0.97

subset = slice(0, 500)
ax = plot_decision_boundary(model, X_big[subset], y_big[subset], resolution=80,
                            title="the scalar model, trained on the tensor engine")
plt.show()

# %% [markdown]
# **Summary.** Same graph walk, same op rules, same numbers to the last digit, including
# micrograd's final loss. The difference is granularity: one Python object per number on
# the scalar engine, one numpy array per layer on the tensor engine. The scalar engine is
# for seeing every step of the chain rule (notebooks 01–02); the tensor engine is for
# training on real amounts of data.
