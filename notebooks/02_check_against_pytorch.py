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
# # 02 · Hand-derived derivatives vs minitorch_nn vs PyTorch
#
# For six small computations we derive the gradient **by hand**, compute it with
# **minitorch_nn** (`Value`, element by element) and with **PyTorch** (`torch.autograd`),
# and assert that all three agree. If any number disagreed, the notebook would stop
# with an `AssertionError`.
#
# PyTorch is optional: without it the PyTorch column is skipped with a note, and the
# hand-vs-minitorch_nn checks still run.

# %%
import math

import numpy as np

from minitorch_nn import Value, dot, grad, vsum

try:
    import torch
except ImportError:
    torch = None

if torch is None:
    print("NOTE: PyTorch is not installed; the PyTorch column is skipped "
          "(pip install torch to include it).")
else:
    torch.set_default_dtype(torch.float64)  # compare in double precision, like Value
    print("PyTorch", torch.__version__)


def leaf(x):
    """A float64 torch tensor that records gradients."""
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def compare(name, hand, ours, theirs=None):
    """Print the hand gradient and how far the engines are from it; assert agreement."""
    hand = np.asarray(hand, dtype=float)
    ours = np.asarray(ours, dtype=float)
    assert np.allclose(ours, hand, rtol=1e-12, atol=1e-12), (name, hand, ours)
    shown = np.array2string(hand, precision=5, suppress_small=True, prefix=" " * 20)
    print(f"{name:<18}: {shown}")
    report = f"{'':<18}  minitorch_nn off by {np.max(np.abs(ours - hand)):.1e}"
    if theirs is not None:
        theirs = np.asarray(theirs, dtype=float)
        assert np.allclose(theirs, hand, rtol=1e-12, atol=1e-12), (name, hand, theirs)
        report += f", PyTorch off by {np.max(np.abs(theirs - hand)):.1e}"
    print(report)


# %% [markdown]
# ## 1. A square
#
# $f(x) = x^2$, so $f'(x) = 2x$; at $x = -3$: $f'(-3) = -6$.

# %%
x0 = -3.0
hand = 2 * x0

x = Value(x0)
(x**2).backward()
ours = x.grad

theirs = None
if torch is not None:
    xt = leaf(x0)
    (xt**2).backward()
    theirs = xt.grad.item()

compare("d(x^2)/dx", hand, ours, theirs)

# %% [markdown]
# ## 2. A loss
#
# Logistic regression on one sample: score $z = wx + b$, probability
# $p = \sigma(z) = 1/(1 + e^{-z})$, target $t \in \{0, 1\}$, and the binary
# cross-entropy
# $$L = -\big[t \log p + (1 - t) \log(1 - p)\big].$$
# With $\sigma'(z) = \sigma(z)(1 - \sigma(z))$ the derivative towards the score
# simplifies to $\partial L/\partial z = p - t$, so
# $$\frac{\partial L}{\partial w} = (p - t)\,x, \qquad \frac{\partial L}{\partial b} = p - t.$$
# We compute $L$ twice with minitorch_nn: spelled out with `sigmoid` and `log`, and with
# the library's `binary_cross_entropy_with_logits`.

# %%
from minitorch_nn.losses import binary_cross_entropy_with_logits

w0, b0, x_in, target = 0.7, -0.2, 1.5, 1.0
p = 1 / (1 + math.exp(-(w0 * x_in + b0)))
hand = [(p - target) * x_in, p - target]
hand_loss = -(target * math.log(p) + (1 - target) * math.log(1 - p))

w, b = Value(w0), Value(b0)
prob = (w * x_in + b).sigmoid()
loss = -(target * prob.log() + (1 - target) * (1 - prob).log())
loss.backward()
ours = [w.grad, b.grad]
assert math.isclose(loss.data, hand_loss, rel_tol=1e-12)

w_lib, b_lib = Value(w0), Value(b0)
loss_lib = binary_cross_entropy_with_logits([w_lib * x_in + b_lib], [target])
assert math.isclose(loss_lib.data, hand_loss, rel_tol=1e-12)
library_grads = grad(loss_lib, [w_lib, b_lib])
assert np.allclose(library_grads, hand, rtol=1e-12)

theirs = None
if torch is not None:
    wt, bt = leaf(w0), leaf(b0)
    loss_t = torch.nn.functional.binary_cross_entropy_with_logits(
        wt * x_in + bt, torch.tensor(target)
    )
    loss_t.backward()
    assert math.isclose(loss_t.item(), hand_loss, rel_tol=1e-12)
    theirs = [wt.grad.item(), bt.grad.item()]

print(f"L = {loss.data:.6f} (binary_cross_entropy_with_logits: {loss_lib.data:.6f})")
compare("dL/d(w, b)", hand, ours, theirs)
compare("  library loss", hand, library_grads)

# %% [markdown]
# ## 3. A linear function
#
# $y = wx + b$: $\partial y/\partial w = x$, $\partial y/\partial x = w$,
# $\partial y/\partial b = 1$. Each input's derivative is the *other* factor.

# %%
w0, x0, b0 = -2.0, 4.0, 0.5
hand = [x0, w0, 1.0]

w, x, b = Value(w0), Value(x0), Value(b0)
(w * x + b).backward()
ours = [w.grad, x.grad, b.grad]

theirs = None
if torch is not None:
    wt, xt, bt = leaf(w0), leaf(x0), leaf(b0)
    (wt * xt + bt).backward()
    theirs = [wt.grad.item(), xt.grad.item(), bt.grad.item()]

compare("d(wx+b)/d(w,x,b)", hand, ours, theirs)

# %% [markdown]
# ## 4. A sum of squares over a vector
#
# $s = \sum_i x_i^2$. Each $x_i$ appears in one term only, so
# $\partial s/\partial x_i = 2x_i$: the gradient of a sum of squares is twice the
# vector. With Values this is one Value per element; `vsum` records the whole sum as a
# single node with local derivative 1 towards every term.

# %%
x_np = np.array([1.0, -2.0, 0.5, 3.0, 0.0])
hand = 2 * x_np

xs = [Value(v) for v in x_np]
s = vsum(xi * xi for xi in xs)
s.backward()
ours = [xi.grad for xi in xs]
assert s.data == float(np.sum(x_np**2))

theirs = None
if torch is not None:
    xt = leaf(x_np)
    (xt**2).sum().backward()
    theirs = xt.grad.numpy()

compare("ds/dx", hand, ours, theirs)

# %% [markdown]
# ## 5. `X @ W + B`, summed
#
# $X$ is $n \times d$ (a batch of $n$ samples), $W$ is $d \times k$, $B$ has $k$
# entries added to every row, and $S = \sum_{i,k} (XW + B)_{ik}$. Since
# $(XW + B)_{ik} = B_k + \sum_j X_{ij} W_{jk}$:
#
# - $\partial S/\partial W_{jk} = \sum_i X_{ij}$: the column sums of $X$, the same for
#   every $k$. In matrix form $X^\top \mathbf{1}_{n \times k}$.
# - $\partial S/\partial X_{ij} = \sum_k W_{jk}$: the row sums of $W$, the same for every
#   sample $i$. In matrix form $\mathbf{1}_{n \times k} W^\top$.
# - $\partial S/\partial B_k = n$: $B_k$ is added once per row.
#
# With Values, every entry of $XW + B$ is one `dot` node $B_k + \sum_j W_{jk} X_{ij}$,
# built element by element.

# %%
rng = np.random.default_rng(0)
n, d, k = 4, 3, 2
X_np, W_np, B_np = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
ones = np.ones((n, k))
hand_W, hand_X, hand_B = X_np.T @ ones, ones @ W_np.T, np.full(k, float(n))

X = [[Value(v) for v in row] for row in X_np]
W = [[Value(v) for v in row] for row in W_np]
B = [Value(v) for v in B_np]
Z = [[dot([W[j][col] for j in range(d)], X[i], B[col]) for col in range(k)] for i in range(n)]
S = vsum(z for row in Z for z in row)
S.backward()
ours_W = [[v.grad for v in row] for row in W]
ours_X = [[v.grad for v in row] for row in X]
ours_B = [v.grad for v in B]
assert math.isclose(S.data, float(np.sum(X_np @ W_np + B_np)), rel_tol=1e-12)

theirs_W = theirs_X = theirs_B = None
if torch is not None:
    Xt, Wt, Bt = leaf(X_np), leaf(W_np), leaf(B_np)
    (Xt @ Wt + Bt).sum().backward()
    theirs_W, theirs_X, theirs_B = Wt.grad.numpy(), Xt.grad.numpy(), Bt.grad.numpy()

compare("dS/dW", hand_W, ours_W, theirs_W)
compare("dS/dX", hand_X, ours_X, theirs_X)
compare("dS/dB", hand_B, ours_B, theirs_B)

# %% [markdown]
# ## 6. A recurrence: $h_t = w\,h_{t-1}$
#
# Unrolled, $h_T = w^T h_0$. By hand:
# $$\frac{\partial h_T}{\partial w} = T\,w^{T-1} h_0, \qquad
#   \frac{\partial h_T}{\partial h_0} = w^T, \qquad
#   \frac{\partial h_T}{\partial h_t} = w^{T-t}.$$
#
# The same $w$ is used at every step, so the graph has $T$ edges from $w$, each
# contributing $w^{T-1} h_0$: the gradient is their **sum**. An engine that assigned
# gradients instead of adding them would report $w^{T-1} h_0$, $T$ times too small.
# The derivative towards the interior node $h_t$ comes from `grad()`.

# %%
w0, h0_value, T = 0.9, 2.0, 10
hand = [T * w0 ** (T - 1) * h0_value, w0**T]

w, h0 = Value(w0), Value(h0_value)
hs = [h0]
for _ in range(T):
    hs.append(w * hs[-1])
hs[-1].backward()
ours = [w.grad, h0.grad]
assert math.isclose(hs[-1].data, w0**T * h0_value, rel_tol=1e-12)

theirs = None
if torch is not None:
    wt, ht = leaf(w0), leaf(h0_value)
    h = ht
    for _ in range(T):
        h = wt * h
    h.backward()
    theirs = [wt.grad.item(), ht.grad.item()]

compare("dh_T/d(w,h0)", hand, ours, theirs)

t = 3
(dhT_dht,) = grad(hs[-1], [hs[t]])
print(f"dh_T/dh_{t} = {dhT_dht:.6f}   by hand w^(T-t) = {w0 ** (T - t):.6f}")
assert math.isclose(dhT_dht, w0 ** (T - t), rel_tol=1e-12)

# %% [markdown]
# **Vanishing and exploding gradients.** $\partial h_T/\partial h_0 = w^T$ shrinks
# geometrically when $|w| < 1$ and grows geometrically when $|w| > 1$: the long-range
# gradient of a recurrent network lives or dies by this product.

# %%
T = 50
for w0 in [0.5, 0.9, 1.0, 1.1]:
    w, h0 = Value(w0), Value(1.0)
    h = h0
    for _ in range(T):
        h = w * h
    h.backward()
    print(f"w = {w0}: dh_50/dh_0 = {h0.grad:.3e}")
    assert math.isclose(h0.grad, w0**T, rel_tol=1e-12)

# %% [markdown]
# **Summary.** For a square, a loss, a linear function, a vector sum of squares, a
# matrix product and a recurrence, the hand derivation, minitorch_nn and PyTorch give
# the same gradients to 12 significant digits. Next:
# [03 · an MLP on moons](03_mlp_on_moons.ipynb).
