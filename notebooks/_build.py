"""Write the teaching notebooks from the cell lists below (outputs stripped, as git wants them).

    python notebooks/_build.py            # all notebooks
    python notebooks/_build.py 01 03      # only those whose file name starts with 01 or 03

Each notebook is a list of ("md", text) and ("code", text) cells. Editing a notebook means
editing this file and running it again, so the notebooks stay diff-friendly and output-free.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]


def md(text: str) -> Cell:
    return ("md", textwrap.dedent(text).strip("\n"))


def code(text: str) -> Cell:
    return ("code", textwrap.dedent(text).strip("\n"))


# --------------------------------------------------------------------------- 01
NB01: list[Cell] = [
    md(
        r"""
        # 01 · From a derivative by hand to `Value.backward()`

        `loss.backward()` does most of the work in deep learning and hides all of it. This
        notebook opens it up in four steps:

        1. the derivative of a small function **by hand**, **numerically** and with **`Value`**;
        2. the **graph** a computation leaves behind (`draw_graph`);
        3. the **chain rule**, edge by edge, for a function with several paths (`explain`);
        4. why gradients must **accumulate** (`x * x`).
        """
    ),
    code(
        """
        import math

        import numpy as np

        from minitorch_nn import Value, grad, gradcheck
        """
    ),
    md(
        r"""
        ## 1. One function, three derivatives

        Take $f(x) = x^3 - 4x + 5$. By hand, the power rule gives $f'(x) = 3x^2 - 4$, so
        $f'(3) = 23$.

        Numerically, the **forward difference** $\frac{f(x+h) - f(x)}{h}$ is off by about
        $\frac{h}{2} f''(x)$, while the **central difference**
        $$f'(x) \approx \frac{f(x+h) - f(x-h)}{2h}$$
        is off by only $\frac{h^2}{6} f^{(3)}(x)$: the $h^2$ terms of the two Taylor expansions
        cancel. For this cubic $f^{(3)} = 6$, so the central error is exactly $h^2$, until $h$
        is so small that rounding in $f(x \pm h)$ (about $10^{-16} |f| / h$) takes over.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        A `Value` is a float that remembers how it was computed. Every operation records its
        inputs and the **local derivative** of its result towards each input (for `a * b`:
        $\partial/\partial a = b$, $\partial/\partial b = a$). `backward()` then walks the
        graph from the output back to the inputs and multiplies those local derivatives
        together: the chain rule. The same `f` works on Values, because `Value` overloads
        `+ - * / **`.
        """
    ),
    code(
        """
        x = Value(3.0, label="x")
        y = f(x)
        y.backward()
        print(y)
        print(x)
        assert y.data == f(3.0)
        assert x.grad == f_prime(3.0) == 23.0
        """
    ),
    md(
        r"""
        ## 2. A function with two inputs and several paths

        $$f(x_1, x_2) = \frac{\sin(x_2) + 1}{x_2 + e^{x_1}} + x_1 x_2
          \qquad\text{at } x_1 = 1.5,\ x_2 = 0.5.$$

        Name the pieces: $u = \sin(x_2) + 1$, $v = x_2 + e^{x_1}$, so $f = u / v + x_1 x_2$.
        By hand:

        $$\frac{\partial f}{\partial x_1} = -\frac{u\,e^{x_1}}{v^2} + x_2, \qquad
          \frac{\partial f}{\partial x_2} =
          \underbrace{\frac{\cos x_2}{v}}_{\text{through } \sin}
          \;\underbrace{-\;\frac{u}{v^2}}_{\text{through } v}
          \;+\; \underbrace{x_1}_{\text{through } x_1 x_2}.$$

        $x_2$ reaches $f$ along **three paths**; its derivative is the sum of the three
        products of local derivatives, one per path.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        `gradcheck` does the numerical check for us: it compares the engine's gradient with
        central differences for every input and raises, naming the input, when they disagree.
        """
    ),
    code(
        """
        def f2(x1, x2):
            return (x2.sin() + 1) / (x2 + x1.exp()) + x1 * x2


        print("gradcheck:", gradcheck(f2, [1.5, 0.5]))
        """
    ),
    md(
        r"""
        ## 3. The graph behind `f`

        `draw_graph` draws every Value as a box `name | data | grad` and every operation as a
        small circle in front of the Value it produced. The number on an edge into an op is
        the **local derivative** of that op's result towards the input: the factor the chain
        rule multiplies by on that edge. Inputs (leaves) are blue, the output green.

        It renders with Graphviz when the `graphviz` package and the `dot` program are
        installed, and otherwise lays the graph out itself and draws it with matplotlib, so a
        picture always comes out. `to_dot` gives the Graphviz text.
        """
    ),
    code(
        """
        from minitorch_nn.viz import draw_graph, to_dot

        drawing = draw_graph(f_value)
        print(f"drawn with {drawing.backend}, {len(drawing.data)} bytes of {drawing.format}")
        assert drawing.backend in ("graphviz", "matplotlib") and drawing.data
        drawing
        """
    ),
    code(
        """
        dot_text = to_dot(f_value)
        print("\\n".join(dot_text.splitlines()[:12]), "\\n...")
        assert dot_text.startswith("digraph") and "rankdir=LR" in dot_text
        """
    ),
    md(
        r"""
        ## 4. The chain rule, edge by edge

        `backward()` visits the nodes in reverse topological order: a node is handled only
        after every node that uses it, so its gradient is complete when it is passed on.
        For each edge (node → input) it adds
        $$\underbrace{\frac{\partial f}{\partial \text{node}}}_{\text{incoming}} \times
          \underbrace{\frac{\partial\, \text{node}}{\partial\, \text{input}}}_{\text{local}}$$
        to the input's gradient. `explain` returns exactly these steps as text, and, for an input
        reached along several paths, the running sum.
        """
    ),
    code(
        """
        from minitorch_nn.explain import explain

        trace = explain(f_value)  # the steps as text
        print(trace)
        """
    ),
    md(
        r"""
        Part 1 is what `backward()` does, edge by edge. Part 2 unrolls it: the three paths
        from $f$ to $x_2$, each the product of the local derivatives along it, are the three
        terms derived by hand above. Let us check that against the printed numbers:
        """
    ),
    code(
        """
        import re

        section = trace.split("d f/d x2: 3 paths")[1].split("sum of the paths")[0]
        products = [float(m) for m in re.findall(r"= (-?[0-9.e+-]+)\\n", section + "\\n")]
        print("path products in the trace:", products)
        print("by hand:                   ", [path_sin, path_denominator, path_product])
        assert np.allclose(products, [path_sin, path_denominator, path_product], rtol=1e-12)
        assert "sum of the paths = 1.6165488003791766" in trace
        """
    ),
    md(
        r"""
        `grad(f, [node])` takes the derivative towards **any** node, also an interior one,
        without touching `.grad`. Towards the denominator $v = x_2 + e^{x_1}$:
        $\partial f / \partial v = -u / v^2$.
        """
    ),
    code(
        """
        before = (x1.grad, x2.grad, v_node.grad)
        df_dv, df_dx2 = grad(f_value, [v_node, x2])
        print(f"df/dv  = {df_dv!r}   by hand -u/v^2 = {-u / v**2!r}")
        print(f"df/dx2 = {df_dx2!r}")
        assert math.isclose(df_dv, -u / v**2, rel_tol=1e-12)
        assert math.isclose(df_dx2, 1.6165488003791766, rel_tol=1e-12)
        assert (x1.grad, x2.grad, v_node.grad) == before  # grad() leaves .grad alone
        """
    ),
    md(
        r"""
        `explain` takes the same inputs as `grad`. Towards $v$ there is a single path,
        $f \to u/v \to v$:
        """
    ),
    code(
        """
        trace_v = explain(f_value, [v_node])
        assert "d f/d v: 1 path" in trace_v
        """
    ),
    md(
        r"""
        ## 5. Why gradients accumulate

        In $y = x \cdot x$ the same Value is **both** inputs of the multiplication. The
        multiplication rule gives a local derivative of $x$ towards each input, and both
        edges lead to the same node, so the chain rule **adds** them: $dy/dx = x + x = 2x$.

        An engine that *assigns* `x.grad = local * out.grad` on each edge instead of adding
        keeps only the last edge and reports $x$: half the truth. The same mistake breaks
        `a + a`, and every weight shared by many samples in a batch.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        Accumulating has a consequence: `.grad` keeps whatever is already there. Calling
        `backward()` twice adds the gradient twice, which is why a training loop sets the
        gradients to zero (`zero_grad()`) before every backward pass.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## 6. One neuron

        A neuron computes $\tanh(b + w_1 x_1 + w_2 x_2)$. The engine records the weighted
        sum as one `dot` node with local derivatives $\partial/\partial w_i = x_i$,
        $\partial/\partial x_i = w_i$, $\partial/\partial b = 1$, and $\tanh' = 1 - \tanh^2$.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## 7. A whole (small) network

        An `MLP(2, [4, 4, 1])` on one sample already has 54 Values. Two options keep the
        drawing readable: `collapse_dots=True` draws each neuron's `dot` node as one box that
        holds its weights and bias, and `max_nodes` keeps only the Values nearest the output
        (with a note saying what was cut).
        """
    ),
    code(
        """
        from minitorch_nn.nn import MLP
        from minitorch_nn.viz import build_graph

        net = MLP(2, [4, 4, 1], seed=0)
        score = net([0.5, -1.0])  # one output: the Value itself
        score.label = "score"
        score.backward()
        print("values in the graph:", build_graph(score).n_values,
              "| drawn with collapse_dots:", build_graph(score, collapse_dots=True).n_values)
        assert build_graph(score, collapse_dots=True).n_values < build_graph(score).n_values
        draw_graph(score, collapse_dots=True)
        """
    ),
    code(
        """
        cut = draw_graph(score, max_nodes=12)
        print(cut.note)
        assert "showing 12 of" in cut.note
        cut
        """
    ),
    md(
        r"""
        **Summary.** A derivative by hand, a central difference and `Value.backward()` agree.
        `backward()` is the chain rule applied edge by edge in reverse topological order,
        *adding* the product (incoming gradient × local derivative) into each input. Next:
        [02 · check against PyTorch](02_check_against_pytorch.ipynb).
        """
    ),
]


# --------------------------------------------------------------------------- 02
NB02: list[Cell] = [
    md(
        r"""
        # 02 · Hand-derived derivatives vs minitorch_nn vs PyTorch

        For six small computations we derive the gradient **by hand**, compute it with
        **minitorch_nn** (`Value`, element by element) and with **PyTorch** (`torch.autograd`),
        and assert that all three agree. If any number disagreed, the notebook would stop
        with an `AssertionError`.

        PyTorch is optional: without it the PyTorch column is skipped with a note, and the
        hand-vs-minitorch_nn checks still run.
        """
    ),
    code(
        """
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
            \"\"\"A float64 torch tensor that records gradients.\"\"\"
            return torch.tensor(x, dtype=torch.float64, requires_grad=True)


        def compare(name, hand, ours, theirs=None):
            \"\"\"Print the hand gradient and how far the engines are from it; assert agreement.\"\"\"
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
        """
    ),
    md(
        r"""
        ## 1. A square

        $f(x) = x^2$, so $f'(x) = 2x$; at $x = -3$: $f'(-3) = -6$.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## 2. A loss

        Logistic regression on one sample: score $z = wx + b$, probability
        $p = \sigma(z) = 1/(1 + e^{-z})$, target $t \in \{0, 1\}$, and the binary
        cross-entropy
        $$L = -\big[t \log p + (1 - t) \log(1 - p)\big].$$
        With $\sigma'(z) = \sigma(z)(1 - \sigma(z))$ the derivative towards the score
        simplifies to $\partial L/\partial z = p - t$, so
        $$\frac{\partial L}{\partial w} = (p - t)\,x, \qquad \frac{\partial L}{\partial b} = p - t.$$
        We compute $L$ twice with minitorch_nn: spelled out with `sigmoid` and `log`, and with
        the library's `binary_cross_entropy_with_logits`.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## 3. A linear function

        $y = wx + b$: $\partial y/\partial w = x$, $\partial y/\partial x = w$,
        $\partial y/\partial b = 1$. Each input's derivative is the *other* factor.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## 4. A sum of squares over a vector

        $s = \sum_i x_i^2$. Each $x_i$ appears in one term only, so
        $\partial s/\partial x_i = 2x_i$: the gradient of a sum of squares is twice the
        vector. With Values this is one Value per element; `vsum` records the whole sum as a
        single node with local derivative 1 towards every term.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## 5. `X @ W + B`, summed

        $X$ is $n \times d$ (a batch of $n$ samples), $W$ is $d \times k$, $B$ has $k$
        entries added to every row, and $S = \sum_{i,k} (XW + B)_{ik}$. Since
        $(XW + B)_{ik} = B_k + \sum_j X_{ij} W_{jk}$:

        - $\partial S/\partial W_{jk} = \sum_i X_{ij}$: the column sums of $X$, the same for
          every $k$. In matrix form $X^\top \mathbf{1}_{n \times k}$.
        - $\partial S/\partial X_{ij} = \sum_k W_{jk}$: the row sums of $W$, the same for every
          sample $i$. In matrix form $\mathbf{1}_{n \times k} W^\top$.
        - $\partial S/\partial B_k = n$: $B_k$ is added once per row.

        With Values, every entry of $XW + B$ is one `dot` node $B_k + \sum_j W_{jk} X_{ij}$,
        built element by element.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## 6. A recurrence: $h_t = w\,h_{t-1}$

        Unrolled, $h_T = w^T h_0$. By hand:
        $$\frac{\partial h_T}{\partial w} = T\,w^{T-1} h_0, \qquad
          \frac{\partial h_T}{\partial h_0} = w^T, \qquad
          \frac{\partial h_T}{\partial h_t} = w^{T-t}.$$

        The same $w$ is used at every step, so the graph has $T$ edges from $w$, each
        contributing $w^{T-1} h_0$: the gradient is their **sum**. An engine that assigned
        gradients instead of adding them would report $w^{T-1} h_0$, $T$ times too small.
        The derivative towards the interior node $h_t$ comes from `grad()`.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        **Vanishing and exploding gradients.** $\partial h_T/\partial h_0 = w^T$ shrinks
        geometrically when $|w| < 1$ and grows geometrically when $|w| > 1$: the long-range
        gradient of a recurrent network lives or dies by this product.
        """
    ),
    code(
        """
        T = 50
        for w0 in [0.5, 0.9, 1.0, 1.1]:
            w, h0 = Value(w0), Value(1.0)
            h = h0
            for _ in range(T):
                h = w * h
            h.backward()
            print(f"w = {w0}: dh_50/dh_0 = {h0.grad:.3e}")
            assert math.isclose(h0.grad, w0**T, rel_tol=1e-12)
        """
    ),
    md(
        r"""
        **Summary.** For a square, a loss, a linear function, a vector sum of squares, a
        matrix product and a recurrence, the hand derivation, minitorch_nn and PyTorch give
        the same gradients to 12 significant digits. Next:
        [03 · an MLP on moons](03_mlp_on_moons.ipynb).
        """
    ),
]


# --------------------------------------------------------------------------- 03
NB03: list[Cell] = [
    md(
        r"""
        # 03 · An MLP on two moons

        The classic first network: two interleaved half-circles (*moons*), a multilayer
        perceptron with two hidden layers of 16 ReLU units, a max-margin (hinge) loss and plain
        SGD. We build the model, take **one training step by hand** to see every piece, let
        `fit` repeat it, and then look at the loss curves and at the decision boundary, at the
        end and while it forms.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## The data

        150 points, 2 features, labels 0 and 1, with a little noise. A third is held out as a
        validation set that training never sees; the 100 training points are the demo's moons.
        """
    ),
    code(
        """
        X, y = load_dataset("moons", n_samples=150, noise=0.1, seed=0)  # (150, 2), (150,)
        X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=1 / 3, seed=0)
        print("train", X_train.shape, "validation", X_val.shape)
        print("class counts in training", np.bincount(y_train))
        assert X_train.shape == (100, 2) and X_val.shape == (50, 2)

        fig, ax = plt.subplots(figsize=(4.5, 3.5))
        ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap=CLASS_COLORS, s=18, edgecolor="k")
        ax.set_title("moons: training set")
        plt.show()
        """
    ),
    md(
        r"""
        ## The model

        `MLP(2, [16, 16, 1])` is three `Linear` layers: $2 \to 16 \to 16 \to 1$, ReLU after
        the hidden ones, none after the last. Each neuron computes
        $\mathrm{relu}(b + \sum_i w_i x_i)$ as one `dot` node. The model takes **one sample**
        (a sequence of 2 numbers) and returns a list with one `Value`: the score $s$. We
        predict class 1 when $s > 0$.

        Parameters: $(2 \cdot 16 + 16) + (16 \cdot 16 + 16) + (16 + 1) = 337$.
        """
    ),
    code(
        """
        model = MLP(2, [16, 16, 1], activation="relu", seed=0)
        print(model)
        print("parameters:", model.num_parameters())
        print("first names:", [name for name, _ in model.named_parameters()[:3]])
        score = model(X_train[0])  # one output: the Value itself, as in micrograd
        print("score of the first sample:", score)
        assert model.num_parameters() == 337 and score.op == "dot"
        """
    ),
    md(
        r"""
        ## One training step, by hand

        With labels mapped to $t_i = 2y_i - 1 \in \{-1, +1\}$, the **hinge loss** is
        $$L = \frac{1}{n}\sum_i \max(0,\ 1 - t_i s_i) \;+\; \lambda \sum_p p^2 .$$
        A sample on the right side of the boundary with margin $t_i s_i \ge 1$ costs nothing;
        every other sample pushes the boundary. The $L_2$ term ($\lambda = 10^{-4}$) keeps the
        weights small. One step of gradient descent:

        1. forward: scores for every sample, then $L$ (one graph over the whole batch);
        2. `zero_grad()` then `backward()`: $\partial L/\partial p$ for all 337 parameters;
        3. update: $p \leftarrow p - \eta\, \partial L/\partial p$ with learning rate $\eta = 1$.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        `fit` runs exactly this loop: forward, loss plus `l2 * l2_penalty`, `zero_grad`,
        `backward`, optimizer step, and after each epoch logs the data loss and accuracy of the
        model *as it is at the end of the epoch*, the model you get back. One epoch of `fit`
        from the same initial weights lands on the same parameters as our step, and logs the
        loss we measured after it:
        """
    ),
    code(
        """
        model = MLP(2, [16, 16, 1], activation="relu", seed=0)
        history = fit(model, X_train, y_train, loss="hinge", optimizer="sgd", lr=1.0, l2=1e-4,
                      epochs=1, verbose=False)
        print(f"fit, epoch 1: loss {history['loss'][0]:.4f}, accuracy {history['accuracy'][0]:.1%}")
        assert np.isclose(history["loss"][0], data_loss_after.data)
        assert all(np.isclose(manual_state[k], v) for k, v in model.state_dict().items())
        print("same parameters as the hand-made step: yes")
        """
    ),
    md(
        r"""
        ## Training

        The demo recipe: 100 full-batch epochs of SGD with a learning rate falling linearly
        from 1.0 to 0.1, $\eta_k = 1 - 0.9\,k/100$ (`linear_decay(1.0, 0.1, 100)`); when the
        notebooks run as tests, 50 epochs with the same schedule squeezed. The validation set
        is passed as `X_val, y_val` so its loss and accuracy are logged each epoch. A
        `BoundaryRecorder` callback stores the predicted class on a grid every few epochs, for
        the pictures below.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## Loss curves

        Training loss (solid) and validation loss (dashed) per epoch, with accuracy on the right.
        The hinge loss falls towards 0 as every training point gets a margin of at least 1.
        A bump in the first epochs is common with this recipe: a learning rate of 1.0
        overshoots until the gradients shrink and the schedule lowers the rate.
        """
    ),
    code(
        """
        axes = plot_history(history)
        plt.show()
        """
    ),
    md(
        r"""
        ## The decision boundary

        `plot_decision_boundary` evaluates the model on a grid around the data and colours
        each cell by the predicted class; the training points are filled, the validation points
        hollow, and misclassified points get a red ring. The boundary bends around both moons:
        a straight line (a model without hidden layers) could not. The numbers in the title are
        History's last record: `evaluate` on the trained model gives them again.
        """
    ),
    code(
        """
        plot_decision_boundary(model, X_train, y_train, resolution=RESOLUTION,
                               X_val=X_val, y_val=y_val)
        plt.show()
        validation = evaluate(model, X_val, y_val, loss="hinge")
        print(f"validation accuracy {validation['accuracy']:.1%}, loss {validation['loss']:.4f}")
        assert validation == {"loss": last["val_loss"], "accuracy": last["val_accuracy"]}
        assert validation["accuracy"] == accuracy(y_val, predict(model, X_val))
        """
    ),
    md(
        r"""
        ## The boundary over epochs

        The recorder kept the predicted class on a grid at epoch 0 (the untrained model) and
        every tenth of the training after. Early on the boundary is nearly straight; it then bends into
        the gap between the moons.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        The same frames as an animation (`animate_training` writes a GIF, here into a
        temporary folder; the last frame stays two seconds):
        """
    ),
    code(
        """
        gif_path = Path(tempfile.mkdtemp()) / "moons_training.gif"
        gif = animate_training(recorder, X_train, y_train, gif_path, fps=3,
                               X_val=X_val, y_val=y_val)
        print("wrote", gif, f"({gif.stat().st_size // 1024} KiB)")
        assert gif.stat().st_size > 0
        display(Image(filename=str(gif)))
        """
    ),
    md(
        r"""
        **Summary.** One training step is forward, loss, `zero_grad`, `backward`, update;
        `fit` repeats it with a schedule, logs History, and calls callbacks. On moons the
        337-parameter MLP separates the training set and generalises to the held-out points.
        Next: [04 · circles, spiral and optimizers](04_circles_spiral_and_optimizers.ipynb).
        """
    ),
]


# --------------------------------------------------------------------------- 04
NB04: list[Cell] = [
    md(
        r"""
        # 04 · Circles, a spiral, and three optimizers

        Two harder datasets and the optimizers that train on them:

        1. **circles**: one class inside a ring of the other. No straight line separates
           them, so a model without hidden layers cannot learn it; an MLP can.
        2. **SGD vs momentum vs Adam** on the same circles, from the same initial weights,
           with the loss curves side by side.
        3. **spiral**: three interleaved arms, a 3-class problem trained with cross-entropy.

        All training here runs on the scalar `Value` engine, so the datasets and networks are
        kept small.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## 1. Circles: a straight line is not enough

        `MLP(2, [1])` has no hidden layer: its score $s = b + w_1 x_1 + w_2 x_2$ is linear, so
        the boundary $s = 0$ is a straight line, and at best it gets a little over half the
        points right. With two hidden layers of 8 `tanh` units the network can bend the
        boundary into a closed curve. Both are trained with the binary cross-entropy on the
        logit $s$ ("bce": $L = \log(1 + e^{s}) - t s$ for $t \in \{0, 1\}$) and Adam.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## 2. Three update rules

        With $g = \partial L/\partial p$ and learning rate $\eta$:

        - **SGD**: $p \leftarrow p - \eta\, g$.
        - **Momentum** (heavy ball, PyTorch's form): $b \leftarrow \mu b + g$,
          $p \leftarrow p - \eta\, b$. With a steady gradient the buffer grows to
          $g / (1 - \mu)$: with $\mu = 0.9$, steps become up to 10 times larger, and
          oscillating components of $g$ cancel.
        - **Adam**: running means of $g$ and $g^2$,
          $m \leftarrow \beta_1 m + (1 - \beta_1) g$, $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$,
          bias-corrected $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$, and
          $p \leftarrow p - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)$. Every parameter gets its
          own step size: the step is about $\eta$ whatever the scale of $g$.

        Check each rule on one parameter, $L = 3p^2$ at $p = 1$ (so $g = 6p$):
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        Now the three on the circles, from the **same initial weights** (`seed=0`), for the
        same number of epochs. Each gets a learning rate that suits it: 0.5 for SGD, 0.1 for
        momentum (its buffer enlarges the steps), 0.05 for Adam.
        """
    ),
    code(
        """
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
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        Adam leaves the flat start of the loss surface fastest: it rescales each parameter's
        step to about $\eta$ whatever the size of its gradient. SGD's step is $\eta g$, small
        wherever the gradient is small. Momentum builds larger steps out of consistent
        gradients, but its buffer also carries it past the minimum along steep directions, so
        its curve can wiggle. Which of SGD and momentum is ahead after a given number of epochs
        depends on the learning rates chosen: the update rule matters, and so does $\eta$
        (too large a one makes any of them diverge).

        ## 3. The spiral: three classes

        For $k$ classes the network outputs $k$ scores $s_1..s_k$ (logits); **softmax**
        turns them into probabilities $p_j = e^{s_j} / \sum_l e^{s_l}$, and the
        **cross-entropy** of a sample with class $c$ is $L = -\log p_c$. Its gradient towards
        the scores is simple: $\partial L/\partial s_j = p_j - [j = c]$. Training uses
        minibatches of 30 shuffled samples and a cosine learning-rate schedule.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        At the start the three logits are close, each class gets probability near $1/3$ and
        the loss is near $\log 3 \approx 1.10$. The spiral's boundary winds with the arms.

        **Summary.** Hidden layers make curved boundaries possible; the optimizer decides how
        quickly training finds one. Next: [05 · scalar vs tensor](05_scalar_vs_tensor.ipynb),
        the same model on a vectorised engine.
        """
    ),
]


# --------------------------------------------------------------------------- 05
NB05: list[Cell] = [
    md(
        r"""
        # 05 · The same model on two engines

        The scalar engine makes every number a `Value`: a forward pass of a 337-parameter MLP
        over 100 samples builds thousands of Python objects, and `backward()` visits each.
        The **tensor engine** (`minitorch_nn.tensor`) keeps whole arrays in one node: a layer
        is one node `x @ W + b`, and the local derivatives are numpy matrix products. Both
        engines run on the **same graph walk** (`engine/autodiff.py`), so they compute the
        same numbers; only the size of a node differs.

        This notebook checks that claim (same forward, same loss, same gradients, the same
        training run down to the last digit) and measures what it buys.
        """
    ),
    code(
        """
        import os
        import random
        import time
        import warnings

        import matplotlib.pyplot as plt
        import numpy as np
        from sklearn.datasets import make_moons

        from minitorch_nn import losses
        from minitorch_nn.engine.autodiff import toposort
        from minitorch_nn.nn import MLP
        from minitorch_nn.optim import SGD
        from minitorch_nn.optim.schedules import linear_decay
        from minitorch_nn.plot import plot_decision_boundary
        from minitorch_nn.tensor import Tensor
        from minitorch_nn.tensor import losses as tensor_losses
        from minitorch_nn.tensor.nn import from_scalar
        from minitorch_nn.train import fit

        QUICK = os.environ.get("MINITORCH_NN_NOTEBOOK_TEST") == "1"  # set when CI runs notebooks
        warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm without widgets
        """
    ),
    md(
        r"""
        ## One model, two engines

        `from_scalar` turns a scalar `MLP` into a tensor `MLP` with the same numbers. A scalar
        `Linear(nin, nout)` is a list of `nout` neurons, each with `nin` weights and a bias; the
        tensor `Linear` holds one `weight` array of shape `(nin, nout)` whose column $j$ is
        neuron $j$'s weights, and one `bias` of shape `(nout,)`.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## Same forward pass, same loss, same gradients

        The demo recipe's objective on 100 moons, labels $t_i \in \{-1, +1\}$:
        $$L = \frac{1}{n}\sum_i \max(0,\ 1 - t_i s_i) + 10^{-4} \sum_p p^2 .$$
        The scalar engine calls the model once per sample; the tensor engine once for the
        whole batch `(100, 2) -> (100, 1)`. After `backward()`, every gradient is compared:
        neuron $j$'s weight gradients against column $j$ of `weight.grad`.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## The demo recipe on both engines, step by step

        100 full-batch steps of SGD with learning rate $1 - 0.9\,k/100$, the loop written out
        once per engine and timed per step. micrograd's published demo prints
        `step 99 loss 0.010978370135492717, accuracy 100.0%`; both engines must reproduce it.
        """
    ),
    code(
        """
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
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## Where the time goes

        A step's cost on the scalar engine is proportional to the number of `Value` nodes:
        about (samples × multiply-adds per sample), each a Python object created in the
        forward pass and visited in the backward pass. The tensor engine builds a handful of
        nodes whatever the batch size; the work per node is a numpy call, so its time stays
        nearly flat until the arrays are large enough for the arithmetic itself to count.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        ## `fit` on either engine

        `fit(..., engine="tensor")` trains any model on the tensor engine. Given a scalar model
        it trains a tensor copy and writes the weights back, so the scalar model you passed
        in is the trained one. Here: 10,000 moons in minibatches of 500.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        r"""
        **Summary.** Same graph walk, same op rules, same numbers to the last digit, including
        micrograd's final loss. The difference is granularity: one Python object per number on
        the scalar engine, one numpy array per layer on the tensor engine. The scalar engine is
        for seeing every step of the chain rule (notebooks 01–02); the tensor engine is for
        training on real amounts of data.
        """
    ),
]


NOTEBOOKS: dict[str, list[Cell]] = {
    "01_derivatives_to_value.ipynb": NB01,
    "02_check_against_pytorch.ipynb": NB02,
    "03_mlp_on_moons.ipynb": NB03,
    "04_circles_spiral_and_optimizers.ipynb": NB04,
    "05_scalar_vs_tensor.ipynb": NB05,
}


def build(cells: list[Cell]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for kind, text in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            cell = nbformat.v4.new_code_cell(text)
            cell.outputs, cell.execution_count = [], None
            nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):  # stable ids keep git diffs small
        cell["id"] = f"cell-{i:02d}"
    return nb


def main(prefixes: list[str]) -> None:
    for name, cells in NOTEBOOKS.items():
        if prefixes and not any(name.startswith(p) for p in prefixes):
            continue
        nb = build(cells)
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main(sys.argv[1:])
