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
# # 01 · From a derivative by hand to `Value.backward()`
#
# `loss.backward()` does most of the work in deep learning and hides all of it. This
# notebook opens it up in four steps:
#
# 1. the derivative of a small function **by hand**, **numerically** and with **`Value`**;
# 2. the **graph** a computation leaves behind (`draw_graph`);
# 3. the **chain rule**, edge by edge, for a function with several paths (`explain`);
# 4. why gradients must **accumulate** (`x * x`).

# %%
import math

import numpy as np

from minitorch_nn import Value, grad, gradcheck


# %% [markdown]
# ## 1. One function, three derivatives
#
# Take $f(x) = x^3 - 4x + 5$. By hand, the power rule gives $f'(x) = 3x^2 - 4$, so
# $f'(3) = 23$.
#
# Numerically, the **forward difference** $\frac{f(x+h) - f(x)}{h}$ is off by about
# $\frac{h}{2} f''(x)$, while the **central difference**
# $$f'(x) \approx \frac{f(x+h) - f(x-h)}{2h}$$
# is off by only $\frac{h^2}{6} f^{(3)}(x)$: the $h^2$ terms of the two Taylor expansions
# cancel. For this cubic $f^{(3)} = 6$, so the central error is exactly $h^2$, until $h$
# is so small that rounding in $f(x \pm h)$ (about $10^{-16} |f| / h$) takes over.

# %%
def f(x):
    return x**3 - 4 * x + 5


def f_prime(x):  # by hand
    return 3 * x**2 - 4


def forward_difference(fn, x, h):
    return (fn(x + h) - fn(x)) / h


def central_difference(fn, x, h):
    return (fn(x + h) - fn(x - h)) / (2 * h)


x0 = 3.0
print(f"by hand: f'(3) = {f_prime(x0)}")
print("      h    forward error    central error")
for h in [1e-1, 1e-2, 1e-3, 1e-5, 1e-8, 1e-11]:
    fwd = abs(forward_difference(f, x0, h) - f_prime(x0))
    ctr = abs(central_difference(f, x0, h) - f_prime(x0))
    print(f"{h:7.0e}    {fwd:13.2e}    {ctr:13.2e}")
# central: error exactly h**2 (1e-4 at h = 1e-2); forward: about h/2 * f''(3) = 0.09
assert math.isclose(abs(central_difference(f, x0, 1e-2) - 23), 1e-4, rel_tol=1e-6)
assert abs(forward_difference(f, x0, 1e-2) - 23) > 0.08

# %% [markdown]
# A `Value` is a float that remembers how it was computed. Every operation records its
# inputs and the **local derivative** of its result towards each input (for `a * b`:
# $\partial/\partial a = b$, $\partial/\partial b = a$). `backward()` then walks the
# graph from the output back to the inputs and multiplies those local derivatives
# together: the chain rule. The same `f` works on Values, because `Value` overloads
# `+ - * / **`.

# %%
x = Value(3.0, label="x")
y = f(x)
y.backward()
print(y)
print(x)
assert y.data == f(3.0)
assert x.grad == f_prime(3.0) == 23.0

# %% [markdown]
# ## 2. A function with two inputs and several paths
#
# $$f(x_1, x_2) = \frac{\sin(x_2) + 1}{x_2 + e^{x_1}} + x_1 x_2
#   \qquad\text{at } x_1 = 1.5,\ x_2 = 0.5.$$
#
# Name the pieces: $u = \sin(x_2) + 1$, $v = x_2 + e^{x_1}$, so $f = u / v + x_1 x_2$.
# By hand:
#
# $$\frac{\partial f}{\partial x_1} = -\frac{u\,e^{x_1}}{v^2} + x_2, \qquad
#   \frac{\partial f}{\partial x_2} =
#   \underbrace{\frac{\cos x_2}{v}}_{\text{through } \sin}
#   \;\underbrace{-\;\frac{u}{v^2}}_{\text{through } v}
#   \;+\; \underbrace{x_1}_{\text{through } x_1 x_2}.$$
#
# $x_2$ reaches $f$ along **three paths**; its derivative is the sum of the three
# products of local derivatives, one per path.

# %%
a, b = 1.5, 0.5  # x1, x2
u, v = math.sin(b) + 1, b + math.exp(a)
path_sin = math.cos(b) / v
path_denominator = -u / v**2
path_product = a
hand_dx1 = -u * math.exp(a) / v**2 + b
hand_dx2 = path_sin + path_denominator + path_product
print(f"three paths to x2: {path_sin:.6f} + ({path_denominator:.6f}) + {path_product}")
print(f"by hand: df/dx1 = {hand_dx1!r}, df/dx2 = {hand_dx2!r}")

x1, x2 = Value(a, label="x1"), Value(b, label="x2")
u_node = x2.sin() + 1
v_node = x2 + x1.exp()
u_node.label, v_node.label = "u", "v"
f_value = u_node / v_node + x1 * x2
f_value.label = "f"
f_value.backward()
print(f"Value:   df/dx1 = {x1.grad!r}, df/dx2 = {x2.grad!r}")

assert math.isclose(x2.grad, 1.6165488003791766, rel_tol=1e-12)
assert math.isclose(x1.grad, hand_dx1, rel_tol=1e-12)
assert math.isclose(x2.grad, hand_dx2, rel_tol=1e-12)


# %% [markdown]
# `gradcheck` does the numerical check for us: it compares the engine's gradient with
# central differences for every input and raises, naming the input, when they disagree.

# %%
def f2(x1, x2):
    return (x2.sin() + 1) / (x2 + x1.exp()) + x1 * x2


print("gradcheck:", gradcheck(f2, [1.5, 0.5]))

# %% [markdown]
# ## 3. The graph behind `f`
#
# `draw_graph` draws every Value as a box `name | data | grad` and every operation as a
# small circle in front of the Value it produced. The number on an edge into an op is
# the **local derivative** of that op's result towards the input: the factor the chain
# rule multiplies by on that edge. Inputs (leaves) are blue, the output green.
#
# It renders with Graphviz when the `graphviz` package and the `dot` program are
# installed, and otherwise lays the graph out itself and draws it with matplotlib, so a
# picture always comes out. `to_dot` gives the Graphviz text.

# %%
from minitorch_nn.plot import draw_graph, to_dot

drawing = draw_graph(f_value)
print(f"drawn with {drawing.backend}, {len(drawing.data)} bytes of {drawing.format}")
assert drawing.backend in ("graphviz", "matplotlib") and drawing.data
drawing

# %%
dot_text = to_dot(f_value)
print("\n".join(dot_text.splitlines()[:12]), "\n...")
assert dot_text.startswith("digraph") and "rankdir=LR" in dot_text

# %% [markdown]
# ## 4. The chain rule, edge by edge
#
# `backward()` visits the nodes in reverse topological order: a node is handled only
# after every node that uses it, so its gradient is complete when it is passed on.
# For each edge (node → input) it adds
# $$\underbrace{\frac{\partial f}{\partial \text{node}}}_{\text{incoming}} \times
#   \underbrace{\frac{\partial\, \text{node}}{\partial\, \text{input}}}_{\text{local}}$$
# to the input's gradient. `explain` returns exactly these steps as text, and, for an input
# reached along several paths, the running sum.

# %%
from minitorch_nn.plot import explain

trace = explain(f_value)  # the steps as text
print(trace)

# %% [markdown]
# Part 1 is what `backward()` does, edge by edge. Part 2 unrolls it: the three paths
# from $f$ to $x_2$, each the product of the local derivatives along it, are the three
# terms derived by hand above. Let us check that against the printed numbers:

# %%
import re

section = trace.split("d f/d x2: 3 paths")[1].split("sum of the paths")[0]
products = [float(m) for m in re.findall(r"= (-?[0-9.e+-]+)\n", section + "\n")]
print("path products in the trace:", products)
print("by hand:                   ", [path_sin, path_denominator, path_product])
assert np.allclose(products, [path_sin, path_denominator, path_product], rtol=1e-12)
assert "sum of the paths = 1.6165488003791766" in trace

# %% [markdown]
# `grad(f, [node])` takes the derivative towards **any** node, also an interior one,
# without touching `.grad`. Towards the denominator $v = x_2 + e^{x_1}$:
# $\partial f / \partial v = -u / v^2$.

# %%
before = (x1.grad, x2.grad, v_node.grad)
df_dv, df_dx2 = grad(f_value, [v_node, x2])
print(f"df/dv  = {df_dv!r}   by hand -u/v^2 = {-u / v**2!r}")
print(f"df/dx2 = {df_dx2!r}")
assert math.isclose(df_dv, -u / v**2, rel_tol=1e-12)
assert math.isclose(df_dx2, 1.6165488003791766, rel_tol=1e-12)
assert (x1.grad, x2.grad, v_node.grad) == before  # grad() leaves .grad alone

# %% [markdown]
# `explain` takes the same inputs as `grad`. Towards $v$ there is a single path,
# $f \to u/v \to v$:

# %%
trace_v = explain(f_value, [v_node])
assert "d f/d v: 1 path" in trace_v

# %% [markdown]
# ## 5. Why gradients accumulate
#
# In $y = x \cdot x$ the same Value is **both** inputs of the multiplication. The
# multiplication rule gives a local derivative of $x$ towards each input, and both
# edges lead to the same node, so the chain rule **adds** them: $dy/dx = x + x = 2x$.
#
# An engine that *assigns* `x.grad = local * out.grad` on each edge instead of adding
# keeps only the last edge and reports $x$: half the truth. The same mistake breaks
# `a + a`, and every weight shared by many samples in a batch.

# %%
x = Value(3.0, label="x")
y = x * x
y.backward()
print(f"y = x*x at x=3: dy/dx = {x.grad} (2x = {2 * 3.0})")
assert x.grad == 6.0

# What an engine that assigns instead of adds would report: the last edge only.
assigned = None
for parent, local in zip(y._parents, y._local):
    assigned = local * 1.0  # "parent.grad = local * out.grad" overwrites
print(f"assign instead of add would give {assigned}: wrong")
assert assigned == 3.0 != x.grad

a = Value(-2.0, label="a")
s = a + a
s.backward()
print(f"s = a + a: ds/da = {a.grad}")
assert a.grad == 2.0

# %% [markdown]
# Accumulating has a consequence: `.grad` keeps whatever is already there. Calling
# `backward()` twice adds the gradient twice, which is why a training loop sets the
# gradients to zero (`zero_grad()`) before every backward pass.

# %%
x = Value(3.0, label="x")
y = x * x
y.backward()
first = x.grad
y.backward()
print(f"after one backward: {first}, after two: {x.grad}")
assert x.grad == 2 * first
x.grad = 0.0  # what zero_grad() does for every parameter
y.backward()
assert x.grad == first
print("after zeroing and one more backward:", x.grad)

# %% [markdown]
# ## 6. One neuron
#
# A neuron computes $\tanh(b + w_1 x_1 + w_2 x_2)$. The engine records the weighted
# sum as one `dot` node with local derivatives $\partial/\partial w_i = x_i$,
# $\partial/\partial x_i = w_i$, $\partial/\partial b = 1$, and $\tanh' = 1 - \tanh^2$.

# %%
from minitorch_nn import dot

w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")
i1, i2 = Value(2.0, label="x1"), Value(0.0, label="x2")
pre = dot([w1, w2], [i1, i2], b)
pre.label = "n"
out = pre.tanh()
out.label = "o"
out.backward()
local_tanh = 1 - out.data**2
print(f"o = {out.data:.4f}; do/dn = 1 - o^2 = {local_tanh:.4f}")
print(f"do/dw1 = x1 * do/dn = {w1.grad:.4f}; do/dw2 = x2 * do/dn = {w2.grad:.4f}")
assert math.isclose(w1.grad, i1.data * local_tanh)
assert w2.grad == 0.0  # its input is 0: this weight cannot change the output
draw_graph(out)

# %% [markdown]
# ## 7. A whole (small) network
#
# An `MLP(2, [4, 4, 1])` on one sample already has 54 Values. Two options keep the
# drawing readable: `collapse_dots=True` draws each neuron's `dot` node as one box that
# holds its weights and bias, and `max_nodes` keeps only the Values nearest the output
# (with a note saying what was cut).

# %%
from minitorch_nn.nn import MLP
from minitorch_nn.plot import build_graph

net = MLP(2, [4, 4, 1], seed=0)
score = net([0.5, -1.0])  # one output: the Value itself
score.label = "score"
score.backward()
print("values in the graph:", build_graph(score).n_values,
      "| drawn with collapse_dots:", build_graph(score, collapse_dots=True).n_values)
assert build_graph(score, collapse_dots=True).n_values < build_graph(score).n_values
draw_graph(score, collapse_dots=True)

# %%
cut = draw_graph(score, max_nodes=12)
print(cut.note)
assert "showing 12 of" in cut.note
cut

# %% [markdown]
# **Summary.** A derivative by hand, a central difference and `Value.backward()` agree.
# `backward()` is the chain rule applied edge by edge in reverse topological order,
# *adding* the product (incoming gradient × local derivative) into each input. Next:
# [02 · check against PyTorch](02_check_against_pytorch.ipynb).
