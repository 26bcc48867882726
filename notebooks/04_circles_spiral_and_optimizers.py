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
# # 04 · Circles, a spiral, and three optimizers
#
# Two harder datasets and the optimizers that train on them:
#
# 1. **circles**: one class inside a ring of the other. No straight line separates
#    them, so a model without hidden layers cannot learn it; an MLP can.
# 2. **SGD vs momentum vs Adam** on the same circles, from the same initial weights,
#    with the loss curves side by side.
# 3. **spiral**: three interleaved arms, a 3-class problem trained with cross-entropy.
#
# All training here runs on the scalar `Value` engine, so the datasets and networks are
# kept small.

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np

from minitorch_nn import Value
from minitorch_nn.data import load_dataset
from minitorch_nn.nn import MLP
from minitorch_nn.optim import SGD, Adam
from minitorch_nn.optim.schedules import cosine
from minitorch_nn.plot import plot_decision_boundary
from minitorch_nn.train import evaluate, fit

QUICK = os.environ.get("MINITORCH_NN_NOTEBOOK_TEST") == "1"  # set when CI runs notebooks
EPOCHS = 40 if QUICK else 80
RESOLUTION = 40 if QUICK else 100  # decision-boundary grid: RESOLUTION**2 forward passes
warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm without widgets

# %% [markdown]
# ## 1. Circles: a straight line is not enough
#
# `MLP(2, [1])` has no hidden layer: its score $s = b + w_1 x_1 + w_2 x_2$ is linear, so
# the boundary $s = 0$ is a straight line, and at best it gets a little over half the
# points right. With two hidden layers of 8 `tanh` units the network can bend the
# boundary into a closed curve. Both are trained with the binary cross-entropy on the
# logit $s$ ("bce": $L = \log(1 + e^{s}) - t s$ for $t \in \{0, 1\}$) and Adam.

# %%
X, y = load_dataset("circles", n_samples=100, noise=0.1, seed=0)  # (100, 2), y in {0, 1}

linear = MLP(2, [1], seed=0)  # 3 parameters: a straight boundary
history_linear = fit(linear, X, y, loss="bce", optimizer="adam", lr=0.05, epochs=EPOCHS,
                     verbose=False)
mlp = MLP(2, [8, 8, 1], activation="tanh", seed=0)  # 105 parameters
history_mlp = fit(mlp, X, y, loss="bce", optimizer="adam", lr=0.05, epochs=EPOCHS,
                  verbose=False)

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
plot_decision_boundary(linear, X, y, ax=axes[0], resolution=RESOLUTION,
                       title=f"MLP(2, [1]): accuracy {history_linear.last['accuracy']:.0%}")
plot_decision_boundary(mlp, X, y, ax=axes[1], resolution=RESOLUTION,
                       title=f"MLP(2, [8, 8, 1]): accuracy {history_mlp.last['accuracy']:.0%}")
plt.show()
print(f"linear: {history_linear.last['accuracy']:.0%}, MLP: {history_mlp.last['accuracy']:.0%}")
assert history_linear.last["accuracy"] < 0.75 <= 0.95 <= history_mlp.last["accuracy"]


# %% [markdown]
# ## 2. Three update rules
#
# With $g = \partial L/\partial p$ and learning rate $\eta$:
#
# - **SGD**: $p \leftarrow p - \eta\, g$.
# - **Momentum** (heavy ball, PyTorch's form): $b \leftarrow \mu b + g$,
#   $p \leftarrow p - \eta\, b$. With a steady gradient the buffer grows to
#   $g / (1 - \mu)$: with $\mu = 0.9$, steps become up to 10 times larger, and
#   oscillating components of $g$ cancel.
# - **Adam**: running means of $g$ and $g^2$,
#   $m \leftarrow \beta_1 m + (1 - \beta_1) g$, $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$,
#   bias-corrected $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$, and
#   $p \leftarrow p - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)$. Every parameter gets its
#   own step size: the step is about $\eta$ whatever the scale of $g$.
#
# Check each rule on one parameter, $L = 3p^2$ at $p = 1$ (so $g = 6p$):

# %%
def two_steps(make_optimizer):
    p = Value(1.0)
    opt = make_optimizer([p])
    moves = []
    for _ in range(2):
        opt.zero_grad()
        (3 * p**2).backward()
        before = p.data
        opt.step()
        moves.append(p.data - before)
    return moves


eta, mu = 0.01, 0.9
sgd_moves = two_steps(lambda ps: SGD(ps, lr=eta))
momentum_moves = two_steps(lambda ps: SGD(ps, lr=eta, momentum=mu))
adam_moves = two_steps(lambda ps: Adam(ps, lr=eta))
print("SGD      moves", sgd_moves)
print("momentum moves", momentum_moves)
print("Adam     moves", adam_moves)

g1 = 6.0                      # gradient at p = 1
g2 = 6 * (1 - eta * g1)       # SGD's gradient after its first step
assert np.allclose(sgd_moves, [-eta * g1, -eta * g2])
# momentum: the same first step; the second adds mu times the first gradient
p1 = 1 - eta * g1
assert np.allclose(momentum_moves, [-eta * g1, -eta * (mu * g1 + 6 * p1)])
# Adam's first step is eta * sign(g), however large g is: m_hat / sqrt(v_hat) = g / |g|
assert np.isclose(adam_moves[0], -eta, rtol=1e-6)

# %% [markdown]
# Now the three on the circles, from the **same initial weights** (`seed=0`), for the
# same number of epochs. Each gets a learning rate that suits it: 0.5 for SGD, 0.1 for
# momentum (its buffer enlarges the steps), 0.05 for Adam.

# %%
runs = {
    "SGD (lr 0.5)": lambda params: SGD(params, lr=0.5),
    "momentum 0.9 (lr 0.1)": lambda params: SGD(params, lr=0.1, momentum=0.9),
    "Adam (lr 0.05)": lambda params: Adam(params, lr=0.05),
}
histories, models = {}, {}
start = evaluate(MLP(2, [8, 8, 1], activation="tanh", seed=0), X, y, loss="bce")
for name, make_optimizer in runs.items():  # the same starting weights for all three
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    histories[name] = fit(model, X, y, loss="bce", optimizer=make_optimizer(model.parameters()),
                          epochs=EPOCHS, verbose=False)
    models[name] = model
    last = histories[name].last
    print(f"{name:>22}: loss {start['loss']:.3f} -> {last['loss']:.3f}, "
          f"accuracy {last['accuracy']:.0%}, {sum(histories[name]['seconds']):.1f} s")
final = {name: h["loss"][-1] for name, h in histories.items()}
assert final["Adam (lr 0.05)"] < final["SGD (lr 0.5)"]

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, history in histories.items():
    epochs = range(1, len(history) + 1)
    axes[0].plot(epochs, history["loss"], label=name)
    axes[1].plot(epochs, history["accuracy"], label=name)
axes[0].set(title="training loss (bce)", xlabel="epoch", ylabel="loss", yscale="log")
axes[1].set(title="training accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0.3, 1.02))
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
for ax, (name, model) in zip(axes, models.items()):
    plot_decision_boundary(model, X, y, ax=ax, resolution=RESOLUTION,
                           title=f"{name}: {histories[name].last['accuracy']:.0%}")
plt.show()

# %% [markdown]
# Adam leaves the flat start of the loss surface fastest: it rescales each parameter's
# step to about $\eta$ whatever the size of its gradient. SGD's step is $\eta g$, small
# wherever the gradient is small. Momentum builds larger steps out of consistent
# gradients, but its buffer also carries it past the minimum along steep directions, so
# its curve can wiggle. Which of SGD and momentum is ahead after a given number of epochs
# depends on the learning rates chosen: the update rule matters, and so does $\eta$
# (too large a one makes any of them diverge).
#
# ## 3. The spiral: three classes
#
# For $k$ classes the network outputs $k$ scores $s_1..s_k$ (logits); **softmax**
# turns them into probabilities $p_j = e^{s_j} / \sum_l e^{s_l}$, and the
# **cross-entropy** of a sample with class $c$ is $L = -\log p_c$. Its gradient towards
# the scores is simple: $\partial L/\partial s_j = p_j - [j = c]$. Training uses
# minibatches of 30 shuffled samples and a cosine learning-rate schedule.

# %%
X3, y3 = load_dataset("spiral", n_samples=90, noise=0.1, seed=0)  # (90, 2), y in {0, 1, 2}
spiral_epochs = EPOCHS
spiral = MLP(2, [12, 12, 3], activation="relu", seed=0)  # 3 logits per sample
history_spiral = fit(
    spiral,
    X3,
    y3,
    loss="cross_entropy",
    optimizer="adam",
    lr_schedule=cosine(0.08, spiral_epochs, lr_min=0.005),
    epochs=spiral_epochs,
    batch_size=30,
    verbose=False,
)
last = history_spiral.last
print(f"spiral: {len(history_spiral)} epochs, loss {history_spiral['loss'][0]:.3f} -> "
      f"{last['loss']:.3f}, accuracy {last['accuracy']:.0%}")

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].plot(history_spiral["loss"])
axes[0].set(title="spiral: cross-entropy per epoch", xlabel="epoch", ylabel="loss")
axes[0].grid(alpha=0.3)
plot_decision_boundary(spiral, X3, y3, ax=axes[1], resolution=RESOLUTION)
plt.show()
assert abs(history_spiral["loss"][0] - np.log(3)) < 0.5  # near-uniform start: -log(1/3)
assert last["accuracy"] >= 0.9

# %% [markdown]
# At the start the three logits are close, each class gets probability near $1/3$ and
# the loss is near $\log 3 \approx 1.10$. The spiral's boundary winds with the arms.
#
# **Summary.** Hidden layers make curved boundaries possible; the optimizer decides how
# quickly training finds one. Next: [05 · scalar vs tensor](05_scalar_vs_tensor.ipynb),
# the same model on a vectorised engine.
