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
# # 03 · An MLP on two moons
#
# The classic first network: two interleaved half-circles (*moons*), a multilayer
# perceptron with two hidden layers of 16 ReLU units, a max-margin (hinge) loss and plain
# SGD. We build the model, take **one training step by hand** to see every piece, let
# `fit` repeat it, and then look at the loss curves and at the decision boundary, at the
# end and while it forms.

# %%
import os
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, display
from matplotlib.colors import ListedColormap

from minitorch_nn.data import load_dataset, train_test_split
from minitorch_nn.losses import hinge_loss, l2_penalty
from minitorch_nn.nn import MLP
from minitorch_nn.optim.schedules import linear_decay
from minitorch_nn.plot import (
    BoundaryRecorder,
    animate_training,
    class_colors,
    plot_decision_boundary,
    plot_history,
)
from minitorch_nn.train import accuracy, evaluate, fit, predict

CLASS_COLORS = ListedColormap(class_colors(2))  # the library's colours for classes 0, 1

QUICK = os.environ.get("MINITORCH_NN_NOTEBOOK_TEST") == "1"  # set when CI runs notebooks
EPOCHS = 50 if QUICK else 100  # the demo recipe uses 100
RESOLUTION = 60 if QUICK else 120  # decision-boundary grid: RESOLUTION**2 forward passes
warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm without widgets

# %% [markdown]
# ## The data
#
# 150 points, 2 features, labels 0 and 1, with a little noise. A third is held out as a
# validation set that training never sees; the 100 training points are the demo's moons.

# %%
X, y = load_dataset("moons", n_samples=150, noise=0.1, seed=0)  # (150, 2), (150,)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=1 / 3, seed=0)
print("train", X_train.shape, "validation", X_val.shape)
print("class counts in training", np.bincount(y_train))
assert X_train.shape == (100, 2) and X_val.shape == (50, 2)

fig, ax = plt.subplots(figsize=(4.5, 3.5))
ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap=CLASS_COLORS, s=18, edgecolor="k")
ax.set_title("moons: training set")
plt.show()

# %% [markdown]
# ## The model
#
# `MLP(2, [16, 16, 1])` is three `Linear` layers: $2 \to 16 \to 16 \to 1$, ReLU after
# the hidden ones, none after the last. Each neuron computes
# $\mathrm{relu}(b + \sum_i w_i x_i)$ as one `dot` node. The model takes **one sample**
# (a sequence of 2 numbers) and returns a list with one `Value`: the score $s$. We
# predict class 1 when $s > 0$.
#
# Parameters: $(2 \cdot 16 + 16) + (16 \cdot 16 + 16) + (16 + 1) = 337$.

# %%
model = MLP(2, [16, 16, 1], activation="relu", seed=0)
print(model)
print("parameters:", model.num_parameters())
print("first names:", [name for name, _ in model.named_parameters()[:3]])
score = model(X_train[0])  # one output: the Value itself, as in micrograd
print("score of the first sample:", score)
assert model.num_parameters() == 337 and score.op == "dot"


# %% [markdown]
# ## One training step, by hand
#
# With labels mapped to $t_i = 2y_i - 1 \in \{-1, +1\}$, the **hinge loss** is
# $$L = \frac{1}{n}\sum_i \max(0,\ 1 - t_i s_i) \;+\; \lambda \sum_p p^2 .$$
# A sample on the right side of the boundary with margin $t_i s_i \ge 1$ costs nothing;
# every other sample pushes the boundary. The $L_2$ term ($\lambda = 10^{-4}$) keeps the
# weights small. One step of gradient descent:
#
# 1. forward: scores for every sample, then $L$ (one graph over the whole batch);
# 2. `zero_grad()` then `backward()`: $\partial L/\partial p$ for all 337 parameters;
# 3. update: $p \leftarrow p - \eta\, \partial L/\partial p$ with learning rate $\eta = 1$.

# %%
def objective(model, X, y, l2=1e-4):
    scores = [model(x) for x in X]  # n Values
    data_loss = hinge_loss(scores, 2 * y - 1)
    return data_loss, data_loss + l2 * l2_penalty(model.parameters()), scores


model = MLP(2, [16, 16, 1], activation="relu", seed=0)
data_loss, total, scores = objective(model, X_train, y_train)
before = accuracy(y_train, np.array([int(s.data > 0) for s in scores]))
print(f"before: data loss {data_loss.data:.4f}, objective {total.data:.4f}, accuracy {before:.1%}")

model.zero_grad()
total.backward()
learning_rate = 1.0
for p in model.parameters():
    p.data -= learning_rate * p.grad

data_loss_after, total_after, _ = objective(model, X_train, y_train)
print(f"after one step: data loss {data_loss_after.data:.4f}, objective {total_after.data:.4f}")
assert total_after.data < total.data
manual_state = model.state_dict()

# %% [markdown]
# `fit` runs exactly this loop: forward, loss plus `l2 * l2_penalty`, `zero_grad`,
# `backward`, optimizer step, and after each epoch logs the data loss and accuracy of the
# model *as it is at the end of the epoch*, the model you get back. One epoch of `fit`
# from the same initial weights lands on the same parameters as our step, and logs the
# loss we measured after it:

# %%
model = MLP(2, [16, 16, 1], activation="relu", seed=0)
history = fit(model, X_train, y_train, loss="hinge", optimizer="sgd", lr=1.0, l2=1e-4,
              epochs=1, verbose=False)
print(f"fit, epoch 1: loss {history['loss'][0]:.4f}, accuracy {history['accuracy'][0]:.1%}")
assert np.isclose(history["loss"][0], data_loss_after.data)
assert all(np.isclose(manual_state[k], v) for k, v in model.state_dict().items())
print("same parameters as the hand-made step: yes")

# %% [markdown]
# ## Training
#
# The demo recipe: 100 full-batch epochs of SGD with a learning rate falling linearly
# from 1.0 to 0.1, $\eta_k = 1 - 0.9\,k/100$ (`linear_decay(1.0, 0.1, 100)`); when the
# notebooks run as tests, 50 epochs with the same schedule squeezed. The validation set
# is passed as `X_val, y_val` so its loss and accuracy are logged each epoch. A
# `BoundaryRecorder` callback stores the predicted class on a grid every few epochs, for
# the pictures below.

# %%
epochs = EPOCHS
model = MLP(2, [16, 16, 1], activation="relu", seed=0)
recorder = BoundaryRecorder(X_train, every=epochs // 10, resolution=40, include_initial=True)
history = fit(
    model,
    X_train,
    y_train,
    loss="hinge",
    optimizer="sgd",
    lr_schedule=linear_decay(1.0, 0.1, epochs),
    l2=1e-4,
    epochs=epochs,
    X_val=X_val,
    y_val=y_val,
    callbacks=[recorder],
    verbose=False,
)
last = history.last
seconds = sum(history["seconds"])
print(f"{len(history)} epochs in {seconds:.1f} s: loss {last['loss']:.4f}, accuracy "
      f"{last['accuracy']:.1%} train, {last['val_accuracy']:.1%} validation")
print("learning rate: first", history["lr"][0], "last", round(history["lr"][-1], 3))
assert history["loss"][-1] < 0.1 * history["loss"][0]
assert last["accuracy"] >= 0.97 and last["val_accuracy"] >= 0.95

# %% [markdown]
# ## Loss curves
#
# Training loss (solid) and validation loss (dashed) per epoch, with accuracy on the right.
# The hinge loss falls towards 0 as every training point gets a margin of at least 1.
# A bump in the first epochs is common with this recipe: a learning rate of 1.0
# overshoots until the gradients shrink and the schedule lowers the rate.

# %%
axes = plot_history(history)
plt.show()

# %% [markdown]
# ## The decision boundary
#
# `plot_decision_boundary` evaluates the model on a grid around the data and colours
# each cell by the predicted class; the training points are filled, the validation points
# hollow, and misclassified points get a red ring. The boundary bends around both moons:
# a straight line (a model without hidden layers) could not. The numbers in the title are
# History's last record: `evaluate` on the trained model gives them again.

# %%
plot_decision_boundary(model, X_train, y_train, resolution=RESOLUTION,
                       X_val=X_val, y_val=y_val)
plt.show()
validation = evaluate(model, X_val, y_val, loss="hinge")
print(f"validation accuracy {validation['accuracy']:.1%}, loss {validation['loss']:.4f}")
assert validation == {"loss": last["val_loss"], "accuracy": last["val_accuracy"]}
assert validation["accuracy"] == accuracy(y_val, predict(model, X_val))

# %% [markdown]
# ## The boundary over epochs
#
# The recorder kept the predicted class on a grid at epoch 0 (the untrained model) and
# every tenth of the training after. Early on the boundary is nearly straight; it then bends into
# the gap between the moons.

# %%
frames = recorder.frames  # list of (epoch, grid of predicted labels)
x_min, x_max, y_min, y_max = recorder.bounds
shown = frames[:: max(1, len(frames) // 6)][:5] + [frames[-1]]
fig, axes = plt.subplots(1, len(shown), figsize=(2.6 * len(shown), 2.6))
for ax, (epoch, grid) in zip(axes, shown):
    ax.imshow(grid, origin="lower", extent=(x_min, x_max, y_min, y_max),
              cmap=CLASS_COLORS, vmin=0, vmax=1, alpha=0.35, aspect="auto")
    ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap=CLASS_COLORS, s=6)
    ax.set_title(f"epoch {epoch}")
    ax.set_xticks([]), ax.set_yticks([])
plt.show()
print("recorded epochs:", [epoch for epoch, _ in frames])
assert frames[0][0] == 0 and frames[-1][0] == epochs

# %% [markdown]
# The same frames as an animation (`animate_training` writes a GIF, here into a
# temporary folder; the last frame stays two seconds):

# %%
gif_path = Path(tempfile.mkdtemp()) / "moons_training.gif"
gif = animate_training(recorder, X_train, y_train, gif_path, fps=3,
                       X_val=X_val, y_val=y_val)
print("wrote", gif, f"({gif.stat().st_size // 1024} KiB)")
assert gif.stat().st_size > 0
display(Image(filename=str(gif)))

# %% [markdown]
# **Summary.** One training step is forward, loss, `zero_grad`, `backward`, update;
# `fit` repeats it with a schedule, logs History, and calls callbacks. On moons the
# 337-parameter MLP separates the training set and generalises to the held-out points.
# Next: [04 · circles, spiral and optimizers](04_circles_spiral_and_optimizers.ipynb).
